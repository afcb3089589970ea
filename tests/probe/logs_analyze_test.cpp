#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "probe/logs/analyze.h"

namespace vigil::probe::logs {
namespace {

using namespace std::chrono;

const sys_seconds kT0 = sys_days{year{2024} / 8 / 18} + hours{10};

// A generated log with known counts: 120 requests over 3 minutes (10:00:00 .. 10:02:59 UTC),
// 40 per minute except minute 10:01 with 50; plus 3 malformed lines and an empty one.
//   paths: /login every 4th request (5xx on every 8th request), /api/items?page=N every 4th
//   (404 every 12th request), / otherwise; clients c0..c9; bytes 100 each; %D = 1000 µs × (1 + i % 10).
std::string generated_log(std::uint64_t* requests_out) {
  std::string log;
  std::uint64_t n = 0;
  auto add = [&](sys_seconds t, int i) {
    const char* path = i % 4 == 0 ? "/login" : i % 4 == 1 ? "/api/items?page=3" : "/";
    int status = 200;
    if (i % 8 == 0) status = 500;
    else if (i % 12 == 1) status = 404;
    auto secs = t.time_since_epoch().count() % 60;
    auto mins = (t.time_since_epoch().count() / 60) % 60;
    log += "c" + std::to_string(i % 10) + " - - [18/Aug/2024:12:" + (mins < 10 ? "0" : "") + std::to_string(mins) +
           ":" + (secs < 10 ? "0" : "") + std::to_string(secs) + " +0200] \"GET " + path + " HTTP/1.1\" " +
           std::to_string(status) + " 100 \"-\" \"test\" " + std::to_string(1000 * (1 + i % 10)) + "\n";
    ++n;
  };
  int i = 0;
  for (int s = 0; s < 40; ++s) add(kT0 + seconds(s), i++);
  for (int s = 0; s < 50; ++s) add(kT0 + 60s + seconds(s), i++);
  log += "this is not a log line\n\n";
  for (int s = 0; s < 30; ++s) add(kT0 + 120s + seconds(s * 2), i++);
  log += "c1 - - [18/Aug/2024:12:02:59 +0200] \"GET / HTTP/1.1\" 2OO 100 \"-\" \"test\" 5\n";
  log += "c1 - - [18/Aug/2024:12:02:59 +0200] \"GET / HTTP/1.1\" 200 100 \"-\" \"trunc";  // no final \n
  *requests_out = n;
  return log;
}

const char* kFormat = R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D)";

TEST(Analyze, CountsEverythingOnAGeneratedLog) {
  std::uint64_t want_requests = 0;
  const std::string log = generated_log(&want_requests);
  auto fmt = AccessFormat::compile(kFormat);
  ASSERT_TRUE(fmt.ok());
  AnalyzeOptions opt;
  opt.top = 3;
  Summary s = analyze(log, *fmt, opt);

  ASSERT_EQ(want_requests, 120u);
  EXPECT_EQ(s.lines, 123u);  // the empty line is not a line
  EXPECT_EQ(s.malformed, 3u);
  EXPECT_EQ(s.requests, 120u);
  ASSERT_TRUE(s.first && s.last);
  EXPECT_EQ(*s.first, kT0);
  EXPECT_EQ(*s.last, kT0 + 120s + 58s);
  // i % 8 == 0: 15 × 500; i % 12 == 1 (never also i % 8 == 0): 10 × 404.
  EXPECT_EQ(s.status_class[5], 15u);
  EXPECT_EQ(s.status_class[4], 10u);
  EXPECT_EQ(s.status_class[2], 95u);
  ASSERT_EQ(s.top_statuses.size(), 3u);
  EXPECT_EQ(s.top_statuses[0], (std::pair<int, std::uint64_t>{200, 95}));
  EXPECT_EQ(s.top_statuses[1], (std::pair<int, std::uint64_t>{500, 15}));
  EXPECT_EQ(s.top_statuses[2], (std::pair<int, std::uint64_t>{404, 10}));

  ASSERT_EQ(s.top_paths.size(), 3u);
  EXPECT_EQ(s.top_paths[0].path, "/");
  EXPECT_EQ(s.top_paths[0].count, 60u);
  EXPECT_EQ(s.top_paths[1].path, "/api/items");  // without the query
  EXPECT_EQ(s.top_paths[1].count, 30u);
  EXPECT_EQ(s.top_paths[2].path, "/login");
  EXPECT_EQ(s.top_paths[2].count, 30u);
  ASSERT_EQ(s.top_5xx_paths.size(), 1u);
  EXPECT_EQ(s.top_5xx_paths[0].path, "/login");
  EXPECT_EQ(s.top_5xx_paths[0].count, 15u);
  EXPECT_EQ(s.top_5xx_paths[0].requests, 30u);
  ASSERT_EQ(s.top_4xx_paths.size(), 1u);
  EXPECT_EQ(s.top_4xx_paths[0].path, "/api/items");  // i % 12 == 1 → i % 4 == 1
  EXPECT_EQ(s.top_4xx_paths[0].count, 10u);

  ASSERT_TRUE(s.has_duration);
  // 1..10 ms evenly: the 60th of 120 is 5 ms, reported as its bucket's midpoint (≤ 1/32 off).
  EXPECT_NEAR(static_cast<double>(s.p50.count()), 5'000, 5'000.0 / 32);
  EXPECT_NEAR(static_cast<double>(s.p95.count()), 10'000, 10'000.0 / 32);
  EXPECT_EQ(s.unique_clients, 10u);
  EXPECT_EQ(s.unique_clients_5xx, 5u);  // 500s go to i % 8 == 0: clients c0, c2, c4, c6, c8
  ASSERT_TRUE(s.busiest_minute);
  EXPECT_EQ(*s.busiest_minute, kT0 + 60s);
  EXPECT_EQ(s.busiest_minute_requests, 50u);
  EXPECT_EQ(s.bytes, 12000u);
}

TEST(Analyze, PiecesGiveTheSameSummaryAsTheWhole) {
  std::uint64_t n = 0;
  const std::string log = generated_log(&n);
  auto fmt = AccessFormat::compile(kFormat);
  ASSERT_TRUE(fmt.ok());
  const Summary whole = analyze(log, *fmt, {});
  Analyzer pieces(*fmt, {});
  std::size_t at = 0;
  for (std::size_t lines_per_piece = 1; at < log.size(); lines_per_piece = lines_per_piece % 7 + 1) {
    std::size_t end = at;
    for (std::size_t k = 0; k < lines_per_piece && end < log.size(); ++k) {
      const std::size_t nl = log.find('\n', end);
      end = nl == std::string::npos ? log.size() : nl + 1;
    }
    std::string piece = log.substr(at, end - at);  // dies after add(): the Summary owns its paths
    pieces.add(piece);
    piece.assign(piece.size(), 'x');
    at = end;
  }
  const Summary s = pieces.finish();
  EXPECT_EQ(s.lines, whole.lines);
  EXPECT_EQ(s.malformed, whole.malformed);
  EXPECT_EQ(s.requests, whole.requests);
  EXPECT_EQ(s.unique_clients, whole.unique_clients);
  EXPECT_EQ(s.p95, whole.p95);
  ASSERT_EQ(s.top_paths.size(), whole.top_paths.size());
  for (std::size_t i = 0; i < s.top_paths.size(); ++i) {
    EXPECT_EQ(s.top_paths[i].path, whole.top_paths[i].path);
    EXPECT_EQ(s.top_paths[i].count, whole.top_paths[i].count);
  }
  EXPECT_EQ(s.busiest_minute, whole.busiest_minute);
}

TEST(Analyze, FromToKeepsTheHalfOpenRange) {
  std::uint64_t n = 0;
  const std::string log = generated_log(&n);
  auto fmt = AccessFormat::compile(kFormat);
  ASSERT_TRUE(fmt.ok());
  AnalyzeOptions opt;
  opt.from = kT0 + 60s;
  opt.to = kT0 + 120s;
  Summary s = analyze(log, *fmt, opt);
  EXPECT_EQ(s.requests, 50u);
  EXPECT_EQ(s.filtered, 70u);
  EXPECT_EQ(*s.first, kT0 + 60s);
  EXPECT_EQ(*s.last, kT0 + 109s);
}

TEST(Analyze, ReportsAsTextAndJson) {
  std::uint64_t n = 0;
  const std::string log = generated_log(&n);
  auto fmt = AccessFormat::compile(kFormat);
  ASSERT_TRUE(fmt.ok());
  Summary s = analyze(log, *fmt, {});
  const std::string text = format_summary_text(s, *fmt);
  for (const char* want : {"lines            123 (3 malformed)", "requests         120",
                           "status           2xx 79.2% (95)  3xx 0.0% (0)  4xx 8.3% (10)  5xx 12.5% (15)",
                           "top statuses     200 95  500 15  404 10", "latency          p50 5.0ms",
                           "unique clients   10", "busiest minute   2024-08-18T10:01:00Z (50 requests)",
                           "time span        2024-08-18T10:00:00Z .. 2024-08-18T10:02:58Z (2m58s)",
                           "top 5xx paths", "50.0% of 30           /login"}) {
    EXPECT_NE(text.find(want), std::string::npos) << "missing: " << want << "\n" << text;
  }
  auto json = boost::json::parse(format_summary_json(s, *fmt)).as_object();
  EXPECT_EQ(json.at("requests").to_number<std::uint64_t>(), 120u);
  EXPECT_EQ(json.at("malformed").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(json.at("status_class").at("5xx").to_number<std::uint64_t>(), 15u);
  EXPECT_EQ(json.at("top_paths").at(0).at("path").as_string(), "/");
  EXPECT_EQ(json.at("top_5xx_paths").at(0).at("requests").to_number<std::uint64_t>(), 30u);
  EXPECT_EQ(json.at("latency_us").at("p50").to_number<std::int64_t>(), s.p50.count());
  EXPECT_EQ(json.at("busiest_minute").at("start").as_string(), "2024-08-18T10:01:00Z");
  EXPECT_EQ(json.at("first").as_string(), "2024-08-18T10:00:00Z");
}

TEST(Analyze, RequestsWithoutARequestLine) {
  auto fmt = AccessFormat::compile("common");
  ASSERT_TRUE(fmt.ok());
  const std::string log =
      "10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] \"-\" 408 -\n"
      "10.0.0.2 - - [18/Aug/2024:10:15:01 +0000] \"-\" 408 -\r\n"
      "10.0.0.2 - - [18/Aug/2024:10:15:02 +0000] \"GET /x HTTP/1.1\" 200 5\n";
  Summary s = analyze(log, *fmt, {});
  EXPECT_EQ(s.requests, 3u);
  EXPECT_EQ(s.malformed, 0u);
  EXPECT_EQ(s.unique_clients, 2u);
  ASSERT_EQ(s.top_4xx_paths.size(), 1u);
  EXPECT_EQ(s.top_4xx_paths[0].path, "");
  EXPECT_EQ(s.top_4xx_paths[0].count, 2u);
  EXPECT_NE(format_summary_text(s, *fmt).find("(none)"), std::string::npos);
}

TEST(Analyze, EmptyInputAndNoDuration) {
  auto fmt = AccessFormat::compile("common");
  ASSERT_TRUE(fmt.ok());
  Summary s = analyze("", *fmt, {});
  EXPECT_EQ(s.lines, 0u);
  EXPECT_FALSE(s.first);
  EXPECT_FALSE(s.has_duration);
  const std::string text = format_summary_text(s, *fmt);
  EXPECT_NE(text.find("latency          - (the format has no %D or %T)"), std::string::npos) << text;
  auto json = boost::json::parse(format_summary_json(s, *fmt)).as_object();
  EXPECT_TRUE(json.at("latency_us").is_null());
  EXPECT_TRUE(json.at("busiest_minute").is_null());
}

}  // namespace
}  // namespace vigil::probe::logs
