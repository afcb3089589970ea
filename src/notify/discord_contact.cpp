// Discord webhook (https://discord.com/developers/docs/resources/webhook#execute-webhook): one
// embed coloured by severity/event. Plain webhooks cannot carry buttons, so the acknowledge
// and resolve links are markdown links in the description.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "net/http_client.h"
#include "notify/contact_kinds.h"
#include "notify/contact_render.h"

namespace vigil::notify {
namespace {

namespace json = boost::json;

// Discord limits: content 2000, embed title 256, description 4096, field value 1024.
constexpr std::size_t kContent = 2000;
constexpr std::size_t kTitle = 256;
constexpr std::size_t kDescription = 4096;
constexpr std::size_t kFieldValue = 1024;

bool plain_url(const std::string& url) {
  return (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) &&
         url.find_first_of(" ()<>") == std::string::npos;
}


}  // namespace

std::string discord_body(const json::object& payload) {
  const PayloadView v = view_of(payload);
  const std::string head = headline(v);

  std::string description;
  if (!v.entry_text.empty()) description += v.entry_text + "\n";
  description += entry_sentence(v);
  std::vector<std::string> links;
  for (const auto& l : action_links(v)) {
    if (plain_url(l.url)) links.push_back(fmt::format("[{}]({})", l.label, l.url));
  }
  if (!links.empty()) description += fmt::format("\n\n**{}**", fmt::join(links, "  ·  "));

  json::array fields;
  auto field = [&](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    fields.push_back(json::object{{"name", name}, {"value", truncate_utf8(value, kFieldValue)}, {"inline", true}});
  };
  field("Service", v.service);
  field("Check", v.check);
  field("Severity", v.severity);
  field("Status", v.status);
  field("Paged", paged_text(v));

  json::object embed;
  embed["title"] = truncate_utf8(head, kTitle);
  embed["description"] = truncate_utf8(description, kDescription);
  if (plain_url(v.url)) embed["url"] = v.url;  // Discord rejects the message for a bad url
  embed["color"] = color_of(v);
  embed["fields"] = std::move(fields);
  if (!v.entry_at.empty()) embed["timestamp"] = v.entry_at;
  embed["footer"] = json::object{{"text", "vigil"}};

  json::object body;
  body["content"] = truncate_utf8(head, kContent);
  body["embeds"] = json::array{std::move(embed)};
  // Titles and texts come from checks and alerts: never let them ping @everyone or a role.
  body["allowed_mentions"] = json::object{{"parse", json::array{}}};
  return json::serialize(body);
}

std::unique_ptr<Channel> make_discord_contact(const ContactContext& ctx) {
  if (ctx.contact.url.empty()) return make_failing_channel("discord contact has no url");
  return make_json_post_contact(ctx, "discord", discord_body);
}

}  // namespace vigil::notify
