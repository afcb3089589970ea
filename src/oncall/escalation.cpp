#include "oncall/escalation.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace vigil::oncall {
namespace {

using config::EscalationPolicyConfig;

Duration latest_after(const EscalationPolicyConfig& policy) {
  Duration m{0};
  for (const auto& r : policy.rules) m = std::max(m, r.after);
  return m;
}

Time due_at(const EscalationPolicyConfig& policy, const EscalationState& s, int rule) {
  return s.round_started_at + policy.rules[static_cast<std::size_t>(rule)].after;
}

Time round_end(const EscalationPolicyConfig& policy, const EscalationState& s) {
  return s.round_started_at + latest_after(policy) + repeat_delay(policy);
}

std::string rounded(Duration d) { return format_duration(std::chrono::floor<std::chrono::seconds>(d)); }

// Pages the targets of rule `i` as of `now`. Returns how many distinct users the rule reached,
// counting users already paged earlier in this call (they are not paged twice).
std::size_t page_rule(const EscalationPolicyConfig& policy, int i, int round, const WhoIsOnCall& who, Time now,
                      std::vector<Page>& pages, std::vector<std::string>& notes) {
  std::vector<std::string> reached;
  for (const std::string& target : policy.rules[static_cast<std::size_t>(i)].targets) {
    const std::string_view t = target;
    std::optional<std::string> user;
    if (t.starts_with("user:") && t.size() > 5) {
      user = std::string(t.substr(5));
    } else if (t.starts_with("schedule:") && t.size() > 9) {
      const std::string schedule(t.substr(9));
      if (who) user = who(schedule, now);
      if (user && user->empty()) user.reset();
      if (!user)
        notes.push_back(fmt::format("rule {}: schedule {} has nobody on call at {}", i + 1, schedule,
                                    format_rfc3339(now)));
    } else {
      notes.push_back(fmt::format("rule {}: unknown target \"{}\"; skipped", i + 1, target));
    }
    if (!user || std::find(reached.begin(), reached.end(), *user) != reached.end()) continue;
    reached.push_back(*user);
    const bool already = std::any_of(pages.begin(), pages.end(), [&](const Page& p) { return p.user == *user; });
    if (!already) pages.push_back(Page{*user, target, i, round});
  }
  return reached.size();
}

// Acknowledged: nothing escalates; with ack_timeout, the latest rule that paged pages again.
void plan_acknowledged(const EscalationPolicyConfig& policy, const WhoIsOnCall& who, Time now, Plan& p) {
  EscalationState& s = p.state;
  if (!s.acked_at) s.acked_at = now;
  if (policy.ack_timeout <= Duration::zero()) return;
  if (*s.acked_at + policy.ack_timeout <= now) {
    p.notes.push_back(
        fmt::format("acknowledgement timed out after {}; paging again", format_duration(policy.ack_timeout)));
    const int n = static_cast<int>(policy.rules.size());
    int last = s.rule - 1;
    if (last < 0) last = s.round > 0 ? n - 1 : 0;
    last = std::min(last, n - 1);
    bool reached = false;
    for (int i = last; i >= 0 && !reached; --i)
      reached = page_rule(policy, i, s.round, who, now, p.pages, p.notes) > 0;
    if (!reached) p.notes.push_back("nobody to page again: no rule reaches anyone on call");
    // The acknowledged time so far stays paused: move the round clock past it.
    s.round_started_at += now - *s.acked_at;
    s.acked_at = now;
  }
  p.next_wake = *s.acked_at + policy.ack_timeout;
}

}  // namespace

EscalationState start_escalation(Time triggered_at) {
  EscalationState s;
  s.round_started_at = triggered_at;
  return s;
}

EscalationState on_acknowledged(EscalationState s, Time at) {
  s.acked_at = at;
  return s;
}

EscalationState on_unacknowledged(EscalationState s, Time at) {
  if (s.acked_at && at > *s.acked_at) s.round_started_at += at - *s.acked_at;
  s.acked_at.reset();
  return s;
}

Duration repeat_delay(const EscalationPolicyConfig& policy) {
  const auto& r = policy.rules;
  if (r.size() >= 2) {
    const Duration step = r[r.size() - 1].after - r[r.size() - 2].after;
    if (step > Duration::zero()) return step;
  }
  return kDefaultRepeatDelay;
}

Plan plan(const EscalationPolicyConfig& policy, const EscalationState& state, bool acknowledged,
          const WhoIsOnCall& who, Time now) {
  Plan p;
  p.state = state;
  EscalationState& s = p.state;
  const int n = static_cast<int>(policy.rules.size());
  s.rule = std::clamp(s.rule, 0, n);  // the policy may have lost rules in a reload
  s.round = std::max(s.round, 0);

  if (acknowledged) {
    plan_acknowledged(policy, who, now, p);
    return p;
  }
  if (s.acked_at) s = on_unacknowledged(s, now);
  if (s.exhausted) return p;
  if (n == 0) {
    s.exhausted = true;
    p.notes.push_back(fmt::format("escalation policy {} has no rules; nobody is paged", policy.name));
    return p;
  }

  const int rounds = 1 + std::max(policy.repeat, 0);
  bool escalate_now = false;  // the previous rule reached nobody
  for (;;) {
    if (s.rule < n) {
      const Time due = due_at(policy, s, s.rule);
      if (due > now) {
        if (!escalate_now) break;
        // Pull the rest of the round forward: this rule pages now, later ones keep their spacing.
        s.round_started_at = now - policy.rules[static_cast<std::size_t>(s.rule)].after;
      } else if (!escalate_now && now - due >= std::chrono::minutes(1)) {
        p.notes.push_back(fmt::format("rule {} was due at {}; paging it {} late", s.rule + 1, format_rfc3339(due),
                                      rounded(now - due)));
      }
      escalate_now = false;
      const int i = s.rule++;
      const std::size_t reached = page_rule(policy, i, s.round, who, now, p.pages, p.notes);
      if (s.rule == n && due < now) {
        // The last rule paged late: the repeat delay counts from now, not from when it was due.
        s.round_started_at = now - policy.rules[static_cast<std::size_t>(i)].after;
      }
      if (reached == 0) {
        if (s.rule < n) {
          p.notes.push_back(fmt::format("rule {} paged nobody; escalating to rule {} now", i + 1, i + 2));
          escalate_now = true;
        } else {
          p.notes.push_back(fmt::format("rule {} paged nobody; it is the last rule of the policy", i + 1));
        }
      }
      continue;
    }
    // Every rule of this round has paged.
    if (round_end(policy, s) > now) break;
    if (s.round + 1 >= rounds) {
      s.exhausted = true;
      p.notes.push_back(fmt::format("escalation policy {} exhausted after {} round{}; nobody acknowledged",
                                    policy.name, rounds, rounds == 1 ? "" : "s"));
      break;
    }
    ++s.round;
    s.rule = 0;
    s.round_started_at = now;
    p.notes.push_back(fmt::format("nobody acknowledged; repeating escalation policy {} (round {} of {})", policy.name,
                                  s.round + 1, rounds));
  }

  if (s.exhausted) return p;
  p.next_wake = s.rule < n ? due_at(policy, s, s.rule) : round_end(policy, s);
  return p;
}

Plan plan_low_urgency(const EscalationPolicyConfig& policy, const EscalationState& state, bool acknowledged,
                      const WhoIsOnCall& who, Time now) {
  Plan p;
  p.state = state;
  EscalationState& s = p.state;
  if (acknowledged) {
    if (!s.acked_at) s.acked_at = now;
    return p;
  }
  if (s.acked_at) s = on_unacknowledged(s, now);
  if (s.exhausted) return p;
  s.exhausted = true;
  if (s.rule > 0 || s.round > 0) {
    p.notes.push_back("low urgency: no further rule is paged (low-urgency incidents do not escalate)");
    return p;
  }
  const int n = static_cast<int>(policy.rules.size());
  if (n == 0) p.notes.push_back(fmt::format("escalation policy {} has no rules; nobody is paged", policy.name));
  for (int i = 0; i < n; ++i) {
    s.rule = i + 1;
    if (page_rule(policy, i, 0, who, now, p.pages, p.notes) > 0) break;
    // Not escalating is about time: someone still has to hear of it.
    if (i + 1 < n) p.notes.push_back(fmt::format("rule {} paged nobody; paging rule {} instead", i + 1, i + 2));
    else p.notes.push_back(fmt::format("rule {} paged nobody; it is the last rule of the policy", i + 1));
  }
  return p;
}

}  // namespace vigil::oncall
