#include "probe/shard.h"

#include <map>

#include "probe/prober.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <unordered_map>

#include "net/dns_client.h"
#include "net/http_client.h"
#include "probe/dns_result.h"
#include "probe/schedule.h"
#include "probe/tcp_connect.h"

namespace vigil::probe {

namespace asio = boost::asio;

namespace {

Duration effective_timeout(const config::CheckConfig& c) {
  return c.timeout > Duration::zero() ? c.timeout : config::Defaults{}.timeout;
}

// A url's scheme wins over the type, as `vigil check tcp://host:port` relies on.
bool is_tls(const config::CheckConfig& c) {
  return c.url.starts_with("tls://") || (c.type == config::CheckType::tls && !c.url.starts_with("tcp://"));
}

bool is_tcp(const config::CheckConfig& c) {
  return c.type == config::CheckType::tcp || c.url.starts_with("tcp://") || is_tls(c);
}

TlsOptions tls_options_for(const config::CheckConfig& c) { return TlsOptions{c.server_name, c.tls_verify}; }

net::DnsQuery dns_query_for(const config::CheckConfig& c) {
  return net::DnsQuery{c.query, c.record_type, c.server, effective_timeout(c)};
}

net::HttpRequest http_request_for(const config::CheckConfig& c) {
  net::HttpRequest req;
  req.method = c.method.empty() ? "GET" : c.method;
  req.url = c.url;
  req.headers = c.headers;
  req.body = c.body;
  req.timeout = effective_timeout(c);
  req.follow_redirects = c.follow_redirects;
  req.tls_verify = c.tls_verify;
  req.fresh_connection = true;  // a probe measures a new connection (DNS, connect, TLS) every time
  return req;
}

}  // namespace

struct ProbeShard::Impl : std::enable_shared_from_this<Impl> {
  static constexpr std::uint64_t kMaxInFlight = 2048;

  Impl(asio::io_context& io, Sink sink, HeartbeatBoard* heartbeats)
      : io(io), sink(std::move(sink)), heartbeats(heartbeats), timer(io) {}

  void set_checks(std::vector<ProbeTarget> targets) {
    if (!started) {
      pending = std::move(targets);
      return;
    }
    if (stopped) return;
    schedule.replace(std::move(targets), std::chrono::steady_clock::now());
    arm();
  }

  void start() {
    if (started) return;
    started = true;
    schedule.replace(std::move(pending), std::chrono::steady_clock::now());
    pending = {};
    arm();
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    timer.cancel();
    // Destroying the client aborts its transfers without callbacks; it tolerates being
    // destroyed from inside one of its own callbacks (a sink that calls stop()).
    http.reset();
    dns.reset();  // the same for DNS queries
    auto connects = std::move(tcp);
    tcp.clear();
    for (auto& [key, c] : connects) c->cancel();
  }

  void arm() {
    if (stopped) return;
    auto due = schedule.next_due();
    if (!due) {
      timer.cancel();
      return;
    }
    timer.expires_at(*due);
    timer.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = w.lock()) self->tick();
    });
  }

  void tick() {
    if (stopped) return;
    runs.clear();
    schedule.pop_due(std::chrono::steady_clock::now(), runs);
    for (const Schedule::Run& run : runs) {
      // Overload guard: past this many probes in flight (a slow network, an overloaded host),
      // starting more only grows memory and timeouts. The run is shed and counted; its next
      // slot comes at its usual cadence.
      if (stats.started - stats.completed >= kMaxInFlight) {
        (void)schedule.finished(run.slot, run.serial);
        ++stats.shed;
        continue;
      }
      launch(run);
      if (stopped) return;
    }
    arm();
  }

  void launch(const Schedule::Run& run) {
    ++stats.started;
    const config::CheckConfig& check = *schedule.slot(run.slot).check;
    const std::uint32_t slot = run.slot, serial = run.serial;
    if (check.type == config::CheckType::dns) {
      if (!dns) dns = std::make_unique<net::DnsClient>(io);
      // The client belongs to this Impl and never calls back after its destruction: `this` is safe.
      dns->query(dns_query_for(check), [this, slot, serial, check = schedule.slot(slot).check,
                                        started = now_ms()](net::DnsAnswer a) {
        complete(slot, serial, dns_result(a, *check, started));
      });
      return;
    }
    if (check.type != config::CheckType::http && check.type != config::CheckType::tcp &&
        check.type != config::CheckType::tls) {
      if (!http) http = std::make_unique<net::HttpClient>(io);
      auto& prober = probers[static_cast<int>(check.type)];
      if (!prober) prober = make_prober(check.type);
      if (!prober) {
        CheckResult r;
        r.started_at = now_ms();
        r.error = "this check type is not supported by this build";
        return complete(slot, serial, std::move(r));
      }
      ProbeEnv env{io, *http, heartbeats};
      prober->run(schedule.slot(slot).check_id, check, env,
                  [w = weak_from_this(), slot, serial](CheckResult r) {
                    if (auto self = w.lock()) self->complete(slot, serial, std::move(r));
                  });
      return;
    }
    if (is_tcp(check)) {
      const std::uint64_t key = next_tcp_key++;
      const bool tls = is_tls(check);
      if (tls && !tls_context) tls_context = std::make_unique<TlsContext>();  // the CA store, once
      const TlsOptions options = tls_options_for(check);
      auto c = TcpConnect::start(
          io, check.url, effective_timeout(check),
          [w = weak_from_this(), key, slot, serial](CheckResult r) {
            auto self = w.lock();
            if (!self) return;
            self->tcp.erase(key);
            self->complete(slot, serial, std::move(r));
          },
          tls ? &options : nullptr, tls_context.get());
      tcp.emplace(key, std::move(c));
      return;
    }
    if (!http) http = std::make_unique<net::HttpClient>(io);
    // The client belongs to this Impl and never calls back after its destruction: `this` is safe.
    http->fetch(http_request_for(check), [this, slot, serial](CheckResult r) { complete(slot, serial, std::move(r)); });
  }

  void complete(std::uint32_t slot, std::uint32_t serial, CheckResult r) {
    ++stats.completed;
    const bool current = schedule.finished(slot, serial);
    if (stopped || !current) return;  // stopped, or the check was removed while it ran
    r.check_id = schedule.slot(slot).check_id;
    auto keep = shared_from_this();  // the sink may destroy the shard
    sink(std::move(r));
  }

  asio::io_context& io;
  Sink sink;
  HeartbeatBoard* heartbeats;
  asio::steady_timer timer;
  Schedule schedule;
  std::vector<ProbeTarget> pending;  // set before start()
  std::vector<Schedule::Run> runs;   // reused by tick()
  std::unique_ptr<net::HttpClient> http;
  std::map<int, std::unique_ptr<Prober>> probers;  // by config::CheckType
  std::unique_ptr<net::DnsClient> dns;
  std::unique_ptr<TlsContext> tls_context;  // made at the first tls probe; outlives the attempts below
  std::unordered_map<std::uint64_t, std::shared_ptr<TcpConnect>> tcp;
  std::uint64_t next_tcp_key = 0;
  ShardStats stats;
  bool started = false;
  bool stopped = false;
};

ProbeShard::ProbeShard(asio::io_context& io, Sink sink, HeartbeatBoard* heartbeats)
    : impl_(std::make_shared<Impl>(io, std::move(sink), heartbeats)) {}

ProbeShard::~ProbeShard() { impl_->stop(); }

void ProbeShard::set_checks(std::vector<ProbeTarget> targets) { impl_->set_checks(std::move(targets)); }
void ProbeShard::start() { impl_->start(); }
void ProbeShard::stop() { impl_->stop(); }

ShardStats ProbeShard::stats() const {
  ShardStats s = impl_->stats;
  s.skipped = impl_->schedule.skipped();
  s.late = impl_->schedule.late();
  return s;
}

CheckResult run_once(const config::CheckConfig& check) {
  asio::io_context io;
  CheckResult out;
  auto record = [&](CheckResult r) {
    out = std::move(r);
    out.check_id = check.name;
    io.stop();
  };
  std::shared_ptr<TcpConnect> tcp;
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<net::DnsClient> dns;
  TlsContext tls_context;
  const TlsOptions options = tls_options_for(check);
  if (check.type == config::CheckType::dns) {
    dns = std::make_unique<net::DnsClient>(io);
    dns->query(dns_query_for(check), [&, started = now_ms()](net::DnsAnswer a) { record(dns_result(a, check, started)); });
  } else if (is_tcp(check)) {
    tcp = TcpConnect::start(io, check.url, effective_timeout(check), record, is_tls(check) ? &options : nullptr,
                            &tls_context);
  } else {
    http = std::make_unique<net::HttpClient>(io);
    http->fetch(http_request_for(check), record);
  }
  io.run();
  return out;
}

}  // namespace vigil::probe
