// Paging::make with overrides made at run time: they stack on the schedule's own, the newest on
// top, and those of a user or schedule the config no longer has are left out.
#include <gtest/gtest.h>

#include "app/paging.h"

#include <boost/json.hpp>

#include "notify/contact_render.h"

namespace vigil::app {
namespace {

using namespace std::chrono;

Time at(int day, int hour) { return Time{sys_days{year{2024} / 8 / day} + hours(hour)}; }

config::Config two_users_one_layer() {
  config::Config c;
  for (const char* id : {"alice", "bob", "carol"}) {
    config::UserConfig u;
    u.id = id;
    u.name = id;
    c.users.push_back(u);
  }
  config::ScheduleConfig s;
  s.name = "primary";
  config::LayerConfig l;
  l.name = "weekly";
  l.start = local_days{year{2024} / 8 / 12} + hours(9);
  l.users = {"alice"};
  s.layers.push_back(l);
  s.overrides.push_back({"carol", at(14, 0), at(15, 0)});  // the config's own
  c.schedules.push_back(s);
  return c;
}

store::ScheduleOverride stored(std::int64_t id, std::string schedule, std::string user, Time start, Time end) {
  store::ScheduleOverride o;
  o.id = id;
  o.schedule = std::move(schedule);
  o.user = std::move(user);
  o.start = start;
  o.end = end;
  return o;
}

TEST(PagingOverrides, StoredOverridesStackOnTheConfigsNewestOnTop) {
  const auto cfg = two_users_one_layer();
  auto plain = Paging::make(cfg, "key");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->on_call("primary", at(14, 12)), "carol");
  EXPECT_EQ((*plain)->on_call("primary", at(16, 12)), "alice");

  auto p = Paging::make(cfg, "key",
                        {stored(1, "primary", "bob", at(14, 6), at(17, 0)),     // over carol's and alice's turns
                         stored(2, "primary", "alice", at(16, 10), at(16, 14)),  // newer: wins inside bob's
                         stored(3, "primary", "dave", at(18, 0), at(19, 0)),     // no such user any more
                         stored(4, "gone", "bob", at(18, 0), at(19, 0))});        // no such schedule
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((*p)->on_call("primary", at(14, 3)), "carol");   // before the stored one starts
  EXPECT_EQ((*p)->on_call("primary", at(14, 12)), "bob");    // stored over the config's override
  EXPECT_EQ((*p)->on_call("primary", at(16, 12)), "alice");  // the newest stored one
  EXPECT_EQ((*p)->on_call("primary", at(16, 15)), "bob");
  EXPECT_EQ((*p)->on_call("primary", at(18, 12)), "alice");  // dave's is left out: the layer
  const auto shifts = (*p)->schedule("primary")->shifts(at(16, 0), at(17, 0));
  ASSERT_EQ(shifts.size(), 3u);
  EXPECT_EQ(shifts[0].user, "bob");
  EXPECT_EQ(shifts[0].layer, "override");
  EXPECT_EQ(shifts[1].user, "alice");
  EXPECT_EQ(shifts[1].start, at(16, 10));
  EXPECT_EQ(shifts[2].end, at(17, 0));
  // The config itself is unchanged: what the API lists as the config's overrides.
  ASSERT_EQ((*p)->config().schedules[0].overrides.size(), 1u);
}

TEST(PagingHandoffs, OneMessagePerContactOfAUserWhoAskedWithAStableIdAndLocalTimes) {
  auto cfg = two_users_one_layer();
  cfg.server.external_url = "https://vigil.example/";
  cfg.users[1].handoff_notifications = true;  // bob
  cfg.users[1].name = "Bob Builder";
  cfg.users[1].time_zone = "America/New_York";
  cfg.users[1].contacts = {{"webhook", "http://127.0.0.1:9/bob"}, {"ntfy", "http://127.0.0.1:9/bob-topic"}};
  cfg.users[0].contacts = {{"webhook", "http://127.0.0.1:9/alice"}};  // alice did not ask
  auto p = Paging::make(cfg, "key");
  ASSERT_TRUE(p.ok()) << p.error().message;

  oncall::Handoff h{"primary", {"bob", at(20, 13), at(21, 13), "override"}, false};
  const auto messages = (*p)->handoff_messages(h, at(20, 13) + seconds(2));
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].id, "vigil-handoff-primary-1724158800000-bob-user:bob:0");
  EXPECT_EQ(messages[1].channel, "user:bob:1");
  EXPECT_EQ(messages[0].incident_id, 0);
  EXPECT_EQ(messages[0].event, "handoff");
  EXPECT_EQ((*p)->handoff_messages(h, at(20, 14))[0].id, messages[0].id);  // the same hand-off, the same id

  const auto o = boost::json::parse(messages[0].payload).as_object();
  EXPECT_EQ(o.at("event").as_string(), "handoff");
  EXPECT_EQ(o.at("id").as_string(), messages[0].id);
  EXPECT_EQ(o.at("url").as_string(), "https://vigil.example/oncall");
  const auto& ho = o.at("handoff").as_object();
  EXPECT_EQ(ho.at("start").as_string(), "2024-08-20T13:00:00.000Z");
  EXPECT_EQ(ho.at("end").as_string(), "2024-08-21T13:00:00.000Z");
  EXPECT_EQ(ho.at("start_local").as_string(), "2024-08-20 09:00 EDT");
  EXPECT_EQ(ho.at("layer").as_string(), "override");
  // What the contact adapters make of it.
  EXPECT_EQ(notify::entry_sentence(notify::view_of(o)),
            "Bob Builder is on call for primary from 2024-08-20 09:00 EDT until 2024-08-21 09:00 EDT.");

  oncall::Handoff open{"primary", {"bob", at(20, 13), at(30, 0), "weekly"}, true};
  const auto o2 = boost::json::parse((*p)->handoff_messages(open, at(20, 13))[0].payload).as_object();
  EXPECT_TRUE(o2.at("handoff").at("end").is_null());
  EXPECT_TRUE((*p)->handoff_messages({"primary", {"alice", at(20, 13), at(21, 13), "weekly"}, false}, at(20, 13)).empty());
  EXPECT_TRUE((*p)->handoff_messages({"primary", {"dave", at(20, 13), at(21, 13), "weekly"}, false}, at(20, 13)).empty());
}

TEST(PagingPages, AContactWithAfterIsNotSentBeforeItsTime) {
  auto cfg = two_users_one_layer();
  config::ContactMethod push{"ntfy", "http://127.0.0.1:9/alice"};
  config::ContactMethod call{"command", "", "", "", {"/usr/local/bin/call"}};
  call.after = minutes(5);
  cfg.users[0].contacts = {push, call};
  auto p = Paging::make(cfg, "0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(p.ok()) << p.error().message;
  incident::Incident inc;
  inc.id = 7;
  inc.title = "login down";
  const Time now = at(20, 13);
  const incident::TimelineEntry entry{2, now, "paged", "vigil", "paged alice"};
  const auto messages = (*p)->page_messages(inc, entry, {"alice", "user:alice", 0, 0}, now);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_FALSE(messages[0].not_before.has_value()) << "at once";
  ASSERT_TRUE(messages[1].not_before.has_value());
  EXPECT_EQ(*messages[1].not_before, now + minutes(5));
  EXPECT_EQ(messages[1].created_at, now) << "the page's time: an acknowledgement after it makes the call moot";
}

TEST(PagingPages, EachUrgencyUsesOnlyItsOwnContactMethods) {
  auto cfg = two_users_one_layer();
  config::ContactMethod call{"command", "", "", "", {"/usr/local/bin/call"}};
  call.low_urgency = false;  // `urgency: high`: a phone call only for what must wake someone
  config::ContactMethod mail{"ntfy", "http://127.0.0.1:9/alice-quiet"};
  mail.high_urgency = false;  // `urgency: low`
  config::ContactMethod push{"ntfy", "http://127.0.0.1:9/alice"};  // both (the default)
  cfg.users[0].contacts = {call, mail, push};
  cfg.users[1].contacts = {call};
  auto p = Paging::make(cfg, "0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(p.ok()) << p.error().message;
  incident::Incident inc;
  inc.id = 9;
  const Time now = at(20, 3);
  const incident::TimelineEntry entry{2, now, "paged", "vigil", "paged alice"};
  auto channels = [&](const char* user) {
    std::vector<std::string> out;
    for (const auto& m : (*p)->page_messages(inc, entry, {user, "user:x", 0, 0}, now)) {
      out.push_back(m.channel);
      auto v = boost::json::parse(m.payload);
      EXPECT_EQ(v.at("incident").at("urgency").as_string(), incident::to_string(inc.urgency)) << "receivers see the urgency";
    }
    return out;
  };
  EXPECT_EQ(channels("alice"), (std::vector<std::string>{"user:alice:0", "user:alice:2"}));
  inc.urgency = incident::Urgency::low;
  EXPECT_EQ(channels("alice"), (std::vector<std::string>{"user:alice:1", "user:alice:2"}));
  EXPECT_TRUE(channels("bob").empty());
  EXPECT_EQ(Paging::unreachable_note(&cfg.users[1], incident::Urgency::low),
            "; this user has no low-urgency contact methods, nobody was reached");
  EXPECT_EQ(Paging::unreachable_note(&cfg.users[1], incident::Urgency::high), "");
  EXPECT_EQ(Paging::unreachable_note(&cfg.users[2], incident::Urgency::high),
            "; this user has no contact methods, nobody was reached");
}

}  // namespace
}  // namespace vigil::app
