#include "config/env_expand.h"

#include <gtest/gtest.h>

#include <map>

namespace vigil::config::detail {
namespace {

EnvLookup fake_env() {
  static const std::map<std::string, std::string, std::less<>> vars = {{"HOST", "db.local"}, {"EMPTY", ""}};
  return [](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ExpandEnv, Substitutes) {
  struct Case { const char* in; const char* out; };
  const Case cases[] = {
      {"plain", "plain"},
      {"${HOST}", "db.local"},
      {"http://${HOST}:80/", "http://db.local:80/"},
      {"${MISSING:-30s}", "30s"},
      {"${HOST:-other}", "db.local"},
      {"${EMPTY:-fallback}", "fallback"},  // `:-` covers set-but-empty, as in the shell
      {"${EMPTY}", ""},
      {"${MISSING:-}", ""},
      {"cost: $$5", "cost: $5"},
      {"$${HOST}", "${HOST}"},  // escaped: not expanded
      {"^ok$", "^ok$"},         // a lone `$` stays, so regexes need no escaping
      {"a $ b", "a $ b"},
      {"$", "$"},
  };
  for (const auto& c : cases) {
    auto r = expand_env(c.in, fake_env());
    ASSERT_TRUE(std::holds_alternative<Expanded>(r)) << c.in << ": " << std::get<ExpandError>(r).message;
    EXPECT_EQ(std::get<Expanded>(r).text, c.out) << c.in;
  }
}

TEST(ExpandEnv, ReportsTheOffendingDollar) {
  struct Case { const char* in; std::size_t index; const char* message; };
  const Case cases[] = {
      {"x ${MISSING} y", 2, "environment variable MISSING is not set"},
      {"${HOST} ${NOPE}", 8, "environment variable NOPE is not set"},
      {"a${HOST", 1, "unterminated \"${\": expected \"}\""},
      {"${}", 0, "invalid environment variable name \"\" (letters, digits and _, not starting with a digit)"},
      {"${1X}", 0, "invalid environment variable name \"1X\" (letters, digits and _, not starting with a digit)"},
      {"${A-B}", 0, "invalid environment variable name \"A-B\" (letters, digits and _, not starting with a digit)"},
  };
  for (const auto& c : cases) {
    auto r = expand_env(c.in, fake_env());
    ASSERT_TRUE(std::holds_alternative<ExpandError>(r)) << c.in;
    EXPECT_EQ(std::get<ExpandError>(r).index, c.index) << c.in;
    EXPECT_EQ(std::get<ExpandError>(r).message, c.message) << c.in;
  }
}

TEST(ExpandEnv, OriginMapsOutputBackToInput) {
  auto r = std::get<Expanded>(expand_env("a${HOST}b$$c", fake_env()));
  ASSERT_EQ(r.text, "adb.localb$c");
  // a ← 0; "db.local" ← 1 (its `$`); b ← 8; $ ← 9; c ← 11; end ← 12.
  std::vector<std::size_t> want = {0, 1, 1, 1, 1, 1, 1, 1, 1, 8, 9, 11, 12};
  EXPECT_EQ(r.origin, want);
}

}  // namespace
}  // namespace vigil::config::detail
