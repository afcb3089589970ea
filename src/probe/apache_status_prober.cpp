// The apache_status check: fetches mod_status's machine-readable page with the shard's HTTP
// client, turns it into figures and exporter-named metrics (probe/apache_status.h) and adds
// request_rate from the previous scrape of the same check.
#include <chrono>
#include <unordered_map>

#include "net/http_client.h"
#include "probe/apache_status.h"
#include "probe/prober.h"

namespace vigil::probe {

namespace {

// How much of the page is read: a large ServerLimit × ThreadLimit makes a long Scoreboard line,
// and a cut line would miscount it. The result keeps at most CheckResult::kMaxBody of it.
constexpr std::size_t kMaxStatusBytes = 1 << 20;

class ApacheStatusProber final : public Prober {
 public:
  void run(const std::string& check_id, const config::CheckConfig& check, ProbeEnv& env,
           std::function<void(CheckResult)> done) override {
    net::HttpRequest req;
    req.url = apache_status_url(check.url);
    req.headers = check.headers;
    req.timeout = check.timeout > Duration::zero() ? check.timeout : config::Defaults{}.timeout;
    req.follow_redirects = check.follow_redirects;
    req.tls_verify = check.tls_verify;
    req.fresh_connection = false;  // a scrape, not a connection measurement
    req.max_body = kMaxStatusBytes;
    (*state_)[check_id];  // the check is live; forget() drops it and late results are then not kept
    env.http.fetch(std::move(req), [weak = std::weak_ptr<States>(state_), check_id,
                                    done = std::move(done)](CheckResult r) mutable {
      const auto at = std::chrono::steady_clock::now();
      auto states = weak.lock();
      finish(r, states ? states.get() : nullptr, check_id, at);
      if (r.body.size() > CheckResult::kMaxBody) {
        r.body.resize(CheckResult::kMaxBody);
        r.body_truncated = true;
      }
      done(std::move(r));
    });
  }

  void forget(const std::string& check_id) override { state_->erase(check_id); }

 private:
  struct Previous {
    bool valid = false;
    double accesses = 0;
    double uptime = 0;  // seconds; a smaller one later means Apache restarted
    std::chrono::steady_clock::time_point at{};
  };
  using States = std::unordered_map<std::string, Previous>;

  static void fail(CheckResult& r, std::string error) {
    r.reachable = false;
    r.error = std::move(error);
    r.figures.clear();
    r.metrics = {apache_up_metric(false)};
  }

  static void finish(CheckResult& r, States* states, const std::string& check_id,
                     std::chrono::steady_clock::time_point at) {
    if (!r.reachable) {
      fail(r, r.error.empty() ? "server-status not reachable" : r.error);
      return;
    }
    if (r.status != 200) {
      fail(r, "server-status answered HTTP " + std::to_string(r.status) +
                  " (is mod_status enabled for this URL and allowed from this host?)");
      return;
    }
    if (r.body_truncated) {
      fail(r, "server-status page is larger than " + std::to_string(kMaxStatusBytes) + " bytes");
      return;
    }
    auto parsed = parse_apache_status(r.body);
    if (!parsed) {
      fail(r, "server-status?auto output not understood: " + parsed.error().message);
      return;
    }
    const ApacheStatus& s = *parsed;
    r.figures = apache_figures(s);
    r.metrics = apache_metrics(s);

    const auto accesses = s.number("Total Accesses");
    auto uptime = s.number("ServerUptimeSeconds");
    if (!uptime) uptime = s.number("Uptime");
    if (states) {
      auto it = states->find(check_id);
      if (it != states->end()) {
        Previous& prev = it->second;
        if (accesses) {
          const double dt = std::chrono::duration<double>(at - prev.at).count();
          const bool restarted = *accesses < prev.accesses || (uptime && *uptime < prev.uptime);
          if (prev.valid && !restarted && dt > 0) r.figures["request_rate"] = (*accesses - prev.accesses) / dt;
          prev = Previous{true, *accesses, uptime.value_or(0), at};
        } else {
          prev = Previous{};  // ExtendedStatus Off: no counter to take a rate of
        }
      }
    }
  }

  std::shared_ptr<States> state_ = std::make_shared<States>();
};

}  // namespace

std::unique_ptr<Prober> make_apache_status_prober() { return std::make_unique<ApacheStatusProber>(); }

}  // namespace vigil::probe
