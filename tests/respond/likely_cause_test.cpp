// Likely causes from evidence text, with the real signature table (probe/logs/signatures).
#include "respond/likely_cause.h"

#include <gtest/gtest.h>

namespace vigil::respond {
namespace {

using Kind = config::EvidenceConfig::Kind;

EvidenceItem item(std::string name, std::string text, Kind kind = Kind::tail) {
  EvidenceItem e;
  e.name = std::move(name);
  e.kind = kind;
  e.text = std::move(text);
  return e;
}

const std::string kWorkers =
    "[Sun Aug 18 10:14:01.000000 2024] [mpm_prefork:error] [pid 812] AH00161: server reached MaxRequestWorkers "
    "setting, consider raising the MaxRequestWorkers setting\n";

TEST(LikelyCause, ASignatureSeenInATailIsASuggestionNamingItsSource) {
  const std::string log = "[Sun Aug 18 10:13:00.000000 2024] [mpm_prefork:notice] [pid 812] AH00163: Apache/2.4.62 "
                          "configured -- resuming normal operations\n" +
                          kWorkers + kWorkers + kWorkers;
  const auto causes = likely_causes({item("error.log tail", log)});
  ASSERT_EQ(causes.size(), 1u);
  const auto& c = causes[0];
  EXPECT_EQ(c.evidence, "error.log tail");
  EXPECT_EQ(c.code, "AH00161");
  EXPECT_EQ(c.key, "max_workers");
  EXPECT_EQ(c.count, 3u);
  EXPECT_NE(c.line.find("AH00161: server reached MaxRequestWorkers"), std::string::npos) << c.line;
  EXPECT_TRUE(c.text.starts_with("Likely cause (suggestion): AH00161 — " + c.meaning +
                                 "; seen 3 times in error.log tail (last: [Sun Aug 18"))
      << c.text;
  EXPECT_TRUE(c.text.ends_with("consider raising the MaxRequestWorkers setting)")) << c.text;

  // A long line is quoted cut, whole in `line`.
  const std::string long_line = "AH00161: server reached MaxRequestWorkers setting " + std::string(500, 'x') + "\n";
  const auto cut = likely_causes({item("error.log tail", long_line)});
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_TRUE(cut[0].text.ends_with("xxx...)")) << cut[0].text;
  EXPECT_LT(cut[0].text.size(), 400u);
}

TEST(LikelyCause, TableOfEvidence) {
  struct Case {
    const char* what;
    std::vector<EvidenceItem> evidence;
    std::vector<std::string> want;  // "<code or key> in <evidence>" per cause, in order
  };
  const Case cases[] = {
      {"nothing known",
       {item("error.log tail", "all quiet\n"), item("apache2ctl -t", "Syntax OK\n", Kind::command)},
       {}},
      {"empty evidence", {}, {}},
      {"informational only (a start)",
       {item("error.log tail", "[Sun Aug 18 10:13:00 2024] [mpm_prefork:notice] [pid 1] AH00163: Apache/2.4.62 "
                               "configured -- resuming normal operations\n")},
       {}},
      {"in items' order, each naming its item",
       {item("error.log tail", kWorkers),
        item("apache2ctl -t", "AH00526: Syntax error on line 12 of /etc/apache2/apache2.conf:\n[exit status 1]",
             Kind::command)},
       {"AH00161 in error.log tail", "AH00526 in apache2ctl -t"}},
      {"a signature without a code goes by its key",
       {item("syslog tail", "Aug 18 10:14:00 web01 apache2[9]: write failed: No space left on device\n")},
       {"disk_full in syslog tail"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<std::string> got;
    for (const auto& cause : likely_causes(c.evidence)) {
      got.push_back((cause.code.empty() ? cause.key : cause.code) + " in " + cause.evidence);
      EXPECT_TRUE(cause.text.starts_with("Likely cause (suggestion): ")) << cause.text;
    }
    EXPECT_EQ(got, c.want);
  }
}

TEST(LikelyCause, SeenOnceIsSingular) {
  const auto causes = likely_causes({item("error.log tail", kWorkers)});
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_NE(causes[0].text.find("; seen 1 time in error.log tail"), std::string::npos) << causes[0].text;
}

}  // namespace
}  // namespace vigil::respond
