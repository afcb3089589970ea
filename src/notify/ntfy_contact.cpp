// ntfy (https://docs.ntfy.sh/publish/): a plain-text POST to the topic URL; title, priority,
// tags, click target and action buttons travel as headers.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "net/http_client.h"
#include "notify/contact_kinds.h"
#include "notify/contact_render.h"

namespace vigil::notify {
namespace {

// ntfy turns longer messages into attachments.
constexpr std::size_t kBody = 4000;

std::string_view tag_of(const PayloadView& v) {
  if (v.event == "resolved") return "white_check_mark";
  if (v.event == "acknowledged") return "eyes";
  if (v.event == "note") return "memo";
  if (v.handoff) return "calendar";
  if (v.severity == "critical" || v.severity.empty()) return "rotating_light";
  return "warning";
}

// A value in ntfy's simple action format: commas and semicolons separate fields and actions,
// so a value holding one is quoted (ntfy's parser reads "..." with \" escapes).
std::string action_value(std::string_view s) {
  if (s.find_first_of(",;\"'") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

class NtfyChannel final : public Channel {
 public:
  NtfyChannel(std::string url, net::HttpClient& http, Duration timeout)
      : url_(std::move(url)), http_(http), timeout_(timeout) {}

  void deliver(const incident::OutboxMessage& message, std::function<void(Status)> done) override {
    auto payload = parse_payload(message.payload);
    if (!payload.ok()) return done(payload.error());
    NtfyMessage m = ntfy_message(*payload);
    auto req = contact_post(url_, message, std::move(m.body), "text/plain; charset=utf-8", timeout_);
    for (auto& h : m.headers) req.headers.push_back(std::move(h));
    send_contact_request(
        http_, std::move(req),
        [what = "ntfy " + redact_url(url_)](const probe::CheckResult& r) { return http_outcome(r, what); },
        std::move(done));
  }

 private:
  std::string url_;
  net::HttpClient& http_;
  Duration timeout_;
};

}  // namespace

NtfyMessage ntfy_message(const boost::json::object& payload) {
  const PayloadView v = view_of(payload);
  NtfyMessage m;

  std::string body = (v.entry_text.empty() ? v.title : v.entry_text) + "\n" + entry_sentence(v);
  std::vector<std::string> facts;
  if (!v.service.empty()) facts.push_back("service " + v.service);
  if (!v.check.empty()) facts.push_back("check " + v.check);
  if (!v.severity.empty()) facts.push_back("severity " + v.severity);
  if (!facts.empty()) body += fmt::format("\n{}", fmt::join(facts, " · "));
  if (const auto paged = paged_text(v); !paged.empty()) body += "\nPaged " + paged;
  m.body = truncate_utf8(body, kBody);

  // Header values: one line each (no header injection from a title), non-ASCII as RFC 2047.
  m.headers.emplace_back("Title", rfc2047(one_line(headline(v))));
  // A low-urgency incident must not ring through a phone's do-not-disturb (ntfy's 5 does).
  m.headers.emplace_back("Priority", is_alerting(v) && v.severity == "critical" && v.urgency != "low" ? "5" : "3");
  std::string tags(tag_of(v));
  if (!v.service.empty()) {
    std::string service = one_line(v.service);
    for (char& c : service) {
      if (c == ',') c = ' ';
    }
    tags += "," + rfc2047(service);
  }
  m.headers.emplace_back("Tags", tags);
  if (!v.url.empty()) m.headers.emplace_back("Click", one_line(v.url));
  std::vector<std::string> actions;
  for (const auto& l : action_links(v))
    actions.push_back(fmt::format("view, {}, {}", l.label, action_value(one_line(l.url))));
  if (!actions.empty()) m.headers.emplace_back("Actions", fmt::format("{}", fmt::join(actions, "; ")));
  return m;
}

std::unique_ptr<Channel> make_ntfy_contact(const ContactContext& ctx) {
  if (ctx.contact.url.empty()) return make_failing_channel("ntfy contact has no topic url");
  return std::make_unique<NtfyChannel>(ctx.contact.url, ctx.http, ctx.options.http_timeout);
}

}  // namespace vigil::notify
