#include "incident/incident_book.h"

#include <gtest/gtest.h>

namespace vigil::incident {
namespace {

Time at(int minute, int second = 0) {
  return Time{std::chrono::sys_days{std::chrono::year{2024} / 8 / 18}} + std::chrono::hours(10) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

rules::AlertChange firing(std::string check, Time started, Time now) {
  rules::AlertChange a;
  a.kind = rules::AlertChange::Kind::firing;
  a.service = "webserver-01";
  a.check = std::move(check);
  a.severity = "critical";
  a.summary = "login: status == 200 (status is 500)";
  a.started_at = started;
  a.at = now;
  return a;
}

rules::AlertChange resolved(std::string check, Time started, Time now) {
  auto a = firing(std::move(check), started, now);
  a.kind = rules::AlertChange::Kind::resolved;
  return a;
}

TEST(IncidentBook, FiringOpensIncidentWithStartAndDetectionTimes) {
  IncidentBook book;
  auto change = book.apply(firing("login", at(0), at(0, 30)), at(0, 31));
  ASSERT_TRUE(change);
  const Incident& inc = change->incident;
  EXPECT_EQ(inc.id, 1);
  EXPECT_EQ(inc.dedup_key, "webserver-01/login");
  EXPECT_EQ(inc.status, Status::triggered);
  EXPECT_EQ(inc.started_at, at(0));
  EXPECT_EQ(inc.detected_at, at(0, 31));
  EXPECT_EQ(inc.title, "webserver-01: login: status == 200 (status is 500)");
  ASSERT_EQ(change->new_entries.size(), 1u);
  EXPECT_EQ(change->new_entries[0].kind, "triggered");
  EXPECT_EQ(change->new_entries[0].actor, "check:login");
  EXPECT_EQ(change->new_entries[0].seq, 1);
}

TEST(IncidentBook, SecondFiringOfSameCheckIsDeduplicated) {
  IncidentBook book;
  ASSERT_TRUE(book.apply(firing("login", at(0), at(1)), at(1)));
  EXPECT_FALSE(book.apply(firing("login", at(2), at(3)), at(3)));
  EXPECT_EQ(book.open().size(), 1u);
  // A different check of the same service is a different incident.
  auto other = book.apply(firing("home", at(2), at(3)), at(3));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->incident.id, 2);
}

TEST(IncidentBook, RecoveryAutoResolvesAndIsRecordedAsSuch) {
  IncidentBook book;
  book.apply(firing("login", at(0), at(1)), at(1));
  auto change = book.apply(resolved("login", at(5), at(6)), at(6));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->incident.status, Status::resolved);
  EXPECT_EQ(change->incident.resolved_at, at(6));
  EXPECT_EQ(change->incident.resolved_by, "auto");
  EXPECT_EQ(change->new_entries.back().kind, "auto_resolved");
  EXPECT_EQ(change->new_entries.back().seq, 2);
  EXPECT_TRUE(book.open().empty());
  // Recovery without an open incident changes nothing.
  EXPECT_FALSE(book.apply(resolved("login", at(7), at(8)), at(8)));
}

TEST(IncidentBook, AcknowledgeThenResolveByHand) {
  IncidentBook book;
  book.apply(firing("login", at(0), at(1)), at(1));
  auto ack = book.acknowledge(1, "alice", "looking", at(4));
  ASSERT_TRUE(ack.ok());
  ASSERT_TRUE(ack->has_value());
  EXPECT_EQ((*ack)->incident.status, Status::acknowledged);
  EXPECT_EQ((*ack)->incident.acknowledged_at, at(4));
  EXPECT_EQ((*ack)->new_entries[0].text, "looking");

  auto again = book.acknowledge(1, "bob", "", at(5));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value()) << "acknowledging twice is a no-op";

  auto note = book.add_note(1, "alice", "rolled back rewrite rule", at(6));
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(note->new_entries[0].kind, "note");
  EXPECT_EQ(note->new_entries[0].seq, 3);

  auto res = book.resolve(1, "alice", "fixed", at(7));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->incident.status, Status::resolved);
  EXPECT_EQ(res->incident.resolved_by, "alice");
  EXPECT_EQ(res->incident.timeline.size(), 4u);

  EXPECT_FALSE(book.resolve(1, "alice", "", at(8)).ok());
  EXPECT_FALSE(book.acknowledge(1, "alice", "", at(8)).ok());
  EXPECT_EQ(book.resolve(99, "alice", "", at(8)).error().message, "incident #99 is not open");
}

// The IncidentBook keeps open incidents in a std::map: a node is 32 bytes of tree links, the
// 8-byte key and the Incident. Past 448 bytes jemalloc rounds it to 512: 64 MB more at a million
// open incidents (docs/performance.md). A new field must find its bytes elsewhere first.
TEST(Incident, AnOpenIncidentsMapNodeFitsJemallocs448ByteClass) {
  EXPECT_LE(32 + sizeof(std::int64_t) + sizeof(Incident), 448u) << "sizeof(Incident) = " << sizeof(Incident);
}

TEST(UserIds, CopiesLikeAVectorAndTakesEightBytesWhenEmpty) {
  static_assert(sizeof(UserIds) == sizeof(void*));
  UserIds none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none, std::vector<std::string>{});
  UserIds two{"alice", "bob"};
  UserIds copy = two;  // a deep copy: changing one leaves the other
  EXPECT_EQ(copy, two);
  two = UserIds{"carol"};
  EXPECT_EQ(copy, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(two.list(), std::vector<std::string>{"carol"});
  std::vector<std::string> seen(copy.begin(), copy.end());
  EXPECT_EQ(seen, copy.list());
  EXPECT_TRUE(UserIds(std::vector<std::string>{}).empty());
  copy = copy;  // self-assignment keeps the list
  EXPECT_EQ(copy.size(), 2u);
}

TEST(IncidentBook, ReassignWithdrawsTheAcknowledgementAndAssignsTheUserAlone) {
  IncidentBook book;
  book.apply(firing("login", at(0), at(1)), at(1));
  EXPECT_TRUE(book.find(1)->assignees.empty());  // nobody paged yet
  book.assign(1, {"alice", "carol"});             // a page to two people (the engine's escalation)
  auto acked = book.acknowledge(1, "alice", "looking", at(4));
  ASSERT_TRUE(acked.ok() && acked->has_value());
  // Carried by the next change; an acknowledgement does not change who is assigned.
  EXPECT_EQ((*acked)->incident.assignees, (std::vector<std::string>{"alice", "carol"}));
  auto r = book.reassign(1, "bob", "alice", "reassigned to Bob (bob) by alice", at(6));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->incident.assignees, std::vector<std::string>{"bob"});
  EXPECT_EQ(r->incident.status, Status::triggered);
  EXPECT_FALSE(r->incident.acknowledged_at);
  ASSERT_EQ(r->new_entries.size(), 1u);
  EXPECT_EQ(r->new_entries[0].kind, "reassigned");
  EXPECT_EQ(r->new_entries[0].actor, "alice");
  EXPECT_EQ(r->new_entries[0].seq, 3);
  EXPECT_EQ(r->new_entries[0].at, at(6));
  EXPECT_EQ(book.find(1)->status, Status::triggered);
  // The new assignee's acknowledgement counts again.
  auto ack = book.acknowledge(1, "bob", "", at(7));
  ASSERT_TRUE(ack.ok());
  ASSERT_TRUE(ack->has_value());
  EXPECT_EQ((*ack)->incident.acknowledged_at, at(7));
  // A triggered incident stays triggered; a resolved one cannot be reassigned.
  ASSERT_TRUE(book.reassign(1, "alice", "bob", "back to alice", at(8)).ok());
  EXPECT_EQ(book.find(1)->status, Status::triggered);
  auto resolved = book.resolve(1, "bob", "", at(9));
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->incident.assignees, std::vector<std::string>{"alice"});  // kept after resolve
  EXPECT_EQ(book.reassign(1, "alice", "bob", "x", at(10)).error().message, "incident #1 is not open");
}

TEST(IncidentBook, CountsOpenLowUrgencyIncidentsThroughChangesRestoreAndClose) {
  IncidentBook book;
  auto a = book.apply(firing("login", at(0), at(1)), at(1));
  auto b = book.apply(firing("home", at(0), at(1)), at(1));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(book.low_urgency_count(), 0u);
  book.set_urgency(a->incident.id, Urgency::low);
  book.set_urgency(a->incident.id, Urgency::low);  // no change: counted once
  book.set_urgency(b->incident.id, Urgency::low);
  EXPECT_EQ(book.low_urgency_count(), 2u);
  EXPECT_EQ(book.find(a->incident.id)->urgency, Urgency::low);
  book.set_urgency(b->incident.id, Urgency::high);
  EXPECT_EQ(book.low_urgency_count(), 1u);
  ASSERT_TRUE(book.apply(resolved("login", at(0), at(5)), at(5)));
  EXPECT_EQ(book.low_urgency_count(), 0u);
  Incident low = b->incident;
  low.urgency = Urgency::low;
  IncidentBook restored;
  restored.restore({low});
  EXPECT_EQ(restored.low_urgency_count(), 1u);
}

TEST(IncidentBook, NumbersContinueAfterRestoreAndAreNeverReused) {
  Incident open;
  open.id = 7;
  open.dedup_key = "webserver-01/login";
  open.status = Status::acknowledged;
  open.timeline.push_back({1, at(0), "triggered", "check:login", "x"});
  open.timeline.push_back({2, at(1), "acknowledged", "alice", "x"});
  IncidentBook book(9);  // #8 and #9 were resolved before the restart
  book.restore({open});
  EXPECT_FALSE(book.apply(firing("login", at(2), at(3)), at(3))) << "still deduplicated after restart";
  auto res = book.apply(resolved("login", at(4), at(5)), at(5));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->new_entries[0].seq, 3);
  auto next = book.apply(firing("login", at(6), at(7)), at(7));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->incident.id, 10);
}

TEST(IncidentBook, NoteOnResolvedIncidentAppendsAfterLastEntry) {
  Incident closed;
  closed.id = 3;
  closed.status = Status::resolved;
  closed.timeline.push_back({1, at(0), "triggered", "check:login", "x"});
  closed.timeline.push_back({2, at(9), "auto_resolved", "check:login", "y"});
  auto change = note_on(closed, "alice", "root cause: bad RewriteRule", at(20));
  EXPECT_EQ(change.new_entries[0].seq, 3);
  EXPECT_EQ(change.incident.status, Status::resolved);
}

}  // namespace
}  // namespace vigil::incident
