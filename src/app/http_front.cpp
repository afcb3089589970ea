#include "app/http_front.h"

#include <boost/asio.hpp>

#include <future>
#include <optional>

#include "common/thread_name.h"

namespace vigil::app {
namespace asio = boost::asio;

namespace {

// Answers the engine gives, on their way to the HTTP thread: one wake-up of that thread for
// every answer given meanwhile (a group commit answers dozens at once), not one each.
// Every Respond handed to the engine holds this, and this holds the HTTP io_context: an
// answer holds its connection, whose socket must not outlive its io_context, and it may sit
// in the engine's queues (a commit in flight) after the front has stopped. Members are
// destroyed in reverse order: the answers (and their connections) first, then the io_context.
struct Replies : std::enable_shared_from_this<Replies> {
  std::shared_ptr<asio::io_context> io;
  std::mutex mu;
  std::vector<std::pair<web::Respond, web::Response>> out;
  bool posted = false;

  explicit Replies(std::shared_ptr<asio::io_context> i) : io(std::move(i)) {}

  void add(const web::Respond& respond, web::Response r) {
    bool post = false;
    {
      std::lock_guard lock(mu);
      out.emplace_back(respond, std::move(r));
      post = !posted;
      posted = true;
    }
    // Weak: a queued flush must not keep the io_context that queues it alive.
    if (post) asio::post(*io, [w = weak_from_this()] {
        if (auto self = w.lock()) self->flush();
      });
  }

  void flush() {  // on the HTTP thread: each answer is written right here
    std::vector<std::pair<web::Respond, web::Response>> batch;
    {
      std::lock_guard lock(mu);
      batch.swap(out);
      posted = false;
    }
    for (auto& [respond, r] : batch) respond(std::move(r));
  }
};

bool is_events_v2(const web::Request& req) { return req.method == "POST" && req.path == "/v2/enqueue"; }

}  // namespace

struct HttpFront::State : std::enable_shared_from_this<State> {
  std::shared_ptr<asio::io_context> io = std::make_shared<asio::io_context>(1);
  std::shared_ptr<Replies> replies = std::make_shared<Replies>(io);
  asio::io_context& engine_io;
  web::ServerOptions options;
  web::Handler api;
  EventsSink events;
  std::unique_ptr<web::HttpServer> server;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
  bool stopped = false;

  std::function<bool(const std::string&)> is_open;  // set before start
  std::mutex keys_mu;
  std::set<std::string> keys;  // routing keys of the Events API v2 integrations

  std::mutex mu;  // guards queue and drain_posted (HTTP thread pushes, engine thread drains)
  std::vector<QueuedEvent> queue;
  bool drain_posted = false;

  State(asio::io_context& e, web::ServerOptions o, web::Handler a, EventsSink ev)
      : engine_io(e), options(std::move(o)), api(std::move(a)), events(std::move(ev)) {}

  // The Respond the engine thread calls: through `replies`. A struct, not a lambda, for the
  // order of destruction: the connection's Respond before the Replies (and io_context).
  struct Kept {
    std::shared_ptr<Replies> replies;
    web::Respond respond;
    void operator()(web::Response res) const { replies->add(respond, std::move(res)); }
  };
  web::Respond keep(web::Respond r) { return Kept{replies, std::move(r)}; }

  // On the HTTP thread.
  void on_request(web::Request req, web::Respond respond) {
    if (is_events_v2(req)) {
      auto parsed = incident::parse_events_v2(req.body, now_ms());
      if (!parsed.errors.empty()) {
        web::Response r;
        r.status = 400;
        r.body = incident::events_v2_error_body(parsed.errors);
        return respond(std::move(r));
      }
      if (is_repeat(parsed)) {
        web::Response r;
        r.status = 202;
        r.body = incident::events_v2_success_body(parsed.event->dedup_key);
        return respond(std::move(r));
      }
      return enqueue(QueuedEvent{std::move(parsed), keep(std::move(respond))});
    }
    asio::post(engine_io, [w = weak_from_this(), req = std::move(req), respond = keep(std::move(respond))]() mutable {
      if (auto self = w.lock()) self->api(std::move(req), std::move(respond));
    });
  }

  // A trigger for a key that has an open incident changes nothing; the engine would answer it
  // 202 without a commit. Safe to answer first: an answer the engine gave (a resolve of this
  // key, say) came after the book changed, so no client can see this one overtake it.
  bool is_repeat(const incident::EventsV2Result& parsed) {
    if (!is_open || parsed.event->action != incident::InboundEvent::Action::trigger) return false;
    {
      std::lock_guard lock(keys_mu);
      if (!keys.contains(parsed.routing_key)) return false;
    }
    return is_open(parsed.event->dedup_key);
  }

  void enqueue(QueuedEvent ev) {
    bool post = false;
    {
      std::lock_guard lock(mu);
      queue.push_back(std::move(ev));
      post = !drain_posted;
      drain_posted = true;
    }
    // One wake-up of the engine for however many events arrive before it gets to them.
    if (post) asio::post(engine_io, [w = weak_from_this()] {
        if (auto self = w.lock()) self->drain();
      });
  }

  // On the engine thread.
  void drain() {
    std::vector<QueuedEvent> batch;
    {
      std::lock_guard lock(mu);
      batch.swap(queue);
      drain_posted = false;
    }
    if (!batch.empty()) events(batch);
  }
};

HttpFront::HttpFront(asio::io_context& engine_io, web::ServerOptions options, web::Handler api, EventsSink events)
    : state_(std::make_shared<State>(engine_io, std::move(options), std::move(api), std::move(events))) {
  // The server lives (and its handler runs) on the HTTP thread, which is joined before state_
  // dies: the raw pointer cannot dangle there.
  state_->server = std::make_unique<web::HttpServer>(
      *state_->io, state_->options,
      [s = state_.get()](web::Request req, web::Respond respond) { s->on_request(std::move(req), std::move(respond)); });
}

HttpFront::~HttpFront() { stop(); }

void HttpFront::answer_repeats(std::function<bool(const std::string&)> is_open) { state_->is_open = std::move(is_open); }

void HttpFront::set_integrations(const std::vector<config::IntegrationConfig>& integrations) {
  std::set<std::string> keys;
  for (const auto& i : integrations)
    if (i.type == config::IntegrationType::pagerduty_events_v2) keys.insert(i.key);
  std::lock_guard lock(state_->keys_mu);
  state_->keys = std::move(keys);
}

Status HttpFront::start() {
  State& s = *state_;
  if (Status st = s.server->start(); !st.ok()) return st;
  s.guard.emplace(s.io->get_executor());
  s.thread = std::thread([io = s.io] {
    name_this_thread("vigil-http");
    io->run();
  });
  return Status::Ok();
}

void HttpFront::stop() {
  State& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  if (!s.thread.joinable()) return s.server->stop();
  // HttpServer::stop runs on its own thread; then the loop ends even if a client is slow to
  // read its answer (as the daemon's single loop did on SIGTERM).
  std::promise<void> done;
  auto fut = done.get_future();
  asio::post(*s.io, [&] {
    s.server->stop();
    done.set_value();
  });
  fut.wait();
  s.guard.reset();
  s.io->stop();
  s.thread.join();
}

std::uint16_t HttpFront::port() const { return state_->server->port(); }

}  // namespace vigil::app
