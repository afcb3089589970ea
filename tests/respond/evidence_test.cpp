// Evidence from real files, real commands, a real nginx and a real `diff`.
#include "respond/evidence.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_dir.h"
#include "support/nginx.h"

namespace vigil::respond {
namespace {

using config::EvidenceConfig;
using Kind = config::EvidenceConfig::Kind;
using vigil::testing::TestDir;

Time at(const char* rfc3339) { return parse_rfc3339(rfc3339).value(); }

EvidenceItem gather_one(EvidenceConfig cfg, Time now = at("2024-08-18T10:15:00Z")) {
  ConfigWatch watch;
  auto items = gather({cfg}, watch, now);
  EXPECT_EQ(items.size(), 1u);
  return items.at(0);
}

std::string numbered_lines(int from, int to, const std::string& prefix = "line ") {
  std::string s;
  for (int i = from; i <= to; ++i) s += prefix + std::to_string(i) + "\n";
  return s;
}

// ---- tail ----------------------------------------------------------------------------------

EvidenceConfig tail(const std::string& path, int lines, std::size_t max_bytes = 64 * 1024) {
  EvidenceConfig c;
  c.kind = Kind::tail;
  c.path = path;
  c.lines = lines;
  c.max_bytes = max_bytes;
  return c;
}

TEST(EvidenceTail, TableOfCases) {
  TestDir dir;
  struct Case {
    const char* what;
    std::string content;
    int lines;
    std::size_t max_bytes;
    std::string want;
    bool truncated;
  };
  const std::string ten = numbered_lines(1, 10);
  // 20000 lines of ~11 bytes: the wanted lines span several 16 KB chunks read backwards.
  const std::string many = numbered_lines(1, 20000);
  const Case cases[] = {
      {"last three", ten, 3, 1024, numbered_lines(8, 10), false},
      {"no final newline", "a\nb\nc", 2, 1024, "b\nc", false},
      {"fewer lines than asked", ten, 100, 1024, ten, false},
      {"exactly the file", ten, 10, 1024, ten, false},
      {"empty file", "", 5, 1024, "", false},
      {"zero lines", ten, 0, 1024, "", false},
      {"blank lines count", "x\n\n\ny\n", 3, 1024, "\n\ny\n", false},
      {"across chunks", many, 5000, 1 << 20, numbered_lines(15001, 20000), false},
      // 8 lines of "line N\n" are 56..57 bytes; 30 bytes keep whole lines only, the newest.
      {"byte cap drops older lines", ten, 8, 30, numbered_lines(7, 10), true},
      {"byte cap at a line start", ten, 10, 29, numbered_lines(7, 10), true},
      {"one line longer than the cap", std::string(100, 'z') + "\n", 1, 10, std::string(9, 'z') + "\n", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const auto path = dir.write("log.txt", c.content);
    const auto item = gather_one(tail(path, c.lines, c.max_bytes));
    EXPECT_EQ(item.error, "");
    EXPECT_EQ(item.text, c.want);
    EXPECT_EQ(item.truncated, c.truncated);
    EXPECT_LE(item.text.size(), c.max_bytes);
    EXPECT_EQ(item.kind, Kind::tail);
  }
}

TEST(EvidenceTail, ABigFileIsReadFromTheEndOnly) {
  TestDir dir;
  const auto path = (dir / "big.log").string();
  {
    // 1 GB apparent size, almost all of it a hole: reading it from the start would take seconds.
    std::ofstream out(path, std::ios::binary);
    out.seekp((1LL << 30));
    out << "\nlast line one\nlast line two\n";
  }
  const auto item = gather_one(tail(path, 2));
  EXPECT_EQ(item.text, "last line one\nlast line two\n");
  EXPECT_LT(item.took, 1s);
}

TEST(EvidenceTail, ErrorsSayWhy) {
  TestDir dir;
  auto missing = gather_one(tail((dir / "nope.log").string(), 5));
  EXPECT_NE(missing.error.find("cannot open"), std::string::npos) << missing.error;
  EXPECT_NE(missing.error.find("nope.log"), std::string::npos) << missing.error;

  auto directory = gather_one(tail(dir.path().string(), 5));
  EXPECT_NE(directory.error.find("not a regular file"), std::string::npos) << directory.error;

  // A FIFO must not block the worker at open() or read().
  const auto fifo = (dir / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = gather_one(tail(fifo, 5));
  EXPECT_NE(f.error.find("not a regular file"), std::string::npos) << f.error;
}

// ---- command -------------------------------------------------------------------------------

EvidenceConfig command(std::vector<std::string> argv, Duration timeout = 5s, std::size_t max_bytes = 64 * 1024) {
  EvidenceConfig c;
  c.kind = Kind::command;
  c.command = std::move(argv);
  c.timeout = timeout;
  c.max_bytes = max_bytes;
  return c;
}

TEST(EvidenceCommand, OutputIsTheEvidence) {
  const auto item = gather_one(command({"/bin/echo", "Syntax OK"}));
  EXPECT_EQ(item.error, "");
  EXPECT_EQ(item.text, "Syntax OK\n");
  EXPECT_EQ(item.name, "/bin/echo Syntax OK");
  EXPECT_EQ(item.kind, Kind::command);
}

TEST(EvidenceCommand, ANonZeroExitIsEvidenceNotAnError) {
  TestDir dir;
  const auto sh = dir.script("configtest.sh",
                             "echo 'AH00526: Syntax error on line 12 of /etc/apache2/apache2.conf:' >&2\nexit 1");
  const auto item = gather_one(command({sh}));
  EXPECT_EQ(item.error, "");
  EXPECT_EQ(item.text, "AH00526: Syntax error on line 12 of /etc/apache2/apache2.conf:\n[exit status 1]");
}

TEST(EvidenceCommand, TimeoutAndCap) {
  TestDir dir;
  const auto hang = dir.script("hang.sh", "echo partial\nsleep 30");
  const auto slow = gather_one(command({hang}, 200ms));
  EXPECT_NE(slow.error.find("timed out after 200ms"), std::string::npos) << slow.error;
  EXPECT_EQ(slow.text, "partial\n");
  EXPECT_LT(slow.took, 5s);

  const auto loud = gather_one(command({"/usr/bin/seq", "1", "100000"}, 5s, 100));
  EXPECT_TRUE(loud.truncated);
  EXPECT_EQ(loud.text.size(), 100u);
  EXPECT_TRUE(loud.text.starts_with("1\n2\n3\n"));

  const auto missing = gather_one(command({"vigil-no-such-program"}));
  EXPECT_NE(missing.error.find("not found in PATH"), std::string::npos) << missing.error;
}

// ---- http ----------------------------------------------------------------------------------

TEST(EvidenceHttp, BodyAndStatusOfARealServer) {
  vigil::testing::Nginx web;
  EvidenceConfig c;
  c.kind = Kind::http;
  c.url = web.url("/");
  c.timeout = 5s;
  const auto ok = gather_one(c);
  EXPECT_EQ(ok.error, "");
  EXPECT_TRUE(ok.text.starts_with("HTTP 200\n")) << ok.text;
  EXPECT_NE(ok.text.find("hello"), std::string::npos) << ok.text;
  EXPECT_EQ(ok.name, c.url);

  c.url = web.url("/status/503");
  const auto unavailable = gather_one(c);
  EXPECT_EQ(unavailable.error, "");
  EXPECT_TRUE(unavailable.text.starts_with("HTTP 503\n")) << unavailable.text;

  web.stop();
  c.url = web.url("/");
  const auto down = gather_one(c);
  EXPECT_NE(down.error, "");
}

// ---- config_diff ---------------------------------------------------------------------------

EvidenceConfig config_diff(const std::string& path, std::size_t max_bytes = 64 * 1024) {
  EvidenceConfig c;
  c.kind = Kind::config_diff;
  c.path = path;
  c.timeout = 10s;
  c.max_bytes = max_bytes;
  return c;
}

class ConfigDiffTest : public ::testing::Test {
 protected:
  EvidenceItem diff_now(ConfigWatch& watch, const std::string& path, Time now = at("2024-08-18T10:15:00Z")) {
    auto items = gather({config_diff(path)}, watch, now);
    EXPECT_EQ(items.size(), 1u);
    EXPECT_EQ(items.at(0).error, "");
    return items.at(0);
  }
  const Time healthy_ = at("2024-08-18T09:00:00Z");
};

TEST_F(ConfigDiffTest, NoSnapshotYet) {
  TestDir dir;
  dir.write("apache2/apache2.conf", "MaxRequestWorkers 150\n");
  ConfigWatch watch;
  const auto item = diff_now(watch, (dir / "apache2").string());
  EXPECT_EQ(item.text, "no healthy snapshot yet");
  EXPECT_EQ(item.name, "config diff " + (dir / "apache2").string());
}

TEST_F(ConfigDiffTest, UnchangedSaysSince) {
  TestDir dir;
  dir.write("apache2/apache2.conf", "MaxRequestWorkers 150\n");
  const auto root = (dir / "apache2").string();
  ConfigWatch watch;
  watch.snapshot_healthy({root}, healthy_);
  EXPECT_EQ(watch.snapshot_time(root), healthy_);
  const auto item = diff_now(watch, root);
  EXPECT_EQ(item.text, "no changes since 2024-08-18T09:00:00.000Z (last healthy snapshot)");
}

TEST_F(ConfigDiffTest, ADirectoryTreeChangedAfterTheSnapshot) {
  TestDir dir;
  const auto root = (dir / "apache2").string();
  dir.write("apache2/apache2.conf", "ServerName web01\nMaxRequestWorkers 150\nKeepAlive On\n");
  dir.write("apache2/sites-enabled/login.conf", "<VirtualHost *:80>\n</VirtualHost>\n");
  dir.write("apache2/mods-enabled/old.load", "LoadModule old_module x.so\n");
  ConfigWatch watch;
  watch.snapshot_healthy({root}, healthy_);

  dir.write("apache2/apache2.conf", "ServerName web01\nMaxRequestWorkers 10\nKeepAlive On\n");
  dir.write("apache2/conf-enabled/new.conf", "Timeout 1\n");
  std::filesystem::remove(dir / "apache2/mods-enabled/old.load");

  const auto item = diff_now(watch, root);
  const auto& t = item.text;
  EXPECT_NE(t.find("--- " + root + "/apache2.conf\t(last healthy, 2024-08-18T09:00:00.000Z)\n"), std::string::npos)
      << t;
  EXPECT_NE(t.find("+++ " + root + "/apache2.conf\t(now, 2024-08-18T10:15:00.000Z)\n"), std::string::npos) << t;
  EXPECT_NE(t.find("-MaxRequestWorkers 150\n+MaxRequestWorkers 10\n"), std::string::npos) << t;
  EXPECT_NE(t.find(" KeepAlive On\n"), std::string::npos) << t;  // context
  EXPECT_NE(t.find("--- " + root + "/conf-enabled/new.conf\t(absent at last healthy, 2024-08-18T09:00:00.000Z)\n+++ " +
                   root + "/conf-enabled/new.conf\t(now, 2024-08-18T10:15:00.000Z)\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("+Timeout 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("--- " + root + "/mods-enabled/old.load\t(last healthy, 2024-08-18T09:00:00.000Z)\n+++ " + root +
                   "/mods-enabled/old.load\t(absent now)\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("-LoadModule old_module x.so\n"), std::string::npos) << t;
  EXPECT_EQ(t.find("login.conf"), std::string::npos) << "unchanged files are not shown\n" << t;
  EXPECT_EQ(t.find("vigil-config-diff"), std::string::npos) << "temporary paths leak\n" << t;
  EXPECT_EQ(t.find("\ndiff "), std::string::npos) << t;
  EXPECT_FALSE(item.truncated);
}

TEST_F(ConfigDiffTest, ASingleFileAndARemovedLineThatLooksLikeAHeader) {
  TestDir dir;
  const auto file = dir.write("my.cnf", "-- comment\n--- dashes\nmax_connections = 100\n");
  ConfigWatch watch;
  watch.snapshot_healthy({file}, healthy_);
  dir.write("my.cnf", "max_connections = 5\n");
  const auto item = diff_now(watch, file);
  const auto& t = item.text;
  EXPECT_TRUE(t.starts_with("--- " + file + "\t(last healthy")) << t;
  EXPECT_NE(t.find("\n+++ " + file + "\t(now"), std::string::npos) << t;
  // Removed lines keep their text, even when they start with dashes.
  EXPECT_NE(t.find("\n--- comment\n---- dashes\n-max_connections = 100\n+max_connections = 5\n"), std::string::npos)
      << t;
}

TEST_F(ConfigDiffTest, ARemovedAndARecreatedPath) {
  TestDir dir;
  const auto file = dir.write("site.conf", "Listen 80\n");
  ConfigWatch watch;
  watch.snapshot_healthy({file}, healthy_);
  std::filesystem::remove(file);
  const auto gone = diff_now(watch, file);
  EXPECT_NE(gone.text.find("-Listen 80\n"), std::string::npos) << gone.text;
  EXPECT_NE(gone.text.find(file + " no longer exists"), std::string::npos) << gone.text;

  const auto later = (dir / "later.conf").string();
  watch.snapshot_healthy({later}, healthy_);
  dir.write("later.conf", "Listen 81\n");
  const auto created = diff_now(watch, later);
  EXPECT_NE(created.text.find("+Listen 81\n"), std::string::npos) << created.text;
  EXPECT_NE(created.text.find("did not exist at the last healthy snapshot"), std::string::npos) << created.text;
}

TEST_F(ConfigDiffTest, SnapshotsAreTakenAtMostOncePerInterval) {
  TestDir dir;
  const auto file = dir.write("a.conf", "v1\n");
  ConfigWatch watch;
  watch.snapshot_healthy({file}, healthy_);
  dir.write("a.conf", "v2\n");
  watch.snapshot_healthy({file}, healthy_ + 30s);  // too soon: the v1 snapshot stays
  EXPECT_EQ(watch.snapshot_time(file), healthy_);
  EXPECT_NE(diff_now(watch, file).text.find("+v2"), std::string::npos);

  watch.snapshot_healthy({file}, healthy_ + 1min);
  EXPECT_EQ(watch.snapshot_time(file), healthy_ + 1min);
  EXPECT_EQ(diff_now(watch, file).text, "no changes since 2024-08-18T09:01:00.000Z (last healthy snapshot)");
}

TEST_F(ConfigDiffTest, OversizedFilesAreComparedBySizeOnly) {
  TestDir dir;
  const auto root = (dir / "conf").string();
  dir.write("conf/small.conf", "a\n");
  dir.write("conf/huge.db", std::string(2000, 'x'));
  ConfigWatch watch(ConfigWatch::Limits{.max_file_bytes = 1000});
  watch.snapshot_healthy({root}, healthy_);
  dir.write("conf/huge.db", std::string(2001, 'y'));
  const auto item = diff_now(watch, root);
  EXPECT_NE(item.text.find("-[vigil: not captured: 2000 bytes, over the 1000-byte limit per file]"),
            std::string::npos)
      << item.text;
  EXPECT_NE(item.text.find("+[vigil: not captured: 2001 bytes"), std::string::npos) << item.text;
  EXPECT_EQ(item.text.find("small.conf"), std::string::npos) << item.text;
}

TEST_F(ConfigDiffTest, TheDiffIsCapped) {
  TestDir dir;
  const auto file = dir.write("big.conf", numbered_lines(1, 2000, "old "));
  ConfigWatch watch;
  watch.snapshot_healthy({file}, healthy_);
  dir.write("big.conf", numbered_lines(1, 2000, "new "));
  auto items = gather({config_diff(file, 500)}, watch, at("2024-08-18T10:15:00Z"));
  EXPECT_TRUE(items.at(0).truncated);
  EXPECT_LT(items.at(0).text.size(), 700u);
  EXPECT_TRUE(items.at(0).text.starts_with("--- " + file)) << items.at(0).text;
}

// ---- gather --------------------------------------------------------------------------------

TEST(EvidenceGather, ItemsInOrderAndOneFailureDoesNotStopTheRest) {
  TestDir dir;
  const auto log = dir.write("error.log", "[core:error] AH00161: server reached MaxRequestWorkers\n");
  auto named = command({"/bin/echo", "ok"});
  named.name = "health";
  ConfigWatch watch;
  const auto items = gather({tail((dir / "missing.log").string(), 5), tail(log, 5), named}, watch,
                            at("2024-08-18T10:15:00Z"));
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].name, "missing.log tail");
  EXPECT_NE(items[0].error, "");
  EXPECT_EQ(items[1].name, "error.log tail");
  EXPECT_EQ(items[1].error, "");
  EXPECT_NE(items[1].text.find("AH00161"), std::string::npos);
  EXPECT_EQ(items[2].name, "health");
  EXPECT_EQ(items[2].text, "ok\n");
}

}  // namespace
}  // namespace vigil::respond
