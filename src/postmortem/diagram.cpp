// Picture 1: how this service is watched and who gets woken up, drawn from the running config
// and the incident: the service and its checks → vigil → the escalation policy (rules with their
// delays) and the team channels → the engineers paged in this incident. Boxes in four columns,
// arrows between them; the failing check is drawn in red.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "postmortem/chart.h"
#include "postmortem/events.h"
#include "postmortem/svg.h"
#include "postmortem/timefmt.h"

namespace vigil::postmortem {
namespace {

constexpr double kWidth = 960, kTop = 56, kLine = 16, kGap = 12;
constexpr std::size_t kMaxChecks = 10, kMaxRules = 8, kMaxPeople = 8, kMaxChannels = 6;

struct Box {
  double x, y, w, h;
  double mid_y() const { return y + h / 2; }
  double right() const { return x + w; }
};

std::string box(const Box& b, const std::vector<std::string>& lines, std::string_view stroke = "#4a6fa5",
                std::string_view fill = "#f3f6fb") {
  std::string out = fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1.5\"/>\n",
      svg::num(b.x), svg::num(b.y), svg::num(b.w), svg::num(b.h), fill, stroke);
  for (std::size_t i = 0; i < lines.size(); ++i)
    out += svg::text(b.x + 8, b.y + 17 + static_cast<double>(i) * kLine,
                     svg::clip(lines[i], static_cast<std::size_t>(std::max(4.0, (b.w - 14) / (i == 0 ? 7.4 : 6.2)))),
                     "start",
                     i == 0 ? "font-weight=\"bold\" fill=\"#111\"" : "font-size=\"11\" fill=\"#333\"");
  return out;
}

double height_for(std::size_t lines) { return 10 + static_cast<double>(lines) * kLine; }

std::string arrow(double x1, double y1, double x2, double y2, std::string_view label = "") {
  const double len = std::hypot(x2 - x1, y2 - y1);
  if (len < 1) return "";
  const double ux = (x2 - x1) / len, uy = (y2 - y1) / len;
  const double bx = x2 - ux * 8, by = y2 - uy * 8;
  std::string out = fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\" stroke-width=\"1.5\"/>\n",
                                svg::num(x1), svg::num(y1), svg::num(bx), svg::num(by));
  out += fmt::format("<polygon points=\"{},{} {},{} {},{}\" fill=\"#555\"/>\n", svg::num(x2), svg::num(y2),
                     svg::num(bx - uy * 4), svg::num(by + ux * 4), svg::num(bx + uy * 4), svg::num(by - ux * 4));
  if (!label.empty())
    out += svg::text((x1 + x2) / 2, (y1 + y2) / 2 - 5, label, "middle", "font-size=\"10\" fill=\"#666\"");
  return out;
}

std::string check_line(const CheckFacts& c) {
  std::string target = c.target;
  if (c.type == "http") {
    const auto scheme = target.find("://");
    const auto slash = target.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (slash != std::string::npos) target = target.substr(slash);
  }
  return fmt::format("{} · every {}{}", target, human_duration(c.interval),
                     c.failure_threshold > 1 ? fmt::format(" · {} fails", c.failure_threshold) : "");
}

std::string ordinal(std::size_t n) {
  static const char* kSuffix[] = {"th", "st", "nd", "rd"};
  return fmt::format("{}{}", n, n % 100 / 10 == 1 || n % 10 > 3 ? "th" : kSuffix[n % 10]);
}

}  // namespace

std::string system_diagram_svg(const PostmortemFacts& f) {
  const auto& inc = f.incident;
  const CheckFacts* failing = failing_check(f);
  std::string body;

  // Column 1: the service and its checks.
  const double c1 = 16, w1 = 240;
  double y = kTop;
  std::vector<std::string> head = {"service " + inc.service};
  if (!f.service_description.empty()) head.push_back(one_line(f.service_description));
  const Box service{c1, y, w1, height_for(head.size())};
  body += box(service, head);
  y += service.h + kGap;
  std::vector<Box> check_boxes;
  for (std::size_t i = 0; i < f.checks.size() && i < kMaxChecks; ++i) {
    const auto& c = f.checks[i];
    const bool bad = &c == failing;
    const Box b{c1 + 14, y, w1 - 14, height_for(2)};
    body += box(b, {fmt::format("check {} ({}){}", c.name, c.type, bad ? " — failing" : ""), check_line(c)},
                bad ? "#d62728" : "#7a8fa6", bad ? "#fdecec" : "#ffffff");
    check_boxes.push_back(b);
    y += b.h + 6;
  }
  if (f.checks.size() > kMaxChecks)
    body += svg::text(c1 + 14, y + 12, fmt::format("and {} more checks", f.checks.size() - kMaxChecks));
  const double col1_bottom = y;

  // Column 2: vigil.
  const double c2 = 300, w2 = 190;
  const double mid = (kTop + col1_bottom) / 2;
  const Box vigil{c2, mid - height_for(3) / 2, w2, height_for(3)};
  body += box(vigil, {"vigil", "detects, pages, escalates", "evidence, runbooks, reports"}, "#2b7a3d", "#eef8f0");
  for (const auto& b : check_boxes) body += arrow(b.right(), b.mid_y(), vigil.x, vigil.mid_y());
  if (check_boxes.empty()) body += arrow(service.right(), service.mid_y(), vigil.x, vigil.mid_y());

  // Column 3: escalation policy, then the team channels.
  const double c3 = 540, w3 = 240;
  std::vector<std::string> policy;
  const std::string name = f.escalation_policy.empty() ? inc.escalation_policy : f.escalation_policy;
  if (name.empty()) {
    policy = {"no escalation policy", "nobody is paged"};
  } else {
    policy.push_back("escalation policy " + name);
    for (std::size_t i = 0; i < f.policy_rules.size() && i < kMaxRules; ++i) {
      std::string targets;
      for (const auto& t : f.policy_rules[i].targets) targets += (targets.empty() ? "" : ", ") + t;
      policy.push_back(fmt::format("after {} → {}", human_duration(f.policy_rules[i].after), targets));
    }
    if (f.policy_repeat > 0) policy.push_back(fmt::format("repeats {}×", f.policy_repeat));
    if (f.target_acknowledge > Duration{0}) policy.push_back("ack target " + human_duration(f.target_acknowledge));
  }
  double y3 = kTop;
  const Box pol{c3, y3, w3, height_for(policy.size())};
  body += box(pol, policy, name.empty() ? "#d62728" : "#8a5a00", name.empty() ? "#fdecec" : "#fff7e6");
  body += arrow(vigil.right(), vigil.mid_y(), pol.x, pol.mid_y(), "pages");
  y3 += pol.h + 2 * kGap;
  for (std::size_t i = 0; i < f.channels.size() && i < kMaxChannels; ++i) {
    const Box ch{c3, y3, w3, height_for(1)};
    body += box(ch, {"channel " + f.channels[i]}, "#6b4fa5", "#f5f1fb");
    body += arrow(vigil.right(), vigil.mid_y(), ch.x, ch.mid_y(), i == 0 ? "notifies" : "");
    y3 += ch.h + 6;
  }

  // Column 4: the people paged in this incident.
  const double c4 = 820, w4 = kWidth - c4 - 16;
  double y4 = kTop;
  if (f.paged.empty()) {
    const Box nobody{c4, y4, w4, height_for(1)};
    body += box(nobody, {"nobody paged"}, "#999", "#f7f7f7");
    y4 += nobody.h;
  }
  for (std::size_t i = 0; i < f.paged.size() && i < kMaxPeople; ++i) {
    const Box p{c4, y4, w4, height_for(2)};
    body += box(p, {f.paged[i].name.empty() ? f.paged[i].id : f.paged[i].name, fmt::format("paged {}", ordinal(i + 1))},
                "#444", "#ffffff");
    body += arrow(pol.right(), pol.mid_y(), p.x, p.mid_y());
    y4 += p.h + 6;
  }

  const double bottom = std::max({col1_bottom, vigil.y + vigil.h, y3, y4}) + 16;
  const std::string title = fmt::format("How {} is watched and who was paged (incident #{})", inc.service, inc.id);
  std::string out = svg::open(static_cast<int>(kWidth), static_cast<int>(bottom), title);
  out += svg::text(16, 28, title, "start", "font-size=\"15\" font-weight=\"bold\" fill=\"#111\"");
  return out + body + svg::close();
}

}  // namespace vigil::postmortem
