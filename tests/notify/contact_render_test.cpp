// The pure half of the contact adapters: each body from a payload, no network.
#include "notify/contact_render.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "notify/contact.h"
#include "notify/payload.h"

namespace vigil::notify {
namespace {

namespace json = boost::json;

constexpr const char* kAck = "http://vigil.example/a/ack-token.sig";
constexpr const char* kResolve = "http://vigil.example/a/resolve-token.sig";

// A real payload (payload.cpp) for incident #12, optionally turned into a page the way the
// engine does it: event "page", plus "page" and "links".
json::object payload(const std::string& kind = "triggered", bool page = false, const std::string& severity = "critical",
                     const std::string& title = "webserver-01/login: status 500",
                     const std::string& external_url = "http://vigil.example") {
  incident::Incident inc;
  inc.id = 12;
  inc.service = "webserver-01";
  inc.check = "login";
  inc.title = title;
  inc.severity = severity;
  inc.started_at = parse_rfc3339("2024-08-18T10:14:30Z").value();
  inc.detected_at = parse_rfc3339("2024-08-18T10:15:00Z").value();
  std::string actor = "check:login";
  std::string text = "status 500, expected 200";
  if (kind == "acknowledged") {
    inc.status = incident::Status::acknowledged;
    inc.acknowledged_at = parse_rfc3339("2024-08-18T10:20:00Z").value();
    actor = "alice";
    text = "";
  } else if (kind == "resolved" || kind == "auto_resolved") {
    inc.status = incident::Status::resolved;
    inc.resolved_at = parse_rfc3339("2024-08-18T10:40:00Z").value();
    inc.resolved_by = kind == "auto_resolved" ? "auto" : "alice";
    actor = kind == "auto_resolved" ? "vigil" : "alice";
    text = "";
  } else if (kind == "note") {
    actor = "bob";
    text = "restarting apache2";
  }
  incident::TimelineEntry e{1, parse_rfc3339("2024-08-18T10:15:00Z").value(), kind, actor, text};
  auto out = outbox_for(inc, {e}, {"user:alice:0"}, external_url, e.at);
  json::object o = json::parse(out.at(0).payload).as_object();
  if (page) {
    o["event"] = "page";
    o["page"] = json::object{{"user", "alice"}, {"name", "Alice"}, {"rule", 1}, {"round", 0}, {"target", "user:alice"}};
    o["links"] = json::object{{"acknowledge", kAck}, {"resolve", kResolve}};
  }
  return o;
}

json::object parse_obj(const std::string& s) { return json::parse(s).as_object(); }

// ---- shared vocabulary -----------------------------------------------------------------

TEST(ContactRender, HeadlineAndLinksFollowTheIncidentState) {
  EXPECT_EQ(headline(view_of(payload())), "#12 triggered: webserver-01/login: status 500");
  EXPECT_EQ(headline(view_of(payload("triggered", true))), "#12 triggered: webserver-01/login: status 500");
  EXPECT_EQ(headline(view_of(payload("resolved"))), "#12 resolved: webserver-01/login: status 500");

  auto links = action_links(view_of(payload("triggered", true)));
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].label, "Acknowledge");
  EXPECT_EQ(links[0].url, kAck);
  EXPECT_EQ(links[1].label, "Resolve");
  EXPECT_TRUE(action_links(view_of(payload())).empty()) << "no links in the payload, no buttons";

  // An acknowledged incident re-paged (ack timeout): only Resolve still makes sense.
  auto acked = payload("acknowledged", true);
  links = action_links(view_of(acked));
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].label, "Resolve");
  EXPECT_EQ(headline(view_of(acked)), "#12 acknowledged, still open: webserver-01/login: status 500");
  EXPECT_TRUE(action_links(view_of(payload("resolved", true))).empty());
  EXPECT_EQ(paged_text(view_of(payload("triggered", true))), "Alice (escalation level 1)");
}

TEST(ContactRender, HelpersAreSafeForHeadersAndLimits) {
  EXPECT_EQ(one_line("a\r\nb\tc"), "a  b c");
  EXPECT_EQ(truncate_utf8("hello", 10), "hello");
  // "é" is 2 bytes: the cut never splits it.
  const std::string cut = truncate_utf8("aé" + std::string(20, 'x'), 5);
  EXPECT_LE(cut.size(), 5u);
  EXPECT_EQ(cut, "a\xE2\x80\xA6");
  EXPECT_EQ(rfc2047("plain ascii"), "plain ascii");
  EXPECT_EQ(rfc2047("d\xC3\xA9j\xC3\xA0"), "=?UTF-8?B?ZMOpasOg?=");
  // Long text: several encoded words of at most 75 characters each.
  const std::string long_text = [] {
    std::string s;
    for (int i = 0; i < 40; ++i) s += "\xC3\xA9";  // é × 40 = 80 bytes
    return s;
  }();
  const std::string enc = rfc2047(long_text, " ");
  std::size_t words = 0;
  for (std::size_t pos = 0; pos < enc.size();) {
    const auto end = std::min(enc.find(' ', pos), enc.size());
    EXPECT_LE(end - pos, 75u);
    ++words;
    pos = end + 1;
  }
  EXPECT_GE(words, 2u);

  EXPECT_EQ(redact_url("https://hooks.slack.com/services/T000/B000/XXXX"), "https://hooks.slack.com/\xE2\x80\xA6");
  EXPECT_EQ(redact_url("https://user:pw@ntfy.example:8443/topic"), "https://ntfy.example:8443/\xE2\x80\xA6");
  EXPECT_EQ(redact_url("http://127.0.0.1:9000"), "http://127.0.0.1:9000");
  EXPECT_EQ(mailbox_address("Vigil <vigil@example.com>"), "vigil@example.com");
  EXPECT_EQ(mailbox_address("  alice@example.com "), "alice@example.com");
}

TEST(ContactRender, KnownTypes) {
  for (const char* t : {"webhook", "slack", "discord", "msteams", "ntfy", "pagerduty", "email", "command"}) {
    EXPECT_TRUE(known_contact_type(t)) << t;
  }
  EXPECT_FALSE(known_contact_type("sms"));
}

// ---- slack -------------------------------------------------------------------------------

TEST(SlackBody, SectionAndButtons) {
  const auto b = parse_obj(slack_body(payload("triggered", true)));
  EXPECT_EQ(b.at("text").as_string(), "#12 triggered: webserver-01/login: status 500");
  const auto& blocks = b.at("blocks").as_array();
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].at("type").as_string(), "section");
  EXPECT_EQ(blocks[0].at("text").at("type").as_string(), "mrkdwn");
  const std::string section(blocks[0].at("text").at("text").as_string());
  EXPECT_NE(section.find("<http://vigil.example/api/v1/incidents/12|#12 triggered: webserver-01/login: status 500>"),
            std::string::npos)
      << section;
  EXPECT_NE(section.find("status 500, expected 200"), std::string::npos);
  EXPECT_EQ(blocks[1].at("type").as_string(), "context");
  EXPECT_NE(std::string(blocks[1].at("elements").at(0).at("text").as_string()).find("Paged Alice"), std::string::npos);

  EXPECT_EQ(blocks[2].at("type").as_string(), "actions");
  const auto& buttons = blocks[2].at("elements").as_array();
  ASSERT_EQ(buttons.size(), 2u);
  EXPECT_EQ(buttons[0].at("type").as_string(), "button");
  EXPECT_EQ(buttons[0].at("text").at("type").as_string(), "plain_text");
  EXPECT_EQ(buttons[0].at("text").at("text").as_string(), "Acknowledge");
  EXPECT_EQ(buttons[0].at("url").as_string(), kAck);
  EXPECT_EQ(buttons[0].at("style").as_string(), "primary");
  EXPECT_EQ(buttons[1].at("text").at("text").as_string(), "Resolve");
  EXPECT_EQ(buttons[1].at("url").as_string(), kResolve);
  EXPECT_NE(buttons[0].at("action_id"), buttons[1].at("action_id"));
}

TEST(SlackBody, NoLinksNoActionsAndMarkupIsEscaped) {
  const auto b = parse_obj(slack_body(payload("triggered", false, "critical", "<!channel> a & b")));
  const auto& blocks = b.at("blocks").as_array();
  ASSERT_EQ(blocks.size(), 2u) << "no actions block without links";
  const std::string section(blocks[0].at("text").at("text").as_string());
  EXPECT_NE(section.find("&lt;!channel&gt; a &amp; b"), std::string::npos) << section;
  EXPECT_EQ(section.find("<!channel>"), std::string::npos) << "a title must not ping the channel";

  const auto resolved = parse_obj(slack_body(payload("resolved", true)));
  EXPECT_EQ(resolved.at("blocks").as_array().size(), 2u) << "a resolved incident has nothing to click";
}

// ---- discord -----------------------------------------------------------------------------

TEST(DiscordBody, EmbedWithColourAndLinks) {
  const auto b = parse_obj(discord_body(payload("triggered", true)));
  EXPECT_EQ(b.at("content").as_string(), "#12 triggered: webserver-01/login: status 500");
  const auto& e = b.at("embeds").at(0).as_object();
  EXPECT_EQ(e.at("title").as_string(), "#12 triggered: webserver-01/login: status 500");
  EXPECT_EQ(e.at("url").as_string(), "http://vigil.example/api/v1/incidents/12");
  EXPECT_EQ(e.at("color").to_number<std::int64_t>(), 0xD50000);
  const std::string desc(e.at("description").as_string());
  EXPECT_NE(desc.find("status 500, expected 200"), std::string::npos);
  EXPECT_NE(desc.find(std::string("[Acknowledge](") + kAck + ")"), std::string::npos) << desc;
  EXPECT_NE(desc.find(std::string("[Resolve](") + kResolve + ")"), std::string::npos) << desc;
  EXPECT_EQ(e.at("timestamp").as_string(), "2024-08-18T10:15:00.000Z");
  EXPECT_TRUE(b.at("allowed_mentions").at("parse").as_array().empty());
}

TEST(DiscordBody, ColourBySeverityAndEventAndNoUrlWhenUnknown) {
  auto color = [](const json::object& p) {
    return parse_obj(discord_body(p)).at("embeds").at(0).at("color").to_number<std::int64_t>();
  };
  EXPECT_EQ(color(payload("triggered", false, "warning")), 0xFFA000);
  EXPECT_EQ(color(payload("triggered", false, "info")), 0x1E88E5);
  EXPECT_EQ(color(payload("acknowledged")), 0xECB22E);
  EXPECT_EQ(color(payload("resolved")), 0x2EB67D);
  const auto b = parse_obj(discord_body(payload("triggered", false, "critical", "t", "")));
  EXPECT_FALSE(b.at("embeds").at(0).as_object().contains("url")) << "no external_url: no url (Discord rejects null)";
}

// ---- msteams -----------------------------------------------------------------------------

TEST(TeamsBody, MessageCardWithOpenUriActions) {
  const auto c = parse_obj(msteams_body(payload("triggered", true)));
  EXPECT_EQ(c.at("@type").as_string(), "MessageCard");
  EXPECT_EQ(c.at("@context").as_string(), "https://schema.org/extensions");
  EXPECT_EQ(c.at("summary").as_string(), "#12 triggered: webserver-01/login: status 500");
  EXPECT_EQ(c.at("title").as_string(), "#12 triggered: webserver-01/login: status 500");
  EXPECT_EQ(c.at("themeColor").as_string(), "D50000");
  EXPECT_NE(std::string(c.at("text").as_string()).find("status 500, expected 200"), std::string::npos);
  const auto& actions = c.at("potentialAction").as_array();
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[0].at("@type").as_string(), "OpenUri");
  EXPECT_EQ(actions[0].at("name").as_string(), "Acknowledge");
  EXPECT_EQ(actions[0].at("targets").at(0).at("os").as_string(), "default");
  EXPECT_EQ(actions[0].at("targets").at(0).at("uri").as_string(), kAck);
  EXPECT_EQ(actions[1].at("name").as_string(), "Resolve");
  EXPECT_EQ(actions[1].at("targets").at(0).at("uri").as_string(), kResolve);
  EXPECT_EQ(actions[2].at("name").as_string(), "Open incident");
  EXPECT_EQ(parse_obj(msteams_body(payload("resolved"))).at("themeColor").as_string(), "2EB67D");
}

// ---- ntfy --------------------------------------------------------------------------------

std::string header(const NtfyMessage& m, const std::string& name) {
  for (const auto& [k, v] : m.headers) {
    if (k == name) return v;
  }
  return "(absent)";
}

TEST(NtfyMessage, HeadersForACriticalPage) {
  const auto m = ntfy_message(payload("triggered", true));
  EXPECT_EQ(header(m, "Title"), "#12 triggered: webserver-01/login: status 500");
  EXPECT_EQ(header(m, "Priority"), "5");
  EXPECT_EQ(header(m, "Tags"), "rotating_light,webserver-01");
  EXPECT_EQ(header(m, "Click"), "http://vigil.example/api/v1/incidents/12");
  EXPECT_EQ(header(m, "Actions"), std::string("view, Acknowledge, ") + kAck + "; view, Resolve, " + kResolve);
  EXPECT_NE(m.body.find("status 500, expected 200"), std::string::npos);
  EXPECT_NE(m.body.find("Paged Alice"), std::string::npos);
}

TEST(NtfyMessage, PriorityTagsAndAbsentLinks) {
  EXPECT_EQ(header(ntfy_message(payload("triggered", false, "warning")), "Priority"), "3");
  EXPECT_EQ(header(ntfy_message(payload("triggered", false, "warning")), "Tags"), "warning,webserver-01");
  const auto resolved = ntfy_message(payload("resolved"));
  EXPECT_EQ(header(resolved, "Priority"), "3");
  EXPECT_EQ(header(resolved, "Tags"), "white_check_mark,webserver-01");
  EXPECT_EQ(header(resolved, "Actions"), "(absent)");
  EXPECT_EQ(header(ntfy_message(payload("triggered", false, "critical", "t", "")), "Click"), "(absent)");
}

TEST(NtfyMessage, HeaderValuesAreOneLineAndAscii) {
  const auto m = ntfy_message(payload("triggered", false, "critical", "caf\xC3\xA9 down\r\nInjected: yes"));
  for (const auto& [k, v] : m.headers) {
    EXPECT_EQ(v.find_first_of("\r\n"), std::string::npos) << k;
    for (char c : v) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << k;
  }
  EXPECT_EQ(header(m, "Title").rfind("=?UTF-8?B?", 0), 0u);
}

TEST(NtfyMessage, UrlsWithSeparatorsAreQuoted) {
  auto p = payload("triggered", true);
  p["links"].as_object()["acknowledge"] = "http://v/a?x=1,2";
  EXPECT_EQ(header(ntfy_message(p), "Actions"),
            std::string("view, Acknowledge, \"http://v/a?x=1,2\"; view, Resolve, ") + kResolve);
}

// ---- pagerduty ---------------------------------------------------------------------------

TEST(PagerDutyBody, TriggerEvent) {
  const auto body = pagerduty_body(payload("triggered", true), "R0UT1NGKEY");
  ASSERT_TRUE(body.has_value());
  const auto e = parse_obj(*body);
  EXPECT_EQ(e.at("routing_key").as_string(), "R0UT1NGKEY");
  EXPECT_EQ(e.at("event_action").as_string(), "trigger");
  EXPECT_EQ(e.at("dedup_key").as_string(), "vigil-12");
  const auto& p = e.at("payload").as_object();
  EXPECT_EQ(p.at("summary").as_string(), "webserver-01/login: status 500");
  EXPECT_EQ(p.at("source").as_string(), "vigil");
  EXPECT_EQ(p.at("severity").as_string(), "critical");
  EXPECT_EQ(p.at("timestamp").as_string(), "2024-08-18T10:15:00.000Z");
  EXPECT_EQ(p.at("custom_details").at("incident").as_int64(), 12);
  EXPECT_EQ(p.at("custom_details").at("paged_user").as_string(), "alice");
  const auto& links = e.at("links").as_array();
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0].at("href").as_string(), "http://vigil.example/api/v1/incidents/12");
  EXPECT_EQ(links[1].at("href").as_string(), kAck);
  EXPECT_EQ(links[2].at("href").as_string(), kResolve);
}

TEST(PagerDutyBody, ActionByEventAndNothingForNotes) {
  auto action = [](const json::object& p) {
    return std::string(parse_obj(*pagerduty_body(p, "k")).at("event_action").as_string());
  };
  EXPECT_EQ(action(payload("triggered")), "trigger");
  EXPECT_EQ(action(payload("acknowledged")), "acknowledge");
  EXPECT_EQ(action(payload("resolved")), "resolve");
  EXPECT_EQ(action(payload("auto_resolved")), "resolve");
  EXPECT_EQ(parse_obj(*pagerduty_body(payload("resolved"), "k")).at("dedup_key").as_string(), "vigil-12");
  EXPECT_FALSE(pagerduty_body(payload("note"), "k").has_value());
  EXPECT_EQ(parse_obj(*pagerduty_body(payload("triggered", false, "warning"), "k")).at("payload").at("severity"),
            "warning");
}

// ---- hand-offs ---------------------------------------------------------------------------

// A hand-off as Paging::handoff_messages writes it (docs/webhook.md); `end` null when the shift
// has no end in sight.
json::object handoff(bool with_end = true, const char* url = "http://vigil.example/oncall") {
  json::object h{{"schedule", "primary"},
                 {"user", "alice"},
                 {"name", "Alice"},
                 {"start", "2024-08-20T09:00:00.000Z"},
                 {"end", with_end ? json::value("2024-08-21T09:00:00.000Z") : json::value(nullptr)},
                 {"time_zone", "Europe/Berlin"},
                 {"start_local", "2024-08-20 11:00 CEST"},
                 {"end_local", with_end ? json::value("2024-08-21 11:00 CEST") : json::value(nullptr)},
                 {"layer", "Layer 1"}};
  json::object o{{"version", "1"},
                 {"id", "vigil-handoff-primary-1724144400000-alice-user:alice:0"},
                 {"event", "handoff"},
                 {"handoff", h}};
  o["url"] = url ? json::value(url) : json::value(nullptr);
  return o;
}

TEST(Handoff, ViewHeadlineAndSentence) {
  const PayloadView v = view_of(handoff());
  ASSERT_TRUE(v.handoff.has_value());
  EXPECT_EQ(v.handoff->user, "alice");
  EXPECT_FALSE(is_alerting(v));
  EXPECT_EQ(headline(v), "On call: primary");
  EXPECT_EQ(entry_sentence(v), "Alice is on call for primary from 2024-08-20 11:00 CEST until 2024-08-21 11:00 CEST.");
  EXPECT_EQ(entry_sentence(view_of(handoff(false))),
            "Alice is on call for primary from 2024-08-20 11:00 CEST, with no end scheduled.");
  EXPECT_TRUE(action_links(v).empty());  // nothing to acknowledge
  EXPECT_EQ(color_of(v), 0x1E88E5u);
  const std::string text = plain_text(v, true);
  EXPECT_NE(text.find("On call: primary\nAlice is on call for primary from 2024-08-20 11:00 CEST"), std::string::npos)
      << text;
  EXPECT_NE(text.find("On call:     http://vigil.example/oncall"), std::string::npos) << text;
  EXPECT_EQ(text.find("Incident"), std::string::npos) << text;
}

TEST(Handoff, EveryAdapterSaysWhoIsOnCallAndPagerDutyIsNotTold) {
  const std::string sentence = "Alice is on call for primary from 2024-08-20 11:00 CEST until 2024-08-21 11:00 CEST.";
  const auto slack = parse_obj(slack_body(handoff()));
  EXPECT_EQ(slack.at("text").as_string(), "On call: primary");
  EXPECT_NE(json::serialize(slack).find(":calendar: *<http://vigil.example/oncall|On call: primary>*"), std::string::npos)
      << json::serialize(slack);
  EXPECT_NE(json::serialize(slack).find(sentence), std::string::npos);
  EXPECT_EQ(json::serialize(slack).find("\"actions\""), std::string::npos);

  const auto discord = parse_obj(discord_body(handoff()));
  const auto& embed = discord.at("embeds").at(0).as_object();
  EXPECT_EQ(embed.at("title").as_string(), "On call: primary");
  EXPECT_EQ(embed.at("url").as_string(), "http://vigil.example/oncall");
  EXPECT_EQ(embed.at("color").as_int64(), 0x1E88E5);
  EXPECT_NE(embed.at("description").as_string().find(sentence), std::string::npos);

  const std::string teams = msteams_body(handoff());
  EXPECT_NE(teams.find("Open on-call"), std::string::npos) << teams;
  EXPECT_EQ(teams.find("Open incident"), std::string::npos) << teams;

  const NtfyMessage n = ntfy_message(handoff());
  EXPECT_NE(n.body.find(sentence), std::string::npos) << n.body;
  bool tagged = false;
  for (const auto& [k, val] : n.headers) {
    if (k == "Title") EXPECT_EQ(val, "On call: primary");
    if (k == "Priority") EXPECT_EQ(val, "3");
    if (k == "Tags") tagged = val == "calendar";
  }
  EXPECT_TRUE(tagged);

  // The Events API has no "you are on call": nothing is sent, the delivery counts as done.
  EXPECT_FALSE(pagerduty_body(handoff(), "k").has_value());

  const EmailEnvelope env{"vigil@example.com", "alice@example.com", parse_rfc3339("2024-08-20T09:00:02Z").value()};
  const std::string mail = email_message(handoff(), env);
  const auto header = [&](const std::string& name) {
    const auto at = mail.find("\r\n" + name + ": ");
    if (at == std::string::npos) return std::string("(absent)");
    const auto start = at + name.size() + 4;
    return mail.substr(start, mail.find("\r\n", start) - start);
  };
  EXPECT_EQ(header("Subject"), "[vigil] On call: primary");
  EXPECT_EQ(header("References"), "<vigil-oncall-primary@example.com>");
  EXPECT_EQ(header("X-Vigil-Incident"), "(absent)");
  EXPECT_EQ(header("X-Vigil-Event"), "handoff");
  EXPECT_NE(mail.find(sentence), std::string::npos);
}

// ---- email -------------------------------------------------------------------------------

std::string mail_header(const std::string& msg, const std::string& name) {
  const std::string key = "\r\n" + name + ": ";
  const std::string m = "\r\n" + msg;
  const auto at = m.find(key);
  if (at == std::string::npos || at > m.find("\r\n\r\n")) return "(absent)";
  const auto start = at + key.size();
  return m.substr(start, m.find("\r\n", start) - start);
}

std::string mail_body(const std::string& msg) { return msg.substr(msg.find("\r\n\r\n") + 4); }

TEST(EmailMessage, HeadersAndBody) {
  const EmailEnvelope env{"Vigil <vigil@example.com>", "alice@example.com",
                          parse_rfc3339("2024-08-18T10:15:07Z").value()};
  const std::string m = email_message(payload("triggered", true), env);
  EXPECT_EQ(mail_header(m, "From"), "Vigil <vigil@example.com>");
  EXPECT_EQ(mail_header(m, "To"), "alice@example.com");
  EXPECT_EQ(mail_header(m, "Subject"), "[vigil] #12 triggered: webserver-01/login: status 500");
  EXPECT_EQ(mail_header(m, "Date"), "Sun, 18 Aug 2024 10:15:07 +0000");
  EXPECT_EQ(mail_header(m, "Message-ID"), "<vigil-12-1-user_alice_0@example.com>");
  EXPECT_EQ(mail_header(m, "References"), "<vigil-incident-12@example.com>");
  EXPECT_EQ(mail_header(m, "MIME-Version"), "1.0");
  EXPECT_EQ(mail_header(m, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(mail_header(m, "Content-Transfer-Encoding"), "7bit");
  EXPECT_EQ(mail_header(m, "Auto-Submitted"), "auto-generated");

  const std::string body = mail_body(m);
  EXPECT_NE(body.find("status 500, expected 200"), std::string::npos);
  EXPECT_NE(body.find(std::string("Acknowledge: ") + kAck + "\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find(std::string("Resolve:     ") + kResolve + "\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("Incident:    http://vigil.example/api/v1/incidents/12"), std::string::npos) << body;
  EXPECT_NE(body.find("Paged:    Alice (escalation level 1)"), std::string::npos) << body;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') {
      ASSERT_TRUE(i > 0 && m[i - 1] == '\r') << "bare LF at " << i;
    }
  }
}

TEST(EmailMessage, WithoutLinksAndNonAsciiTitle) {
  const EmailEnvelope env{"vigil@example.com", "alice@example.com", parse_rfc3339("2024-08-18T10:15:07Z").value()};
  const std::string plain = email_message(payload("resolved"), env);
  EXPECT_EQ(mail_header(plain, "Subject"), "[vigil] #12 resolved: webserver-01/login: status 500");
  EXPECT_EQ(mail_body(plain).find("Acknowledge"), std::string::npos);

  const std::string m = email_message(payload("triggered", false, "critical", "caf\xC3\xA9 is down\nX-Evil: 1"), env);
  EXPECT_EQ(mail_header(m, "X-Evil"), "(absent)") << "a title cannot add headers";
  EXPECT_EQ(mail_header(m, "Subject").rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_EQ(mail_header(m, "Content-Transfer-Encoding"), "base64");
  for (char c : m) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << "the message is 7-bit clean";
}

}  // namespace
}  // namespace vigil::notify
