#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "probe/logs/access_format.h"

namespace vigil::probe::logs {
namespace {

using namespace std::chrono;

AccessFormat compile_ok(std::string_view f) {
  auto r = AccessFormat::compile(f);
  EXPECT_TRUE(r.ok()) << f << ": " << (r.ok() ? "" : r.error().message);
  return std::move(r).value();
}

sys_seconds utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

// ---- compile ------------------------------------------------------------------------------

struct CompileError {
  const char* format;
  const char* message_contains;
};

TEST(AccessFormatCompile, RejectsWithTheDirectiveNamed) {
  const CompileError cases[] = {
      {"%h %Z %s", "unknown directive %Z at 4"},
      {"%h %{Referer %s", "unterminated %{ at 4"},
      {"%h %", "ends inside a directive"},
      {"%h %D%T", "%D and %T must be separated by literal text"},
      {"%h %>s%b", "%>s and %b must be separated"},
      {"%h %i", "%i needs a header name"},
      {"%h %{%d/%j}t", "unsupported conversion %j in %{%d/%j}t"},
      {"%h %{week}t", "unknown time format %{week}t"},
      {"%h %{min}T", "unsupported unit in %{min}T"},
      {"", "empty log format"},
  };
  for (const auto& c : cases) {
    auto r = AccessFormat::compile(c.format);
    ASSERT_FALSE(r.ok()) << c.format;
    EXPECT_NE(r.error().message.find(c.message_contains), std::string::npos)
        << c.format << " → " << r.error().message;
    EXPECT_EQ(r.error().field, "log_format");
  }
}

TEST(AccessFormatCompile, NamesExpandAndReportWhatTheFormatHas) {
  auto common = compile_ok("common");
  EXPECT_EQ(common.text(), R"(%h %l %u %t "%r" %>s %b)");
  EXPECT_TRUE(common.has_time());
  EXPECT_TRUE(common.has_status());
  EXPECT_FALSE(common.has_duration());
  auto combined = compile_ok("combined");
  EXPECT_EQ(combined.text(), R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i")");
  EXPECT_TRUE(compile_ok("%h %t %>s %D").has_duration());
  EXPECT_TRUE(compile_ok("%h %t %>s %T").has_duration());
}

TEST(AccessFormatCompile, AcceptsTheConfigFileSpellingWithEscapedQuotes) {
  // As copied from apache2.conf: LogFormat "%h ... \"%r\" ..." combined
  auto f = compile_ok(R"("%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"")");
  EXPECT_EQ(f.text(), R"(%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i")");
  AccessRecord r;
  ASSERT_TRUE(f.parse(R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8")", r));
  EXPECT_EQ(r.bytes, 512);
}

TEST(AccessFormatCompile, SkipsDirectivesNobodyReadsAndHonoursModifiers) {
  auto f = compile_ok(R"(%v:%p %h %l %u %t "%r" %>s %O %k %{X-Forwarded-For}e %400,501{Referer}i %%)");
  AccessRecord r;
  ASSERT_TRUE(f.parse(R"(www.example.com:443 10.0.0.1 - bob [18/Aug/2024:10:15:00 +0000] "GET /x HTTP/2.0" 200 1 0 - - %)", r));
  EXPECT_EQ(r.vhost, "www.example.com");
  EXPECT_EQ(r.port, 443);
  EXPECT_EQ(r.user, "bob");
  EXPECT_EQ(r.protocol, "HTTP/2.0");
}

// ---- parse --------------------------------------------------------------------------------

TEST(AccessFormatParse, Common) {
  auto f = compile_ok("common");
  AccessRecord r;
  ASSERT_TRUE(f.parse(R"(192.168.1.20 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?a=1&b=2 HTTP/1.0" 200 2326)", r));
  EXPECT_EQ(r.client, "192.168.1.20");
  EXPECT_EQ(r.ident, "");
  EXPECT_EQ(r.user, "frank");
  EXPECT_TRUE(r.has_time);
  EXPECT_EQ(r.time, utc(2000, 10, 10, 20, 55, 36));
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/apache_pb.gif");
  EXPECT_EQ(r.query, "a=1&b=2");
  EXPECT_EQ(r.protocol, "HTTP/1.0");
  EXPECT_EQ(r.request, "GET /apache_pb.gif?a=1&b=2 HTTP/1.0");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.bytes, 2326);
  EXPECT_FALSE(r.has_duration);
  EXPECT_EQ(r.referer, "");
}

TEST(AccessFormatParse, CombinedWithEscapedQuotesDashSizeAndCRLF) {
  auto f = compile_ok("combined");
  AccessRecord r;
  ASSERT_TRUE(f.parse("10.1.2.3 - - [18/Aug/2024:10:15:00 +0200] \"POST /login HTTP/1.1\" 500 - "
                      "\"https://ex.com/a?b=\\\"c\\\"\" \"Mozilla/5.0 (X11; \\\"Linux\\\")\"\r",
                      r));
  EXPECT_EQ(r.time, utc(2024, 8, 18, 8, 15, 0));
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/login");
  EXPECT_EQ(r.query, "");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.bytes, 0);
  EXPECT_EQ(r.referer, "https://ex.com/a?b=\\\"c\\\"");
  EXPECT_EQ(r.user_agent, "Mozilla/5.0 (X11; \\\"Linux\\\")");
  EXPECT_EQ(r.header("referer"), r.referer);
  EXPECT_EQ(r.header("USER-AGENT"), r.user_agent);
}

TEST(AccessFormatParse, CustomWithDurationsAndRequestId) {
  auto f = compile_ok(R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %T %{X-Request-Id}i)");
  EXPECT_TRUE(f.has_duration());
  AccessRecord r;
  ASSERT_TRUE(f.parse(R"(2001:db8::1 - - [01/Jan/2024:00:00:59 +0000] "GET /api/v1/items?page=2 HTTP/1.1" 404 153 "-" "curl/8.1" 123456 0 req-42)", r));
  EXPECT_EQ(r.client, "2001:db8::1");
  EXPECT_EQ(r.time, utc(2024, 1, 1, 0, 0, 59));
  EXPECT_EQ(r.path, "/api/v1/items");
  EXPECT_EQ(r.query, "page=2");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.referer, "");
  EXPECT_EQ(r.user_agent, "curl/8.1");
  ASSERT_TRUE(r.has_duration);
  EXPECT_EQ(r.duration, microseconds(123456));  // %D wins over %T's whole seconds
  EXPECT_EQ(r.header("x-request-id"), "req-42");
  EXPECT_EQ(r.header("X-Missing"), "");
}

TEST(AccessFormatParse, SecondsFromTWhenThereIsNoD) {
  auto f = compile_ok(R"(%h %t "%r" %>s %T)");
  AccessRecord r;
  ASSERT_TRUE(f.parse(R"(h [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 3)", r));
  EXPECT_EQ(r.duration, seconds(3));
  ASSERT_TRUE(f.parse(R"(h [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 0.250)", r));
  EXPECT_EQ(r.duration, milliseconds(250));
}

TEST(AccessFormatParse, DurationsOfYearsAreMalformedNotAnOverflow) {
  // Found by tests/fuzz: 88888888888444 s * 10^6 overflowed (undefined behaviour).
  AccessRecord r;
  EXPECT_FALSE(compile_ok("%T").parse("88888888888444", r));
  EXPECT_FALSE(compile_ok("%{ms}T").parse("999999999999999999", r));
  ASSERT_TRUE(compile_ok("%T").parse("1000000000", r));  // the largest accepted: ~31 years
  EXPECT_EQ(r.duration, seconds(1'000'000'000));
}

TEST(AccessFormatParse, PieceDirectivesAndClientIpWinsOverHost) {
  auto f = compile_ok(R"(%a %h %A %t %m %U %q %H %s %B %I %O %{ms}T %{X-Cache}o)");
  AccessRecord r;
  ASSERT_TRUE(f.parse("10.0.0.9 proxy.lan 10.0.0.1 [18/Aug/2024:10:15:00 +0000] PUT /u ?x=1 HTTP/1.1 201 10 77 99 12 HIT", r));
  EXPECT_EQ(r.client, "10.0.0.9");
  EXPECT_EQ(r.local_ip, "10.0.0.1");
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.path, "/u");
  EXPECT_EQ(r.query, "x=1");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.bytes_in, 77);
  EXPECT_EQ(r.bytes, 99);  // the last size directive in the format
  EXPECT_EQ(r.duration, milliseconds(12));
  EXPECT_EQ(r.response_header("x-cache"), "HIT");
  EXPECT_EQ(r.header("X-Cache"), "");  // a response header is not a request header
}

TEST(AccessFormatParse, EpochTimeDirectives) {
  auto f = compile_ok("%h %{msec}t %>s");
  AccessRecord r;
  ASSERT_TRUE(f.parse("h 1723976100123 200", r));
  EXPECT_EQ(r.time, utc(2024, 8, 18, 10, 15, 0));
}

TEST(AccessFormatParse, StrftimeTimes) {
  auto f = compile_ok(R"(%h [%{%Y-%m-%dT%H:%M:%S%z}t] "%r" %>s %{SSL_PROTOCOL}x %^FB)");
  AccessRecord r;
  ASSERT_TRUE(f.parse(R"(h [2024-08-18T12:15:07+02:00] "GET / HTTP/1.1" 200 TLSv1.3 12)", r));
  EXPECT_EQ(r.time, utc(2024, 8, 18, 10, 15, 7));
  ASSERT_TRUE(f.parse(R"(h [2024-08-18T10:15:08-0000] "GET / HTTP/1.1" 200 TLSv1.3 12)", r));
  EXPECT_EQ(r.time, utc(2024, 8, 18, 10, 15, 8));
  EXPECT_FALSE(f.parse(R"(h [2024-08-18 10:15:08+0000] "GET / HTTP/1.1" 200 TLSv1.3 12)", r));
  auto g = compile_ok("%h %{%a, %e %b %Y %T %z}t %>s");
  ASSERT_TRUE(g.parse("h Sun,  4 Aug 2024 10:15:09 +0000 200", r));
  EXPECT_EQ(r.time, utc(2024, 8, 4, 10, 15, 9));
  auto e = compile_ok("%h %{end:%s}t %>s");
  ASSERT_TRUE(e.parse("h 1723976100 200", r));
  EXPECT_EQ(r.time, utc(2024, 8, 18, 10, 15, 0));
}

TEST(AccessFormatParse, OddRequestLinesAreRealRequests) {
  auto f = compile_ok("common");
  AccessRecord r;
  ASSERT_TRUE(f.parse(R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "-" 408 -)", r));
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(r.method, "");
  EXPECT_EQ(r.path, "");
  ASSERT_TRUE(f.parse(R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "\x16\x03\x01" 400 226)", r));
  EXPECT_EQ(r.status, 400);
  ASSERT_TRUE(f.parse(R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "GET /a b HTTP/1.1" 400 226)", r));
  EXPECT_EQ(r.path, "/a b");
  EXPECT_EQ(r.protocol, "HTTP/1.1");
}

TEST(AccessFormatParse, ToleratesFieldsAppendedToTheFormat) {
  auto f = compile_ok("combined");
  AccessRecord r;
  ASSERT_TRUE(f.parse(R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" 1234 www)", r));
  auto c = compile_ok("common");
  ASSERT_TRUE(c.parse(R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua")", r));
  EXPECT_EQ(r.bytes, 5);
}

TEST(AccessFormatParse, RejectsMalformedLines) {
  auto f = compile_ok("combined");
  const char* bad[] = {
      "",
      "garbage",
      R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 5 "-" "trunc)",      // truncated
      R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1)",                       // truncated
      R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1" 2x0 5 "-" "ua")",       // status
      R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1" 20 5 "-" "ua")",        // status
      R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1" 2000 5 "-" "ua")",      // status
      R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 5k "-" "ua")",      // size
      R"(10.0.0.1 - - [18/Foo/2024:10:15:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua")",       // month
      R"(10.0.0.1 - - [18/Aug/2024:25:15:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua")",       // hour
      R"(10.0.0.1 - - [18/Aug/2024:10:15:00] "GET / HTTP/1.1" 200 5 "-" "ua")",             // no zone
      R"(10.0.0.1 - - [18/Aug/2024:10:15:00 0000] "GET / HTTP/1.1" 200 5 "-" "ua")",        // zone sign
      R"(10.0.0.1 - - 18/Aug/2024:10:15:00 +0000 "GET / HTTP/1.1" 200 5 "-" "ua")",         // brackets
      R"(10.0.0.1 - - [18/Aug/2024:10:15:00 +0000] GET / HTTP/1.1 200 5 "-" "ua")",         // quotes
  };
  AccessRecord r;
  for (const char* line : bad) EXPECT_FALSE(f.parse(line, r)) << line;
}

TEST(AccessFormatParse, EveryTruncationOfACombinedLineIsRejected) {
  auto f = compile_ok("combined");
  const std::string line =
      R"(10.0.0.1 - bob [18/Aug/2024:10:15:00 +0000] "GET /a/very/long/path/to/something?x=1 HTTP/1.1" 200 512 )"
      R"("https://www.example.com/with/a/long/referer" "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101")";
  AccessRecord r;
  ASSERT_TRUE(f.parse(line, r));
  for (std::size_t n = 0; n < line.size(); ++n) {
    // Copied so that AddressSanitizer sees a read past the truncated end.
    const std::unique_ptr<char[]> copy(new char[n ? n : 1]);
    std::memcpy(copy.get(), line.data(), n);
    EXPECT_FALSE(f.parse(std::string_view(copy.get(), n), r)) << n;
  }
}

TEST(AccessFormatParse, TimeCacheFollowsZoneAndMinuteChanges) {
  auto f = compile_ok("%h %t %>s");
  AccessRecord r;  // reused: the cache must never hand back a stale minute or zone
  struct Case {
    const char* line;
    sys_seconds want;
  };
  const Case cases[] = {
      {"h [18/Aug/2024:10:15:00 +0000] 200", utc(2024, 8, 18, 10, 15, 0)},
      {"h [18/Aug/2024:10:15:59 +0000] 200", utc(2024, 8, 18, 10, 15, 59)},
      {"h [18/Aug/2024:10:15:59 -0130] 200", utc(2024, 8, 18, 11, 45, 59)},
      {"h [18/Aug/2024:10:16:00 -0130] 200", utc(2024, 8, 18, 11, 46, 0)},
      {"h [29/Feb/2024:23:59:59 +0000] 200", utc(2024, 2, 29, 23, 59, 59)},
      {"h [01/Jan/2025:00:30:00 +0100] 200", utc(2024, 12, 31, 23, 30, 0)},
      {"h [31/dec/1999:23:59:60 +0000] 200", utc(2000, 1, 1, 0, 0, 0)},  // leap second, lower case
  };
  for (const auto& c : cases) {
    ASSERT_TRUE(f.parse(c.line, r)) << c.line;
    EXPECT_EQ(r.time, c.want) << c.line;
  }
}

}  // namespace
}  // namespace vigil::probe::logs
