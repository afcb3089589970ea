#include <gtest/gtest.h>

#include "incident/incident_book.h"

#include <atomic>
#include <thread>

namespace vigil::incident {
namespace {

Time at(int minute) {
  return Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}} + std::chrono::hours(10) +
         std::chrono::minutes(minute);
}

InboundEvent event(InboundEvent::Action action, std::string key) {
  InboundEvent e;
  e.action = action;
  e.dedup_key = std::move(key);
  e.summary = "ApacheDown: webserver-01 is not answering";
  e.source = "webserver-01:9117";
  e.severity = "error";
  e.origin = "alertmanager";
  e.custom_details_json = R"({"job":"apache"})";
  return e;
}

TEST(IncidentBookEvents, TriggerOpensRepeatDedupsResolveCloses) {
  IncidentBook book;
  const std::string actor = "integration:prometheus";
  auto e = event(InboundEvent::Action::trigger, "am-1f2e");
  e.timestamp = at(0);
  auto opened = book.apply(e, "webserver-01", actor, at(1));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->incident.id, 1);
  EXPECT_EQ(opened->incident.service, "webserver-01");
  EXPECT_EQ(opened->incident.title, e.summary);
  EXPECT_EQ(opened->incident.severity, "error");
  EXPECT_EQ(opened->incident.origin, "alertmanager");
  EXPECT_EQ(opened->incident.details, R"({"job":"apache"})");
  EXPECT_EQ(opened->incident.started_at, at(0));
  EXPECT_EQ(opened->incident.detected_at, at(1));
  EXPECT_EQ(opened->new_entries[0].actor, actor);
  EXPECT_NE(opened->new_entries[0].text.find("source webserver-01:9117"), std::string::npos);

  EXPECT_FALSE(book.apply(e, "webserver-01", actor, at(2))) << "repeated trigger is deduplicated";

  auto ack = book.apply(event(InboundEvent::Action::acknowledge, "am-1f2e"), "webserver-01", actor, at(3));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->incident.status, Status::acknowledged);
  EXPECT_FALSE(book.apply(event(InboundEvent::Action::acknowledge, "am-1f2e"), "webserver-01", actor, at(4)));

  auto res = book.apply(event(InboundEvent::Action::resolve, "am-1f2e"), "webserver-01", actor, at(5));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->incident.status, Status::resolved);
  EXPECT_EQ(res->incident.resolved_by, actor);
  EXPECT_FALSE(book.apply(event(InboundEvent::Action::resolve, "am-1f2e"), "webserver-01", actor, at(6)))
      << "resolving what is not open changes nothing";

  auto again = book.apply(e, "webserver-01", actor, at(7));
  ASSERT_TRUE(again) << "after resolution the same key opens a new incident";
  EXPECT_EQ(again->incident.id, 2);
}

TEST(IncidentBookEvents, EventsAndChecksShareDedupKeys) {
  IncidentBook book;
  rules::AlertChange a;
  a.kind = rules::AlertChange::Kind::firing;
  a.service = "web";
  a.check = "home";
  a.summary = "home: status 503";
  a.started_at = at(0);
  ASSERT_TRUE(book.apply(a, at(1)));
  EXPECT_FALSE(book.apply(event(InboundEvent::Action::trigger, "web/home"), "web", "integration:x", at(2)))
      << "an event with the check's key joins the check's incident";
  auto res = book.apply(event(InboundEvent::Action::resolve, "web/home"), "web", "integration:x", at(3));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->incident.id, 1);
}

TEST(IncidentBookEvents, RecordAppendsEntriesAndEscalationState) {
  IncidentBook book;
  auto opened = book.apply(event(InboundEvent::Action::trigger, "k"), "web", "integration:x", at(0));
  ASSERT_TRUE(opened);
  book.set_escalation(1, "web-oncall", R"({"rule":0})");
  auto rec = book.record(1, {{"paged", "vigil", "paged alice"}, {"escalation", "vigil", "rule 2 next"}},
                         std::string(R"({"rule":1})"), at(1));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->new_entries.size(), 2u);
  EXPECT_EQ(rec->new_entries[1].seq, 3);
  EXPECT_EQ(rec->incident.escalation_policy, "web-oncall");
  EXPECT_EQ(rec->incident.escalation, R"({"rule":1})");
  EXPECT_FALSE(book.record(9, {}, std::nullopt, at(1)).ok());
}


// is_open_key is read from the HTTP thread while the engine works on the book.
TEST(IncidentBookEvents, IsOpenKeyFollowsTriggerAndResolveAndIsSafeFromAnotherThread) {
  IncidentBook book;
  const std::string actor = "integration:bench";
  EXPECT_FALSE(book.is_open_key("k-1"));
  ASSERT_TRUE(book.apply(event(InboundEvent::Action::trigger, "k-1"), "web", actor, at(0)));
  EXPECT_TRUE(book.is_open_key("k-1"));
  EXPECT_FALSE(book.is_open_key("k-2"));
  ASSERT_TRUE(book.apply(event(InboundEvent::Action::resolve, "k-1"), "web", actor, at(1)));
  EXPECT_FALSE(book.is_open_key("k-1"));

  // A reader on another thread while the owner opens thousands (the index grows in steps
  // meanwhile): it never blocks, never sees a key that was not opened, and sees k-1 once opened.
  ASSERT_TRUE(book.apply(event(InboundEvent::Action::trigger, "k-1"), "web", actor, at(2)));
  std::atomic<bool> done{false};
  std::atomic<int> wrong{0}, seen{0};
  std::thread reader([&] {
    do {
      if (book.is_open_key("never-opened")) ++wrong;
      if (book.is_open_key("k-1")) ++seen;
    } while (!done);
  });
  for (int i = 0; i < 20000; ++i) book.apply(event(InboundEvent::Action::trigger, "g-" + std::to_string(i)), "web", actor, at(3));
  done = true;
  reader.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(seen, 0);
  EXPECT_TRUE(book.is_open_key("g-19999"));
}


// The overview's and /metrics' figures are kept as incidents change, not counted on demand:
// they must follow every transition, across services and a restart.
TEST(IncidentBookEvents, OpenCountsFollowTriggerAcknowledgeReassignAndResolve) {
  IncidentBook book;
  const std::string actor = "integration:prometheus";
  for (int i = 0; i < 150; ++i)
    ASSERT_TRUE(book.apply(event(InboundEvent::Action::trigger, "web-" + std::to_string(i)), "web", actor, at(0)));
  ASSERT_TRUE(book.apply(event(InboundEvent::Action::trigger, "db-0"), "db", actor, at(0)));
  EXPECT_EQ(book.open_count(), 151u);
  EXPECT_EQ(book.open_count("web"), 150u);
  EXPECT_EQ(book.open_count("db"), 1u);
  EXPECT_EQ(book.open_count("nobody"), 0u);
  EXPECT_TRUE(book.newest_open("nobody", 10).empty());

  auto newest = book.newest_open("web", 3);
  EXPECT_EQ(newest, (std::vector<std::int64_t>{148, 149, 150}));  // ascending, newest last
  EXPECT_EQ(book.newest_open("db", 100), (std::vector<std::int64_t>{151}));

  ASSERT_TRUE(book.apply(event(InboundEvent::Action::acknowledge, "web-0"), "web", actor, at(1)));
  ASSERT_TRUE(book.acknowledge(151, "alice", "", at(1)).ok());
  EXPECT_EQ(book.acknowledged_count(), 2u);
  EXPECT_FALSE(book.apply(event(InboundEvent::Action::acknowledge, "web-0"), "web", actor, at(2)));  // again: no change
  EXPECT_EQ(book.acknowledged_count(), 2u);
  ASSERT_TRUE(book.reassign(151, "bob", "alice", "to bob", at(2)).ok());  // back to triggered
  EXPECT_EQ(book.acknowledged_count(), 1u);

  ASSERT_TRUE(book.apply(event(InboundEvent::Action::resolve, "web-0"), "web", actor, at(3)));  // was acknowledged
  ASSERT_TRUE(book.apply(event(InboundEvent::Action::resolve, "web-149"), "web", actor, at(3)));
  ASSERT_TRUE(book.resolve(151, "bob", "", at(3)).ok());
  EXPECT_EQ(book.acknowledged_count(), 0u);
  EXPECT_EQ(book.open_count(), 148u);
  EXPECT_EQ(book.open_count("web"), 148u);
  EXPECT_EQ(book.open_count("db"), 0u);
  EXPECT_EQ(book.newest_open("web", 2), (std::vector<std::int64_t>{148, 149}));  // 150 (web-149) resolved

  IncidentBook restored(151);
  std::vector<Incident> open;
  for (const Incident* inc : book.open()) open.push_back(*inc);
  open.front().status = Status::acknowledged;
  restored.restore(std::move(open));
  EXPECT_EQ(restored.open_count("web"), 148u);
  EXPECT_EQ(restored.acknowledged_count(), 1u);
}

}  // namespace
}  // namespace vigil::incident
