#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "oncall/schedule.h"

namespace vigil::oncall {
namespace {

Time T(const char* text) { return *parse_rfc3339(text); }

Schedule weekly_schedule(const std::string& name) {
  config::ScheduleConfig c;
  c.name = name;
  c.time_zone = "UTC";
  config::LayerConfig l;
  l.name = "primary";
  l.start = std::chrono::local_days{std::chrono::year{2024} / 8 / 19} + std::chrono::hours(9);
  l.rotation = std::chrono::hours(24 * 7);
  l.users = {"alice", "bob"};
  c.layers = {l};
  return *Schedule::make(c);
}

std::vector<std::string> physical_lines(const std::string& ics) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < ics.size()) {
    const auto end = ics.find("\r\n", pos);
    if (end == std::string::npos) {
      lines.push_back(ics.substr(pos));
      break;
    }
    lines.push_back(ics.substr(pos, end - pos));
    pos = end + 2;
  }
  return lines;
}

std::string unfold(std::string ics) {
  for (auto p = ics.find("\r\n "); p != std::string::npos; p = ics.find("\r\n ", p)) ics.erase(p, 3);
  return ics;
}

TEST(Ical, TwoShiftsExactText) {
  const auto s = weekly_schedule("web-primary");
  const auto shifts = s.shifts(T("2024-08-19T09:00:00Z"), T("2024-09-02T09:00:00Z"));
  ASSERT_EQ(shifts.size(), 2u);
  const std::vector<config::UserConfig> users = {{"alice", "Alice Smith"}, {"bob", ""}};
  const std::string expected =
      "BEGIN:VCALENDAR\r\n"
      "VERSION:2.0\r\n"
      "PRODID:-//vigil//oncall//EN\r\n"
      "CALSCALE:GREGORIAN\r\n"
      "METHOD:PUBLISH\r\n"
      "X-WR-CALNAME:web-primary\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:web-primary-1724058000-alice@vigil\r\n"
      "DTSTAMP:20240818T120000Z\r\n"
      "DTSTART:20240819T090000Z\r\n"
      "DTEND:20240826T090000Z\r\n"
      "SUMMARY:On call: Alice Smith\r\n"
      "END:VEVENT\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:web-primary-1724662800-bob@vigil\r\n"
      "DTSTAMP:20240818T120000Z\r\n"
      "DTSTART:20240826T090000Z\r\n"
      "DTEND:20240902T090000Z\r\n"
      "SUMMARY:On call: bob\r\n"  // no name: the id
      "END:VEVENT\r\n"
      "END:VCALENDAR\r\n";
  EXPECT_EQ(to_ical(s, shifts, users, T("2024-08-18T12:00:00.250Z")), expected);
}

TEST(Ical, EmptyFeedIsAValidCalendar) {
  const auto s = weekly_schedule("web-primary");
  EXPECT_EQ(to_ical(s, {}, {}, T("2024-08-18T12:00:00Z")),
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//vigil//oncall//EN\r\nCALSCALE:GREGORIAN\r\n"
            "METHOD:PUBLISH\r\nX-WR-CALNAME:web-primary\r\nEND:VCALENDAR\r\n");
}

TEST(Ical, EscapesTextValues) {
  const auto s = weekly_schedule("ops; web, \"primary\"");
  const std::vector<Shift> shifts = {{"alice", T("2024-08-19T09:00:00Z"), T("2024-08-20T09:00:00Z"), "primary"}};
  const std::vector<config::UserConfig> users = {{"alice", "Smith, Alice; \\ops\\\nsecond line\r\nthird"}};
  const auto ics = to_ical(s, shifts, users, T("2024-08-18T12:00:00Z"));
  EXPECT_NE(ics.find("X-WR-CALNAME:ops\\; web\\, \"primary\"\r\n"), std::string::npos) << ics;
  EXPECT_NE(unfold(ics).find("SUMMARY:On call: Smith\\, Alice\\; \\\\ops\\\\\\nsecond line\\nthird\r\n"),
            std::string::npos)
      << ics;
  EXPECT_NE(ics.find("UID:ops\\; web\\, \"primary\"-1724058000-alice@vigil\r\n"), std::string::npos) << ics;
}

TEST(Ical, FoldsLongLinesAt75OctetsWithCrlf) {
  const auto s = weekly_schedule("web-primary");
  const std::string long_name =
      "Alexandra Konstantinopoulou-Vanderbilt-Montgomery-Featherstonehaugh, the Third of Her Name, "
      "Keeper of the Pager and Warden of the Runbooks";
  const std::vector<Shift> shifts = {{"alex", T("2024-08-19T09:00:00Z"), T("2024-08-20T09:00:00Z"), "primary"}};
  const auto ics = to_ical(s, shifts, {{"alex", long_name}}, T("2024-08-18T12:00:00Z"));

  const std::string summary = "SUMMARY:On call: Alexandra Konstantinopoulou-Vanderbilt-Montgomery-"
                              "Featherstonehaugh\\, the Third of Her Name\\, Keeper of the Pager and "
                              "Warden of the Runbooks";
  ASSERT_GT(summary.size(), 75u + 74u);  // three physical lines
  const std::string folded = summary.substr(0, 75) + "\r\n " + summary.substr(75, 74) + "\r\n " +
                             summary.substr(149) + "\r\n";
  EXPECT_NE(ics.find(folded), std::string::npos) << ics;

  for (const auto& line : physical_lines(ics)) EXPECT_LE(line.size(), 75u) << line;
  EXPECT_NE(unfold(ics).find(summary + "\r\n"), std::string::npos);
  // CRLF everywhere: no bare LF or CR.
  for (std::size_t i = 0; i < ics.size(); ++i) {
    if (ics[i] == '\n') {
      ASSERT_TRUE(i > 0 && ics[i - 1] == '\r') << "bare LF at " << i;
    }
    if (ics[i] == '\r') {
      ASSERT_TRUE(i + 1 < ics.size() && ics[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  EXPECT_EQ(ics.substr(ics.size() - 2), "\r\n");
}

TEST(Ical, FoldingNeverSplitsUtf8) {
  const auto s = weekly_schedule("web-primary");
  std::string name;
  for (int i = 0; i < 40; ++i) name += "\xC3\xA9";  // é, two octets each
  const std::vector<Shift> shifts = {{"zoe", T("2024-08-19T09:00:00Z"), T("2024-08-20T09:00:00Z"), "primary"}};
  const auto ics = to_ical(s, shifts, {{"zoe", "Zo\xC3\xAB " + name}}, T("2024-08-18T12:00:00Z"));
  for (const auto& line : physical_lines(ics)) {
    EXPECT_LE(line.size(), 75u);
    if (line.empty()) continue;
    // A physical line never starts (after the fold space) or ends inside a sequence.
    const std::size_t first = line[0] == ' ' ? 1 : 0;
    if (first < line.size()) {
      EXPECT_NE(static_cast<unsigned char>(line[first]) & 0xC0, 0x80) << line;
    }
    EXPECT_FALSE(static_cast<unsigned char>(line.back()) >= 0xC0) << line;
  }
  EXPECT_NE(unfold(ics).find("SUMMARY:On call: Zo\xC3\xAB " + name + "\r\n"), std::string::npos);
}

}  // namespace
}  // namespace vigil::oncall
