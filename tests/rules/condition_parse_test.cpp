#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "rules/condition.h"

namespace vigil::rules {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(ConditionParse, AcceptsTheLanguage) {
  const char* accepted[] = {
      "status == 200",
      "status != 200",
      "status < 400",
      "status <= 399",
      "status > 199",
      "status >= 200",
      "response_time < 800ms",
      "response_time < 1h30m",
      "cert_expires_in > 14d",
      "error_rate < 5%",
      "ratio == 0.5",
      R"(body contains "Sign in")",
      R"(header["Content-Type"] matches "json")",
      R"(body matches "\d+ items")",
      R"(body matches "^ok$")",
      "json.user.id != 0",
      R"(json.items.0.name == "first")",
      R"(json["user-id"] == 1)",
      R"(json.data["user-id"] == 1)",
      "reachable",
      "true",
      "not reachable",
      "not not reachable",
      "(status == 200)",
      "((status == 200))",
      "status == 200 and response_time < 800ms",
      "status == 200 or status == 204",
      "not (status >= 500) and reachable",
      "status + 1 == 201",
      "-status < 0",
      "- -status > 0",
      "2 * 3 + 1 == 7",
      "(2 + 3) * 2 == 10",
      "json.x == null",
      "error == \"\"",
      R"("say \"hi\"" == msg)",
      "  status == 200  ",
      "status==200",
      "status>=-1",
      "a.b_c.d9 == 1",
      // Figures of the other check types, and the selector forms NAME("arg").field / NAME["arg"].field.
      "busy_workers_ratio < 90%",
      "scoreboard.waiting > 0",
      "status.5xx == 0",
      "ah.AH00161 == 0",
      "p95 < 800ms",
      R"(path("/login").error_rate < 5%)",
      R"(path["/login"].error_rate < 5%)",
      R"(path("/login").p95 < 800ms and path("/login").requests > 0)",
      R"(path("/a.b").status.5xx == 0)",
      R"(disk["/var"].used_ratio < 90%)",
      R"(pattern["oom-killer"] == 0)",
      R"(path ( "/x" ) .p95 < 1s)",
  };
  for (const char* text : accepted) {
    auto parsed = Condition::parse(text);
    if (auto* err = std::get_if<ParseError>(&parsed)) {
      ADD_FAILURE() << "rejected: " << text << "\n  column " << err->column << ": " << err->message;
      continue;
    }
    EXPECT_EQ(std::get<Condition>(parsed).text(), text);
  }
}

struct Rejected {
  const char* text;
  int column;
  std::string message;  // exact unless `prefix`
  bool prefix = false;
};

TEST(ConditionParse, RejectsWithColumnAndMessage) {
  const Rejected cases[] = {
      {"", 1, "empty condition"},
      {"   ", 1, "empty condition"},
      {"status ==", 10, "expected a value after '=='"},
      {"status == ", 11, "expected a value after '=='"},
      {"status == )", 11, "expected a value after '=='"},
      {"status == not reachable", 11, "expected a value after '=='"},
      {"status =< 200", 8, "unknown operator '=<' (did you mean '<='?)"},
      {"status = 200", 8, "unknown operator '=' (did you mean '=='?)"},
      {"status => 200", 8, "unknown operator '=>' (did you mean '>='?)"},
      {"status && reachable", 8, "unknown operator '&&' (use 'and')"},
      {"status || reachable", 8, "unknown operator '||' (use 'or')"},
      {"!reachable", 1, "unknown operator '!' (use 'not')"},
      {R"(body contains "abc)", 15, "unterminated string"},
      {R"(body contains "abc\")", 15, "unterminated string"},
      {"status == 200)", 14, "unexpected ')'"},
      {")", 1, "unexpected ')'"},
      {"status == 200 foo", 15, "trailing input 'foo'"},
      {"status == 200 foo bar  ", 15, "trailing input 'foo bar'"},
      {"status 200", 8, "trailing input '200'"},
      {"(status == 200", 15, "missing ')' to close '(' at column 1"},
      {"x and (status == 200 reachable", 22, "expected ')' to close '(' at column 7, got 'reachable'"},
      {"()", 2, "expected a value after '('"},
      {"== 200", 1, "expected a value, got '=='"},
      {"and", 1, "expected a value, got 'and'"},
      {"not", 4, "expected a value after 'not'"},
      {"status == 200 and", 18, "expected a value after 'and'"},
      {"status == 200 or or", 18, "expected a value after 'or'"},
      {"status + * 2 == 1", 10, "expected a value after '+'"},
      {"-", 2, "expected a value after '-'"},
      {"1 < status < 3", 12, "comparisons cannot be chained: '<' follows a comparison (combine them with 'and')"},
      {"status == 200 == true", 15, "comparisons cannot be chained: '==' follows a comparison (combine them with 'and')"},
      {"body matches status", 14, "expected a string literal (the regex) after 'matches'"},
      {"body matches", 13, "expected a string literal (the regex) after 'matches'"},
      {"response_time < 1.5s", 17,
       "invalid duration '1.5s': fractions are not supported, use a smaller unit (1500ms, not 1.5s)"},
      {"response_time < 5x", 17, R"(invalid duration "5x": unknown unit "x" (ms, s, m, h, d, w))"},
      {"response_time < 5s3", 17, R"(invalid duration "5s3": missing unit (ms, s, m, h, d, w))"},
      {"status + 1", 1, "'status + 1' is arithmetic, not a condition (compare it with ==, <, contains, ...)"},
      {"200", 1, "'200' is a number, not a condition (compare it with ==, <, contains, ...)"},
      {"reachable and 5", 15, "'5' is a number, not a condition (compare it with ==, <, contains, ...)"},
      {"not \"x\"", 5, "'\"x\"' is a string, not a condition (compare it with ==, <, contains, ...)"},
      {"null or reachable", 1, "'null' is null, not a condition (compare it with ==, <, contains, ...)"},
      {"(1 + 2)", 2, "'1 + 2' is arithmetic, not a condition (compare it with ==, <, contains, ...)"},
      {"header[Content] == 1", 8, "expected a string after 'header['"},
      {R"(header["a" == 1)", 12, "expected ']' to close '[' at column 7"},
      {"json. == 1", 6, "expected a field name after 'json.'"},
      {"json.a..b == 1", 8, "expected a field name after 'json.a.'"},
      {"status == 'x'", 11, "unexpected character ''' (strings use double quotes)"},
      {"status == 200 # note", 15, "unexpected character '#'"},
      {"status == 200 & x", 15, "unknown operator '&' (use 'and')"},
      // Selectors: NAME("arg").field and NAME["arg"].field.
      {R"(path(/login).error_rate < 5%)", 6, "expected a string after 'path('"},
      {R"(path(login).error_rate < 5%)", 6, "expected a string after 'path('"},
      {R"(path().error_rate < 5%)", 6, "expected a string after 'path('"},
      {R"(path("/login".error_rate < 5%)", 14, "expected ')' to close '(' at column 5"},
      {R"(path("/login"] < 5%)", 14, "expected ')' to close '(' at column 5"},
      {R"(path("/a", "b").x == 1)", 10, "unexpected character ','"},
      {R"(path("/login") < 5%)", 16, R"(expected a field after 'path("/login")', e.g. path("/login").error_rate)"},
      {R"(path("/login"))", 15, R"(expected a field after 'path("/login")', e.g. path("/login").error_rate)"},
      {R"(path("/login"). < 5%)", 16, R"(expected a field name after 'path("/login").')"},
      {R"(path["/login"]. < 5%)", 16, R"(expected a field name after 'path["/login"].')"},
      {R"(path("/x").a. == 1)", 14, R"(expected a field name after 'path("/x").a.')"},
      {R"(path[/login].p95 < 1s)", 6, "expected a string after 'path['"},
      {R"(header("X") == "y")", 7, R"('header' takes a subscript, not a call: header["..."])"},
      {R"(json.a("b").c == 1)", 7, R"('json.a' takes a subscript, not a call: json.a["..."])"},
      {R"(header["X"].y == 1)", 12, R"('.y' cannot follow header["X"]: a header has no fields)"},
      {R"(json["a-b"].c == 1)", 12, R"('.c' cannot follow json["a-b"]: a subscript must be the last part of a JSON path)"},
      {"status == .5", 11, "expected a value after '=='"},
      {"status .x == 1", 8, "trailing input '.x == 1'"},
      {R"(path("/é").p95 < 1x)", 18, R"(invalid duration "1x": unknown unit "x" (ms, s, m, h, d, w))"},
      // Columns count characters, not bytes: "é" is two bytes, one column.
      {R"(body == "é" == 1)", 13, "comparisons cannot be chained: '==' follows a comparison (combine them with 'and')"},
      {"é == 1", 1, "unexpected character 'é'"},
      // The regex is reported at its own column with RE2's message.
      {R"(body matches "(unclosed")", 14, "invalid regex: missing ): (unclosed", true},
      {R"(body matches "a**")", 14, "invalid regex: bad repetition operator", true},
  };
  for (const auto& c : cases) {
    auto parsed = Condition::parse(c.text);
    const auto* err = std::get_if<ParseError>(&parsed);
    if (!err) {
      ADD_FAILURE() << "accepted: " << c.text;
      continue;
    }
    EXPECT_EQ(err->column, c.column) << c.text << "\n  " << err->message;
    if (c.prefix) {
      EXPECT_THAT(err->message, StartsWith(c.message)) << c.text;
    } else {
      EXPECT_EQ(err->message, c.message) << c.text;
    }
  }
}

TEST(ConditionParse, NestingIsBounded) {
  auto nested = [](int n) { return std::string(n, '(') + "reachable" + std::string(n, ')'); };
  EXPECT_TRUE(std::holds_alternative<Condition>(Condition::parse(nested(150))));
  auto deep = Condition::parse(nested(5000));
  ASSERT_TRUE(std::holds_alternative<ParseError>(deep));
  EXPECT_EQ(std::get<ParseError>(deep).column, 201);
  EXPECT_EQ(std::get<ParseError>(deep).message, "condition is nested too deeply (more than 200 levels)");

  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_TRUE(std::holds_alternative<ParseError>(Condition::parse(nots + "reachable")));

  std::string sum = "status";
  for (int i = 0; i < 5000; ++i) sum += " + 1";
  auto long_chain = Condition::parse(sum + " > 0");
  ASSERT_TRUE(std::holds_alternative<ParseError>(long_chain));
  EXPECT_THAT(std::get<ParseError>(long_chain).message, HasSubstr("nested too deeply"));
}

TEST(ConditionParse, CopiesAndMovesShareTheCompiledTree) {
  auto parsed = Condition::parse(R"(body matches "^a+$")");
  ASSERT_TRUE(std::holds_alternative<Condition>(parsed));
  Condition a = std::get<Condition>(std::move(parsed));
  Condition b = a;  // copy
  Condition c = std::move(a);
  Variables vars = [](std::string_view name, std::string_view) -> std::optional<Value> {
    if (name == "body") return Value{std::string("aaa")};
    return std::nullopt;
  };
  EXPECT_TRUE(b.evaluate(vars).passed);
  EXPECT_TRUE(c.evaluate(vars).passed);
  EXPECT_EQ(b.text(), R"(body matches "^a+$")");
  // A moved-from condition fails instead of crashing.
  EXPECT_FALSE(a.evaluate(vars).passed);  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace vigil::rules
