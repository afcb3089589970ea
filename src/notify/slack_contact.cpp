// Slack incoming webhook (https://api.slack.com/messaging/webhooks): Block Kit message with
// the incident as a section and url buttons for the signed acknowledge/resolve links.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "net/http_client.h"
#include "notify/contact_kinds.h"
#include "notify/contact_render.h"

namespace vigil::notify {
namespace {

namespace json = boost::json;

// Block Kit limits: section text 3000 characters, context element 2000, button url 3000.
constexpr std::size_t kSectionText = 3000;
constexpr std::size_t kContextText = 2000;
constexpr std::size_t kButtonUrl = 3000;

// mrkdwn treats &, < and > as control characters (links, mentions): escape them in data.
std::string mrkdwn_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view emoji(const PayloadView& v) {
  if (v.event == "resolved") return ":large_green_circle:";
  if (v.event == "acknowledged") return ":large_yellow_circle:";
  if (v.event == "note") return ":memo:";
  if (v.handoff) return ":calendar:";
  return ":red_circle:";
}

json::object mrkdwn(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }


}  // namespace

std::string slack_body(const json::object& payload) {
  const PayloadView v = view_of(payload);
  const std::string head = headline(v);
  std::string title = mrkdwn_escape(head);
  // A link label ends at '|' or '>': keep the headline a label only when the url is plain.
  if (!v.url.empty() && v.url.find_first_of("|<> ") == std::string::npos) title = fmt::format("<{}|{}>", v.url, title);
  std::string section = fmt::format("{} *{}*", emoji(v), title);
  if (!v.entry_text.empty()) section += "\n" + mrkdwn_escape(v.entry_text);

  std::vector<std::string> facts;
  if (!v.service.empty()) facts.push_back("Service *" + mrkdwn_escape(v.service) + "*");
  if (!v.check.empty()) facts.push_back("Check *" + mrkdwn_escape(v.check) + "*");
  if (!v.severity.empty()) facts.push_back("Severity *" + mrkdwn_escape(v.severity) + "*");
  if (const auto paged = paged_text(v); !paged.empty()) facts.push_back("Paged " + mrkdwn_escape(paged));
  facts.push_back(mrkdwn_escape(entry_sentence(v)));

  json::array blocks;
  blocks.push_back(json::object{{"type", "section"}, {"text", mrkdwn(truncate_utf8(section, kSectionText))}});
  blocks.push_back(json::object{
      {"type", "context"},
      {"elements", json::array{mrkdwn(truncate_utf8(fmt::format("{}", fmt::join(facts, "  ·  ")), kContextText))}}});

  json::array buttons;
  for (const auto& link : action_links(v)) {
    if (link.url.size() > kButtonUrl) continue;  // Slack would reject the whole message
    json::object b{{"type", "button"},
                   {"text", json::object{{"type", "plain_text"}, {"text", link.label}}},
                   {"url", link.url},
                   {"action_id", link.label == "Acknowledge" ? "vigil-acknowledge" : "vigil-resolve"}};
    if (link.label == "Acknowledge") b["style"] = "primary";
    buttons.push_back(std::move(b));
  }
  if (!buttons.empty()) blocks.push_back(json::object{{"type", "actions"}, {"elements", std::move(buttons)}});

  json::object body;
  body["text"] = head;  // the notification and screen-reader fallback
  body["blocks"] = std::move(blocks);
  return json::serialize(body);
}

std::unique_ptr<Channel> make_slack_contact(const ContactContext& ctx) {
  if (ctx.contact.url.empty()) return make_failing_channel("slack contact has no url");
  return make_json_post_contact(ctx, "slack", slack_body);
}

}  // namespace vigil::notify
