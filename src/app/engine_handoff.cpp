// The engine's hand-off notifications: when a shift of a user who asked for them starts, every
// contact method of theirs is told (PagerDuty's "you are on call"). oncall::plan_handoffs says
// what started since the last look; the messages and the new watermark are stored in one
// transaction before they are sent, so a restart neither repeats nor loses one.
#include <charconv>

#include "app/engine_impl.h"

namespace vigil::app {

Status Engine::Impl::load_handoff_watermark(Time now) {
  auto stored = store->get_meta(kHandoffMeta);
  if (!stored.ok()) return stored.error();
  handoff_since = now;  // first start: shifts that began before vigil ran are nobody's news
  if (const auto& text = stored.value()) {
    std::int64_t ms = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), ms);
    if (ec == std::errc() && end == text->data() + text->size() && ms <= now.time_since_epoch().count())
      handoff_since = Time{Duration{ms}};
  }
  return {};
}

void Engine::Impl::look_for_handoffs() {
  if (stopped || !paging) return;
  if (handoff_running) {
    handoff_again = true;
    return;
  }
  handoff_timer.cancel();
  const Time now = now_ms();
  const auto plan = oncall::plan_handoffs(paging->schedules(), handoff_since, now);
  std::vector<incident::OutboxMessage> messages;
  for (const auto& h : plan.due) {
    auto made = paging->handoff_messages(h, now);
    spdlog::info("hand-off: {} on call in {} from {}{}", h.shift.user, h.schedule, format_rfc3339(h.shift.start),
                 made.empty() ? " (no hand-off notifications for this user)" : "");
    for (auto& m : made) {
      m.claimed_until = now + kDirectSendLease;
      messages.push_back(std::move(m));
    }
  }
  handoff_running = true;
  worker->post([self = shared_from_this(), messages = std::move(messages), now, next = plan.next_wake]() mutable {
    Status st = self->store->enqueue_outbox(messages, kHandoffMeta, std::to_string(now.time_since_epoch().count()));
    asio::post(self->io, [self, st, messages = std::move(messages), now, next] {
      self->handoff_running = false;
      if (self->stopped) return;
      Time wake = next;
      if (st.ok()) {
        self->handoff_since = now;
        if (!messages.empty() && self->notifier) self->notifier->deliver_now(messages);
      } else {
        spdlog::error("hand-offs up to {} not saved, trying again in 30s: {}", format_rfc3339(now),
                      st.error().message);
        wake = now_ms() + std::chrono::seconds(30);
      }
      if (std::exchange(self->handoff_again, false)) return self->look_for_handoffs();
      self->handoff_timer.expires_after(std::max(Duration{0}, wake - now_ms()));
      self->handoff_timer.async_wait([w = self->weak_from_this()](boost::system::error_code ec) {
        if (auto self = w.lock(); self && !ec) self->look_for_handoffs();
      });
    });
  });
}

}  // namespace vigil::app
