// Narration lines: the time in the story's zone, continuation lines aligned under the text.
#include <gtest/gtest.h>

#include "demo/narrator.h"
#include "demo/receiver.h"

namespace vigil::demo {
namespace {

Time at(std::string_view rfc3339) { return *parse_rfc3339(rfc3339); }

TEST(NarrationLine, TimeInTheStoryZone) {
  EXPECT_EQ(narration_line(at("2024-08-18T17:02:41.900Z"), "Africa/Lagos", "Apache reloaded."),
            "18:02:41 WAT  Apache reloaded.\n");
  EXPECT_EQ(narration_line(at("2024-08-18T17:02:41Z"), "UTC", "x"), "17:02:41 UTC  x\n");
}

TEST(NarrationLine, UnknownZoneFallsBackToUtc) {
  EXPECT_EQ(narration_line(at("2024-08-18T17:02:41Z"), "Mars/Olympus", "x"), "17:02:41 UTC  x\n");
}

TEST(NarrationLine, ContinuationLinesAreIndented) {
  EXPECT_EQ(narration_line(at("2024-08-18T17:02:41Z"), "UTC", "one\ntwo"), "17:02:41 UTC  one\n"
                                                                          "              two\n");
}

TEST(ReceiverMessage, PageCarriesWhoAndTheAcknowledgeLink) {
  const std::string body = R"({"version":"1","id":"vigil-1-3-user:kwame:0","event":"page",
    "incident":{"id":1,"title":"webserver-01/login: status 500"},
    "entry":{"seq":3,"kind":"paged","text":"paged Kwame Mensah (kwame): rule 2"},
    "page":{"user":"kwame","name":"Kwame Mensah","rule":2,"round":0,"target":"schedule:web-secondary"},
    "links":{"acknowledge":"http://127.0.0.1:8080/a/abc.def","resolve":"http://127.0.0.1:8080/a/ghi.jkl"}})";
  auto m = parse_message("/page/kwame", body, at("2024-08-18T17:03:00Z"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->id, "vigil-1-3-user:kwame:0");
  EXPECT_EQ(m->event, "page");
  EXPECT_EQ(m->incident, 1);
  EXPECT_EQ(m->user, "kwame");
  EXPECT_EQ(m->name, "Kwame Mensah");
  EXPECT_EQ(m->rule, 2);
  EXPECT_EQ(m->ack_link, "http://127.0.0.1:8080/a/abc.def");
  EXPECT_EQ(m->title, "webserver-01/login: status 500");
}

TEST(ReceiverMessage, TeamMessageAndGarbage) {
  auto m = parse_message("/team", R"({"event":"triggered","incident":{"id":4},"entry":{"text":"status 500"}})", Time{});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->incident, 4);
  EXPECT_EQ(m->text, "status 500");
  EXPECT_TRUE(m->user.empty());
  EXPECT_FALSE(parse_message("/team", "not json", Time{}).ok());
  EXPECT_FALSE(parse_message("/team", R"({"incident":{}})", Time{}).ok());  // no event
}

}  // namespace
}  // namespace vigil::demo
