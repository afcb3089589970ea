#include "postmortem/events.h"

#include <fmt/format.h>

#include <algorithm>

#include "postmortem/timefmt.h"

namespace vigil::postmortem {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// "paged Alice Doe (alice): rule 1 via schedule:web" → {"Alice Doe", "alice"}
std::pair<std::string, std::string> paged_person(std::string_view text) {
  if (!starts_with(text, "paged ")) return {};
  text.remove_prefix(6);
  const auto close = text.find("):");
  const auto open = close == std::string_view::npos ? close : text.rfind(" (", close);
  if (open == std::string_view::npos) return {std::string(text), ""};
  return {std::string(text.substr(0, open)), std::string(text.substr(open + 2, close - open - 2))};
}

// "page to alice via email delivered" → {"alice", "email"}
std::pair<std::string, std::string> delivery(std::string_view text) {
  if (!starts_with(text, "page to ")) return {};
  text.remove_prefix(8);
  const auto via = text.find(" via ");
  if (via == std::string_view::npos) return {};
  auto rest = text.substr(via + 5);
  return {std::string(text.substr(0, via)), std::string(rest.substr(0, rest.find(' ')))};
}

std::string result_outcome(const store::ResultRow& r) {
  if (!r.error.empty()) return one_line(r.error);
  if (r.status > 0) return fmt::format("HTTP {}", r.status);
  return r.passed ? "passed" : "failed";
}

std::string first_word(std::string_view s) { return std::string(s.substr(0, s.find(' '))); }

}  // namespace

std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' && !out.empty()) break;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string evidence_title(std::string_view text) {
  std::string t = one_line(text);
  if (!t.empty() && t.back() == ':') t.pop_back();
  return t;
}

std::string evidence_body(std::string_view text) {
  const auto nl = text.find('\n');
  return nl == std::string_view::npos ? "" : std::string(text.substr(nl + 1));
}

const CheckFacts* failing_check(const PostmortemFacts& facts) {
  for (const auto& c : facts.checks)
    if (c.id == facts.incident.dedup_key) return &c;
  for (const auto& c : facts.checks)
    if (!facts.incident.check.empty() && c.name == facts.incident.check) return &c;
  return nullptr;
}

std::vector<const store::ResultRow*> incident_results(const PostmortemFacts& facts) {
  const CheckFacts* check = failing_check(facts);
  const std::string& id = check ? check->id : facts.incident.dedup_key;
  std::vector<const store::ResultRow*> out;
  for (const auto& r : facts.results)
    if (r.check_id == id) out.push_back(&r);
  return out;
}

const store::ResultRow* first_failure(const PostmortemFacts& facts) {
  for (const auto* r : incident_results(facts))
    if (!r->passed && r->at >= facts.incident.started_at) return r;
  return nullptr;
}

std::optional<Time> recovered_at(const PostmortemFacts& facts) {
  const auto& inc = facts.incident;
  std::optional<Time> recovered;
  bool failed = false;
  for (const auto* r : incident_results(facts)) {
    if (r->at < inc.started_at) continue;
    if (inc.resolved_at && r->at > *inc.resolved_at) break;
    if (!r->passed) {
      failed = true;
      recovered.reset();
    } else if (failed && !recovered) {
      recovered = r->at;
    }
  }
  return recovered;
}

std::vector<KeyEvent> key_events(const PostmortemFacts& facts) {
  const auto& inc = facts.incident;
  const CheckFacts* check = failing_check(facts);
  const std::string check_name = check ? check->name : inc.check;
  std::vector<KeyEvent> out;

  if (inc.origin == "check" && !check_name.empty()) {
    std::string text = fmt::format("First failed check: {}", check_name);
    if (const auto* r = first_failure(facts)) text += " — " + result_outcome(*r);
    out.push_back({inc.started_at, "first_failure", text, "first failure"});
  }

  std::vector<std::pair<std::string, std::size_t>> last_page;  // person id → index of their last page
  for (const auto& e : inc.timeline) {
    const std::string& k = e.kind;
    if (k == "triggered") {
      std::string summary = e.text;
      if (auto p = summary.find(" (failing since "); p != std::string::npos) summary.erase(p);
      std::string how;
      if (inc.origin == "check" && check) {
        how = fmt::format("Detected by check {} ({}, every {}, alert after {} failure{})", check->name, check->type,
                          human_duration(check->interval), check->failure_threshold,
                          check->failure_threshold == 1 ? "" : "s");
      } else if (inc.origin == "check") {
        how = fmt::format("Detected by check {}", check_name);
      } else {
        how = fmt::format("Alert received from {} ({})", inc.origin, e.actor);
      }
      out.push_back({e.at, k, fmt::format("{}: incident #{} opened — {}", how, inc.id, one_line(summary)), "detected"});
    } else if (k == "paged") {
      auto [name, id] = paged_person(e.text);
      std::string text = capitalised(one_line(e.text));
      if (auto p = text.find("): rule "); p != std::string::npos) text.replace(p, 2, "),");
      last_page.emplace_back(id, out.size());
      out.push_back({e.at, k, text, "paged " + (name.empty() ? std::string("someone") : name)});
    } else if (k == "notified") {
      auto [user, type] = delivery(e.text);
      auto it = std::find_if(last_page.rbegin(), last_page.rend(), [&](const auto& p) { return p.first == user; });
      if (it == last_page.rend() || type.empty()) continue;  // other deliveries are noise in a report
      KeyEvent& page = out[it->second];
      if (page.text.find(" — delivered via ") == std::string::npos) page.text += " — delivered via " + type;
      else if (page.text.find(type, page.text.find(" — delivered via ")) == std::string::npos) page.text += ", " + type;
    } else if (k == "notify_failed") {
      const std::string text = capitalised(one_line(e.text));
      const auto same = [&](const KeyEvent& o) { return o.kind == k && o.text == text; };
      if (std::find_if(out.begin(), out.end(), same) != out.end()) continue;
      out.push_back({e.at, k, text, "page failed"});
    } else if (k == "acknowledged") {
      std::string text = "Acknowledged by " + e.actor;
      if (e.text != "acknowledged" && !e.text.empty()) text += ": " + one_line(e.text);
      out.push_back({e.at, k, text, "ack " + e.actor});
    } else if (k == "escalation") {
      out.push_back({e.at, k, "Escalation: " + one_line(e.text), "escalation"});
    } else if (k == "note") {
      out.push_back({e.at, k, fmt::format("Note from {}: {}", e.actor, one_line(e.text)), "note " + e.actor});
    } else if (k == "evidence") {
      out.push_back({e.at, k, "Evidence gathered: " + evidence_title(e.text), "evidence"});
    } else if (k == "likely_cause") {
      std::string text = one_line(e.text);
      if (!starts_with(text, "Likely cause")) text = "Likely cause (suggestion): " + text;
      out.push_back({e.at, k, text, "likely cause"});
    } else if (k == "runbook") {
      std::string text = "Runbook: " + one_line(e.text);
      if (e.actor != "vigil" && !e.actor.empty()) text += " (by " + e.actor + ")";
      std::string name = starts_with(e.text, "running ") ? first_word(std::string_view(e.text).substr(8)) : "";
      out.push_back({e.at, k, text, "runbook " + name});
    } else if (k == "runbook_succeeded" || k == "runbook_failed" || k == "runbook_skipped") {
      const std::string verdict = k.substr(8);
      out.push_back({e.at, k, fmt::format("Runbook {}: {}", verdict, one_line(e.text)),
                     fmt::format("{} {}", first_word(e.text), verdict)});
    } else if (k == "resolved") {
      std::string text = "Resolved by " + e.actor;
      if (e.text != "resolved" && !e.text.empty()) text += ": " + one_line(e.text);
      out.push_back({e.at, k, text, "resolved"});
    } else if (k == "auto_resolved") {
      std::string text = fmt::format("Resolved automatically: check {} passing again", check_name);
      if (starts_with(inc.resolved_by, "runbook:")) text += " after runbook " + inc.resolved_by.substr(8) + " ran";
      out.push_back({e.at, k, text, "resolved"});
    } else {
      out.push_back({e.at, k, fmt::format("{}: {}", capitalised(k), one_line(e.text)), k});
    }
  }

  if (auto rec = recovered_at(facts)) {
    std::string text = fmt::format("Recovered: check {} passing again", check_name);
    for (const auto* r : incident_results(facts))
      if (r->at == *rec && r->status > 0) text += fmt::format(" (HTTP {})", r->status);
    KeyEvent ev{*rec, "recovered", text, "recovered"};
    auto at = std::lower_bound(out.begin(), out.end(), *rec,
                               [](const KeyEvent& e, Time t) { return e.at < t; });
    out.insert(at, std::move(ev));
  }
  std::stable_sort(out.begin(), out.end(), [](const KeyEvent& a, const KeyEvent& b) { return a.at < b.at; });
  return out;
}

}  // namespace vigil::postmortem
