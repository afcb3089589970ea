#include "demo/speed.h"

#include <cmath>
#include <fmt/format.h>

namespace vigil::demo {

Status check_speed(double speed) {
  if (!std::isfinite(speed) || speed < kMinSpeed || speed > kMaxSpeed)
    return Error{fmt::format("must be between {} and {}", kMinSpeed, kMaxSpeed), "--speed"};
  return Status::Ok();
}

Duration scaled(Duration d, double speed, Duration floor) {
  if (d <= Duration{0}) return d;
  const auto ms = static_cast<Duration::rep>(std::llround(static_cast<double>(d.count()) / speed));
  return std::max(Duration{ms}, std::min(d, floor));
}

void scale_config(config::Config& cfg, double speed) {
  if (speed == 1) return;
  auto s = [speed](Duration& d, Duration floor = Duration{0}) { d = scaled(d, speed, floor); };
  s(cfg.defaults.interval, kMinInterval);
  s(cfg.defaults.timeout, kMinTimeout);
  for (auto& svc : cfg.services) {
    for (auto& c : svc.checks) {
      s(c.interval, kMinInterval);
      s(c.timeout, kMinTimeout);
      s(c.window, kMinInterval);
    }
    for (auto& rb : svc.runbooks) {
      s(rb.cooldown);
      s(rb.flap_window);
    }
  }
  for (auto& p : cfg.escalation_policies) {
    for (auto& r : p.rules) s(r.after);
    s(p.ack_timeout);
    s(p.target_acknowledge);
    s(p.target_resolve);
  }
}

}  // namespace vigil::demo
