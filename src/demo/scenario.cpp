#include "demo/scenario.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "demo/api.h"
#include "demo/apache_site.h"
#include "demo/loopback.h"
#include "demo/narrator.h"
#include "demo/pacer.h"
#include "demo/receiver.h"
#include "demo/visitors.h"

namespace vigil::demo {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// Real-time slack on top of what the config says a step takes: probes, commits and deliveries
// on a loaded CI machine.
constexpr Duration kSlack = std::chrono::seconds(20);

std::string str(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* x = v.as_object().if_contains(key);
  return x && x->is_string() ? std::string(x->as_string()) : std::string();
}

const config::ServiceConfig* service(const config::Config& c) {
  for (const auto& s : c.services)
    if (s.name == kService) return &s;
  return nullptr;
}

// The longest a check of the service takes to cross `threshold` results.
Duration threshold_time(const config::ServiceConfig& s, bool failing) {
  Duration longest{0};
  for (const auto& c : s.checks)
    longest = std::max(longest, c.interval * ((failing ? c.failure_threshold : c.success_threshold) + 1));
  return longest;
}

std::string first_line(std::string_view text, std::size_t max = 110) {
  std::string line(text.substr(0, text.find('\n')));
  if (line.size() > max) line = line.substr(0, max - 3) + "...";
  return line;
}

// Is every check of the service answering and passing (per GET /api/v1/services/NAME)?
bool service_green(ApiClient& api) {
  auto r = api.get(std::string("/api/v1/services/") + kService);
  if (!r.ok() || !r->is_object()) return false;
  const auto* s = r->as_object().if_contains("service");
  const json::value& svc = s ? *s : *r;
  const auto* checks = svc.is_object() ? svc.as_object().if_contains("checks") : nullptr;
  if (!checks || !checks->is_array() || checks->as_array().empty()) return false;
  for (const auto& c : checks->as_array()) {
    const auto& o = c.as_object();
    const auto* up = o.if_contains("up");
    const auto* checked = o.if_contains("last_checked_at");
    if (!up || !up->is_bool() || !up->as_bool() || !checked || checked->is_null()) return false;
  }
  return true;
}

std::optional<ReceivedMessage> page_of_rule(const Receiver& r, std::int64_t incident, int rule) {
  for (const auto& m : r.pages())
    if (m.rule == rule && (incident == 0 || m.incident == incident)) return m;
  return std::nullopt;
}

Error late(std::string_view what, const Pacer& p) {
  return Error{p.stopped() ? "stopped (Ctrl-C)" : fmt::format("{} did not happen in time", what), "demo"};
}

// What the evidence says, in a few lines: the diff body of the config, AH codes of the error
// log, and vigil's likely-cause suggestions.
void tell_evidence(Narrator& n, const json::array& timeline) {
  for (const auto& e : timeline) {
    const std::string kind = str(e, "kind"), text = str(e, "text");
    const bool is_diff = text.find("\n--- ") != std::string::npos && text.find("\n+++ ") != std::string::npos;
    if (kind == "evidence" && is_diff) {
      std::string diff;
      std::istringstream in(text);
      for (std::string line; std::getline(in, line);)
        if ((line.starts_with('+') || line.starts_with('-')) && !line.starts_with("+++") && !line.starts_with("---"))
          diff += line + "\n";
      n.say("Evidence, config diff: what changed in the Apache config since the service was last healthy:");
      n.block(diff.empty() ? first_line(text) : diff);
    } else if (kind == "evidence" && text.find("error.log") != std::string::npos) {
      std::string hits;
      std::istringstream in(text);
      for (std::string line; std::getline(in, line);)
        if (line.find("AH00124") != std::string::npos) hits = first_line(line, 150);
      if (!hits.empty()) {
        n.say("Evidence, the end of Apache's error log:");
        n.block(hits);
      }
    } else if (kind == "likely_cause") {
      n.say("vigil matched the evidence against known Apache error signatures:");
      n.block(first_line(text, 150));
    }
  }
}

}  // namespace

Result<StoryOutcome> play_story(Stage& st) {
  Narrator& n = st.narrator;
  Pacer& pace = st.pacer;
  const config::ServiceConfig* svc = service(st.config);
  if (!svc) return Error{fmt::format("the config has no service {}", kService), "demo"};
  const std::uint16_t port = st.site.options().port;
  StoryOutcome out;

  // 1. Green.
  n.chapter("1. A normal evening on WebServer-01");
  n.say(fmt::format("Apache2 is serving http://127.0.0.1:{}/ (home) and /login (the sign-in page), pid {}.", port,
                    st.site.pid()));
  n.say(fmt::format("vigil watches it with {} checks: the login and home pages, the access and error logs, and\n"
                    "mod_status. Visitors are browsing and signing in.",
                    svc->checks.size()));
  if (!pace.wait_for([&] { return service_green(st.api); }, threshold_time(*svc, false) + kSlack))
    return late("all checks of webserver-01 passing", pace);
  n.event("All checks of webserver-01 are green. vigil keeps a copy of the config as it is now: the last healthy one.");
  // The healthy snapshot is taken on the engine's 1 s tick, which --speed does not scale: pause
  // 4 s of story, but never less than 2.5 s of real time.
  const Duration real_floor{static_cast<Duration::rep>(2500 * pace.speed())};
  if (!pace.pause(std::max<Duration>(std::chrono::seconds(4), real_floor)))
    return late("the healthy snapshot", pace);

  // 2. The deploy.
  n.chapter("2. A change goes out");
  n.say("A teammate ships a change to site.conf: premium members should sign in through a new flow.");
  n.block("RewriteEngine On\nRewriteCond \"%{HTTP_COOKIE}\" \"!plan=basic\"\nRewriteRule \"^login(.*)$\" \"login/premium$1\" [L]");
  if (Status s = st.site.deploy(SiteVersion::broken); !s.ok()) return Error{"deploy: " + s.error().message, "demo"};
  const auto home = loopback_get(port, "/"), login = loopback_get(port, "/login");
  n.event(fmt::format("Apache reloaded gracefully with the change. Home page: {}. /login: {}.", home.status,
                      login.status));
  n.say("The home page still works, so nobody notices at first. But every sign-in now fails.");

  // 3. Detection and the first page.
  n.chapter("3. vigil notices");
  if (!pace.wait_for([&] { return page_of_rule(st.receiver, 0, 1).has_value(); }, threshold_time(*svc, true) + kSlack))
    return late("the first page", pace);
  const auto first = *page_of_rule(st.receiver, 0, 1);
  out.incident = first.incident;
  const auto* policy = st.config.escalation_policies.empty() ? nullptr : &st.config.escalation_policies.front();
  const Duration escalate_after = policy && policy->rules.size() > 1 ? policy->rules[1].after : Duration{0};
  n.say(fmt::format("{} is on call, but is on a flight and does not answer. vigil waits {} for an\n"
                    "acknowledgement, then escalates.",
                    first.name, format_duration(escalate_after)));

  // 4. Escalation.
  n.chapter("4. Nobody answers: escalation");
  if (!pace.wait_for([&] { return page_of_rule(st.receiver, out.incident, 2).has_value(); },
                     escalate_after + kSlack))
    return late("the escalation page", pace);
  const auto second = *page_of_rule(st.receiver, out.incident, 2);

  // 5. Acknowledge from the page.
  n.chapter("5. Acknowledged");
  if (!pace.pause(std::chrono::seconds(3))) return late("the acknowledgement", pace);
  if (second.ack_link.empty()) return Error{"the page has no acknowledge link", "demo"};
  if (auto r = st.api.call("POST", second.ack_link); !r.ok())
    return Error{"acknowledge from the page: " + r.error().message, "demo"};
  n.event(fmt::format("{} taps Acknowledge in the page: incident #{} acknowledged; the escalation stops.",
                      second.name, out.incident));

  // 6. Evidence, then the fix.
  n.chapter("6. Diagnosis and rollback");
  const std::string incident_path = fmt::format("/api/v1/incidents/{}", out.incident);
  json::array timeline;
  auto has_evidence = [&] {
    auto r = st.api.get(incident_path);
    if (!r.ok() || !r->is_object()) return false;
    const auto* inc = r->as_object().if_contains("incident");
    const json::value& o = inc ? *inc : *r;
    const auto* t = o.is_object() ? o.as_object().if_contains("timeline") : nullptr;
    if (!t || !t->is_array()) return false;
    timeline = t->as_array();
    for (const auto& e : timeline)
      if (str(e, "kind") == "evidence") return true;
    return false;
  };
  if (!pace.wait_for(has_evidence, kSlack)) return late("the evidence", pace);
  n.say(fmt::format("{} opens incident #{}. vigil gathered evidence the moment it opened, before anyone\n"
                    "touched the server:",
                    second.name, out.incident));
  tell_evidence(n, timeline);
  if (!pace.pause(std::chrono::seconds(3))) return late("the diagnosis", pace);
  const std::string actor = second.user;
  const std::string diagnosis =
      "The premium sign-in RewriteRule added to site.conf loops: its target login/premium... matches its own "
      "pattern, so every /login request is redirected internally until Apache gives up with a 500 (AH00124). "
      "Rolling back to the last good config.";
  if (auto r = st.api.post(incident_path + "/notes", json::object{{"actor", actor}, {"text", diagnosis}}); !r.ok())
    return Error{"note: " + r.error().message, "demo"};
  n.event(fmt::format("{} notes on the timeline: the new RewriteRule loops on /login. Rolling back.", second.name));
  auto run = st.api.post(fmt::format("{}/runbooks/{}", incident_path, kRollback), json::object{{"actor", actor}});
  if (!run.ok()) return Error{"runbook: " + run.error().message, "demo"};
  const auto* succeeded = run->is_object() ? run->as_object().if_contains("succeeded") : nullptr;
  const bool fixed = succeeded && succeeded->is_bool() && succeeded->as_bool();
  n.event(fmt::format("{} runs the {} runbook: {} ({})", second.name, kRollback, fixed ? "succeeded" : "FAILED",
                      first_line(str(*run, "description"))));
  if (!fixed) return Error{"the rollback-config runbook failed: " + str(*run, "output"), "demo"};

  // 7. Verify and resolve.
  n.chapter("7. Recovery");
  const auto after = loopback_get(port, "/login");
  n.say(fmt::format("{} checks /login: {}{}.", second.name, after.status,
                    after.body.find("Sign in") != std::string::npos ? ", \"Sign in\" is back" : ""));
  const std::string root_cause = fmt::format(
      "A config change to site.conf added a RewriteRule for premium sign-ins whose target (login/premium...) "
      "matched its own pattern; inside <Directory> each match is an internal redirect, so every /login request looped "
      "until Apache answered 500 (AH00124) while the home page stayed up. Resolution: {} restored the last good "
      "site.conf and reloaded Apache gracefully.",
      kRollback);
  if (auto r = st.api.post(incident_path + "/resolve", json::object{{"actor", actor}, {"note", root_cause}}); !r.ok())
    return Error{"resolve: " + r.error().message, "demo"};
  n.event(fmt::format("{} resolves incident #{} with the root cause. Visitors saw {} failed sign-ins.", second.name,
                      out.incident, st.visitors.failed_sign_ins()));

  // 8. The postmortem, and the checks agree.
  n.chapter("8. The postmortem writes itself");
  const fs::path readme = fs::path(st.config.postmortems.dir) / std::to_string(out.incident) / "README.md";
  if (pace.wait_for([&] { return fs::exists(readme); }, kSlack)) {
    out.postmortem = readme;
    n.event(fmt::format("Postmortem draft written: {}", readme.string()));
    std::ifstream in(readme);
    std::string headings;
    for (std::string line; std::getline(in, line);)
      if (line.starts_with("## ")) headings += line + "\n";
    n.block(headings);
  } else if (!pace.stopped()) {
    n.event(fmt::format("No postmortem at {}: this build of vigil does not write one on resolve.", readme.string()));
  }
  if (pace.wait_for([&] { return service_green(st.api); }, threshold_time(*svc, false) + kSlack))
    n.event("vigil's checks agree: every check of webserver-01 is green again.");
  if (pace.stopped()) return late("the end of the story", pace);
  return out;
}

}  // namespace vigil::demo
