// PagerDuty forward (Events API v2, https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
// a person who lives in PagerDuty is paged by raising an alert on their PagerDuty service.
// One vigil incident is one PagerDuty alert: dedup_key "vigil-<incident id>", so the
// acknowledge and resolve that follow land on the same alert.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "net/http_client.h"
#include "notify/contact_kinds.h"
#include "notify/contact_render.h"

namespace vigil::notify {
namespace {

namespace json = boost::json;

constexpr const char* kDefaultUrl = "https://events.pagerduty.com/v2/enqueue";
constexpr std::size_t kSummary = 1024;  // PagerDuty truncates longer summaries

std::string_view action_of(const PayloadView& v) {
  if (v.event == "triggered" || v.event == "page") return "trigger";
  if (v.event == "acknowledged") return "acknowledge";
  if (v.event == "resolved") return "resolve";
  return {};  // note: the Events API has nothing to add a note to an alert
}

std::string_view severity_of(const std::string& s) {
  if (s == "critical" || s == "error" || s == "warning" || s == "info") return s;
  return "critical";
}

// 202 is success. 400 is a broken event or routing key: it stays an error (the outbox keeps
// retrying, so fixing the key on a reload delivers it) but says plainly it will not pass as is.
Status pagerduty_outcome(const probe::CheckResult& r, const std::string& what) {
  Status st = http_outcome(r, what);
  if (st.ok() || !r.reachable) return st;
  if (r.status == 400) return Error{"pagerduty rejected the event (check the routing key): " + st.error().message};
  if (r.status == 429 || r.status >= 500) return Error{st.error().message + " (will retry)"};
  return st;
}

class PagerDutyChannel final : public Channel {
 public:
  PagerDutyChannel(std::string url, std::string routing_key, net::HttpClient& http, Duration timeout)
      : url_(std::move(url)), routing_key_(std::move(routing_key)), http_(http), timeout_(timeout) {}

  void deliver(const incident::OutboxMessage& message, std::function<void(Status)> done) override {
    auto payload = parse_payload(message.payload);
    if (!payload.ok()) return done(payload.error());
    auto body = pagerduty_body(*payload, routing_key_);
    if (!body) return done(Status::Ok());  // nothing PagerDuty can take: done, not retried
    auto req = contact_post(url_, message, std::move(*body), "application/json", timeout_);
    send_contact_request(
        http_, std::move(req),
        [what = "pagerduty " + redact_url(url_)](const probe::CheckResult& r) { return pagerduty_outcome(r, what); },
        std::move(done));
  }

 private:
  std::string url_;
  std::string routing_key_;
  net::HttpClient& http_;
  Duration timeout_;
};

}  // namespace

std::optional<std::string> pagerduty_body(const json::object& payload, const std::string& routing_key) {
  const PayloadView v = view_of(payload);
  const std::string_view action = action_of(v);
  if (action.empty()) return std::nullopt;

  json::object details;
  details["incident"] = v.incident_id;
  if (!v.service.empty()) details["service"] = v.service;
  if (!v.check.empty()) details["check"] = v.check;
  if (!v.status.empty()) details["status"] = v.status;
  if (!v.entry_text.empty()) details["detail"] = v.entry_text;
  if (!v.entry_actor.empty()) details["actor"] = v.entry_actor;
  if (v.page) {
    details["paged_user"] = v.page->user;
    details["escalation_level"] = v.page->rule;
    details["escalation_round"] = v.page->round;
  }
  if (!v.url.empty()) details["vigil_url"] = v.url;

  json::object pd_payload;
  pd_payload["summary"] = truncate_utf8(one_line(v.title.empty() ? headline(v) : v.title), kSummary);
  pd_payload["source"] = "vigil";
  pd_payload["severity"] = severity_of(v.severity);
  if (!v.entry_at.empty()) pd_payload["timestamp"] = v.entry_at;
  if (!v.service.empty()) pd_payload["group"] = v.service;
  if (!v.check.empty()) pd_payload["component"] = v.check;
  pd_payload["custom_details"] = std::move(details);

  json::array links;
  if (!v.url.empty())
    links.push_back(json::object{{"href", v.url}, {"text", fmt::format("vigil incident #{}", v.incident_id)}});
  for (const auto& l : action_links(v)) {
    links.push_back(json::object{{"href", l.url}, {"text", l.label + " in vigil"}});
  }

  json::object event;
  event["routing_key"] = routing_key;
  event["event_action"] = action;
  event["dedup_key"] = fmt::format("vigil-{}", v.incident_id);
  event["payload"] = std::move(pd_payload);
  event["client"] = "vigil";
  if (!v.url.empty()) event["client_url"] = v.url;
  event["links"] = std::move(links);
  return json::serialize(event);
}

std::unique_ptr<Channel> make_pagerduty_contact(const ContactContext& ctx) {
  if (ctx.contact.routing_key.empty()) return make_failing_channel("pagerduty contact has no routing_key");
  return std::make_unique<PagerDutyChannel>(ctx.contact.url.empty() ? kDefaultUrl : ctx.contact.url,
                                            ctx.contact.routing_key, ctx.http, ctx.options.http_timeout);
}

}  // namespace vigil::notify
