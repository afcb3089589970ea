// Microsoft Teams incoming webhook (Office 365 connector): a legacy actionable MessageCard
// with OpenUri actions for the acknowledge/resolve links.
#include <boost/json.hpp>
#include "common/escape.h"
#include <fmt/format.h>

#include "net/http_client.h"
#include "notify/contact_kinds.h"
#include "notify/contact_render.h"

namespace vigil::notify {
namespace {

namespace json = boost::json;

// Teams refuses cards over 28 KB; the text is the only part that can grow.
constexpr std::size_t kText = 16 * 1024;

// Card text is rendered as (a subset of) HTML and markdown: keep data from becoming markup.

json::object open_uri(std::string_view name, const std::string& uri) {
  return {
      {"@type", "OpenUri"}, {"name", name}, {"targets", json::array{json::object{{"os", "default"}, {"uri", uri}}}}};
}

// The connector answers 200 even when Teams refused the card (throttled, too large, channel
// gone), with the real error in the body (MicrosoftDocs/msteams-docs#1810, #7425).
Status teams_outcome(const probe::CheckResult& r, const std::string& what) {
  Status st = http_outcome(r, what);
  if (!st.ok()) return st;
  if (r.body.find("delivery failed") != std::string::npos || r.body.find("HTTP error") != std::string::npos) {
    return Error{fmt::format("{} answered HTTP {} but refused the card: {}", what, r.status,
                             one_line(truncate_utf8(r.body, 200)))};
  }
  return st;
}


}  // namespace

std::string msteams_body(const json::object& payload) {
  const PayloadView v = view_of(payload);
  const std::string head = headline(v);

  std::string text;
  if (!v.entry_text.empty()) text += escape_markup(v.entry_text) + "\n\n";
  text += escape_markup(entry_sentence(v));

  json::array facts;
  auto fact = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) facts.push_back(json::object{{"name", name}, {"value", escape_markup(value)}});
  };
  fact("Service", v.service);
  fact("Check", v.check);
  fact("Severity", v.severity);
  fact("Status", v.status);
  fact("Paged", paged_text(v));

  json::array actions;
  for (const auto& l : action_links(v)) actions.push_back(open_uri(l.label, l.url));
  if (!v.url.empty()) actions.push_back(open_uri(v.handoff ? "Open on-call" : "Open incident", v.url));

  json::object card;
  card["@type"] = "MessageCard";
  card["@context"] = "https://schema.org/extensions";
  card["summary"] = head;
  card["themeColor"] = fmt::format("{:06X}", color_of(v));
  card["title"] = escape_markup(head);
  card["text"] = truncate_utf8(text, kText);
  card["sections"] = json::array{json::object{{"facts", std::move(facts)}}};
  if (!actions.empty()) card["potentialAction"] = std::move(actions);
  return json::serialize(card);
}

std::unique_ptr<Channel> make_msteams_contact(const ContactContext& ctx) {
  if (ctx.contact.url.empty()) return make_failing_channel("msteams contact has no url");
  return make_json_post_contact(ctx, "msteams", msteams_body, teams_outcome);
}

}  // namespace vigil::notify
