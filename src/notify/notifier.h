// Notifier: drains the durable outbox. Pipeline of small stages:
// claim due rows (store, off-loop) → deliver through the channel → mark delivered, or mark
// failed with exponential backoff. At least once: a row is deleted from the due set only
// after its channel said ok; a crash between send and mark re-sends the same stable id.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <functional>

#include "common/result.h"
#include "common/time.h"
#include "incident/incident.h"

namespace boost::asio {
class io_context;
}

namespace vigil {
class BlockingWorker;
namespace store {
class Store;
}
namespace notify {
class Channel;

// Pure: when to retry after `attempts` failed deliveries (1s, 2s, 4s ... capped at 5 min).
Duration backoff(int attempts);

struct NotifierStats {
  std::int64_t delivered = 0;
  std::int64_t failed_attempts = 0;
  std::int64_t skipped = 0;  // not sent: the gate said the message had become moot
};

// Told of each delivery attempt's outcome (attempt counts from 1), on the io thread, before the
// outcome is marked in the store. The engine puts page deliveries on the incident timeline.
using DeliveryObserver = std::function<void(const incident::OutboxMessage&, const Status&, int attempt)>;
// Asked on the io thread before each attempt; a reason means "moot, do not send" (a page whose
// incident was acknowledged meanwhile): the message is then done without being sent, and the
// gate is where the reason gets told.
using DeliveryGate = std::function<std::optional<std::string>(const incident::OutboxMessage&)>;

// Runs on the io_context's thread: call start/stop/set_channels there; wake() from any thread.
class Notifier {
 public:
  // `poll_interval`: how often the outbox is looked at besides wake() (retries become due
  // without a wake-up, so this bounds how late a retry can be).
  Notifier(boost::asio::io_context& io, BlockingWorker& worker, store::Store& store,
           std::map<std::string, std::unique_ptr<Channel>> channels, Duration poll_interval = 1s);
  ~Notifier();
  void start();  // begins polling (every second, and on wake())
  void wake();   // new rows were committed: look now
  // Sends messages the caller just committed already claimed (OutboxMessage::claimed_until),
  // without a claim round trip: the fast path from an alert to its page. Messages whose
  // not_before is still ahead are left to the poller. Call on the io thread.
  void deliver_now(const std::vector<incident::OutboxMessage>& messages);
  void stop();
  // Replaces the channels (config reload); rows for unknown channels wait, they are not dropped.
  void set_channels(std::map<std::string, std::unique_ptr<Channel>> channels);
  NotifierStats stats() const;
  void set_on_delivery(DeliveryObserver observer);
  void set_gate(DeliveryGate gate);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace notify
}  // namespace vigil
