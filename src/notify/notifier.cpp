#include "notify/notifier.h"

#include <boost/asio/post.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <set>

#include "common/worker.h"
#include "notify/channel.h"
#include "store/store.h"

namespace vigil::notify {
namespace {

namespace asio = boost::asio;

// Longer than any channel timeout: a row is only handed out again after its sender had ample
// time to report. Within one process the in-flight set forbids a concurrent resend anyway.
constexpr Duration kClaimLease = 60s;
constexpr int kClaimLimit = 100;
constexpr Duration kMaxBackoff = 5min;

}  // namespace

Duration backoff(int attempts) {
  if (attempts <= 1) return 1s;
  if (attempts > 16) return kMaxBackoff;  // 2^15 s is already far past the cap
  const Duration d = Duration(1s) * (std::int64_t{1} << (attempts - 1));
  return std::min(d, kMaxBackoff);
}

// Everything runs on the io_context's thread except the store calls, which go to the worker.
// Callbacks hold a weak_ptr: after stop() or destruction they do nothing.
struct Notifier::Impl : std::enable_shared_from_this<Notifier::Impl> {
  Impl(asio::io_context& io, BlockingWorker& worker, store::Store& store, Duration poll_interval)
      : io(io), worker(worker), store(store), poll_interval(poll_interval), timer(io) {}

  asio::io_context& io;
  BlockingWorker& worker;
  store::Store& store;
  Duration poll_interval;
  asio::steady_timer timer;
  // shared_ptr: a delivery in flight keeps its channel alive across set_channels().
  std::map<std::string, std::shared_ptr<Channel>> channels;
  std::set<std::string> in_flight;  // message ids being sent or being marked
  bool running = false;
  bool claiming = false;     // a claim is with the worker
  bool claim_again = false;  // woken while claiming: look once more when it returns
  DeliveryObserver on_delivery;
  DeliveryGate gate;
  std::atomic<std::int64_t> skipped{0};
  std::atomic<std::int64_t> delivered{0};
  std::atomic<std::int64_t> failed_attempts{0};

  void arm_timer() {
    timer.expires_after(poll_interval);
    timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || !self->running) return;
      self->claim();
      self->arm_timer();
    });
  }

  // Stage 1: claim due rows, off the loop.
  void claim() {
    if (!running) return;
    if (claiming) {
      claim_again = true;
      return;
    }
    claiming = true;
    claim_again = false;
    worker.post([weak = weak_from_this(), store = &store, io = &io, now = now_ms()] {
      auto rows = store->claim_outbox(now, kClaimLease, kClaimLimit);
      asio::post(*io, [weak, rows = std::move(rows)]() mutable {
        if (auto self = weak.lock()) self->on_claimed(std::move(rows));
      });
    });
  }

  // Stage 2: hand each row to its channel; all rows of a batch go out concurrently.
  void on_claimed(Result<std::vector<store::OutboxRow>> rows) {
    claiming = false;
    if (!running) return;
    if (!rows.ok()) return;  // the store is unhappy: the next tick tries again
    const bool full_batch = rows->size() >= static_cast<std::size_t>(kClaimLimit);
    for (auto& row : *rows) {
      if (in_flight.count(row.message.id)) continue;  // still being sent from an earlier claim
      const auto it = channels.find(row.message.channel);
      if (it == channels.end()) {
        // Not dropped: the row waits (with backoff) until a reload brings the channel back.
        in_flight.insert(row.message.id);
        record(row, Status(Error{"unknown channel \"" + row.message.channel + "\""}));
        continue;
      }
      deliver(std::move(row), it->second);
    }
    if (claim_again || full_batch) claim();
  }

  void deliver(store::OutboxRow row, std::shared_ptr<Channel> channel) {
    in_flight.insert(row.message.id);
    if (gate && gate(row.message)) {
      skipped.fetch_add(1, std::memory_order_relaxed);
      record(row, Status::Ok());  // done: nobody needs it any more
      return;
    }
    auto message = row.message;
    // `done` may run before deliver() returns (the log channel) or later on this thread.
    channel->deliver(message, [weak = weak_from_this(), row = std::move(row), channel](Status st) {
      auto self = weak.lock();
      if (!self) return;
      if (!self->running) {  // stopped: nothing more is recorded; the lease brings the row back
        self->in_flight.erase(row.message.id);
        return;
      }
      if (st.ok()) {
        self->delivered.fetch_add(1, std::memory_order_relaxed);
      } else {
        self->failed_attempts.fetch_add(1, std::memory_order_relaxed);
      }
      if (self->on_delivery) self->on_delivery(row.message, st, row.attempts + 1);
      self->record(row, st);
    });
  }

  // Stage 3: persist the outcome, off the loop. The id leaves the in-flight set only once the
  // outcome is committed, so no later claim can race the mark.
  void record(const store::OutboxRow& row, const Status& outcome) {
    const Time now = now_ms();
    worker.post([weak = weak_from_this(), store = &store, io = &io, id = row.message.id, outcome, now,
                 retry_at = now + backoff(row.attempts + 1)] {
      if (outcome.ok()) {
        (void)store->mark_delivered(id, now);  // on failure the lease re-sends it: at least once
      } else {
        (void)store->mark_failed(id, outcome.error().message, retry_at);
      }
      asio::post(*io, [weak, id] {
        if (auto self = weak.lock()) self->in_flight.erase(id);
      });
    });
  }
};

Notifier::Notifier(asio::io_context& io, BlockingWorker& worker, store::Store& store,
                   std::map<std::string, std::unique_ptr<Channel>> channels, Duration poll_interval)
    : impl_(std::make_shared<Impl>(io, worker, store, poll_interval)) {
  set_channels(std::move(channels));
}

Notifier::~Notifier() { stop(); }

void Notifier::set_on_delivery(DeliveryObserver observer) { impl_->on_delivery = std::move(observer); }

void Notifier::set_gate(DeliveryGate gate) { impl_->gate = std::move(gate); }

void Notifier::deliver_now(const std::vector<incident::OutboxMessage>& messages) {
  Impl& n = *impl_;
  if (!n.running) return;  // the claim lease expires and a later poll sends them
  const Time now = now_ms();
  for (const auto& m : messages) {
    if (n.in_flight.count(m.id)) continue;
    if (m.not_before && *m.not_before > now) continue;  // not due yet: the poller sends it when it is
    auto it = n.channels.find(m.channel);
    if (it == n.channels.end()) continue;  // left to the poller, which records why
    store::OutboxRow row;
    row.message = m;
    n.deliver(std::move(row), it->second);
  }
}

void Notifier::start() {
  if (impl_->running) return;
  impl_->running = true;
  impl_->claim();  // rows left over from before a restart go out now, not in a second
  impl_->arm_timer();
}

void Notifier::wake() {
  asio::post(impl_->io, [weak = std::weak_ptr<Impl>(impl_)] {
    if (auto self = weak.lock()) self->claim();
  });
}

void Notifier::stop() {
  impl_->running = false;
  impl_->timer.cancel();
}

void Notifier::set_channels(std::map<std::string, std::unique_ptr<Channel>> channels) {
  impl_->channels.clear();
  for (auto& [name, channel] : channels) impl_->channels.emplace(name, std::move(channel));
}

NotifierStats Notifier::stats() const {
  return NotifierStats{impl_->delivered.load(std::memory_order_relaxed),
                       impl_->failed_attempts.load(std::memory_order_relaxed),
                       impl_->skipped.load(std::memory_order_relaxed)};
}

}  // namespace vigil::notify
