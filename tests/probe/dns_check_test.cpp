// The dns check type against a real DNS server (dnsmasq on loopback, answering from records
// given on its command line): each record type, NXDOMAIN, an empty answer, a server that is
// down, conditions over the answers, and many queries on one shard's loop.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "probe/shard.h"
#include "rules/evaluator.h"
#include "support/dnsmasq.h"

namespace vigil::probe {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kRecords = {
    "--host-record=web.test,10.0.0.5",
    "--host-record=web.test,10.0.0.6",
    "--host-record=v6.test,2001:db8::7",
    "--mx-host=mail.test,mx2.mail.test,20",
    "--mx-host=mail.test,mx1.mail.test,10",
    "--txt-record=web.test,v=spf1 -all",
    "--cname=www.test,web.test",
};

config::CheckConfig dns_check(const testing::Dnsmasq& dns, std::string name, std::string type = "A") {
  config::CheckConfig c;
  c.name = "resolve";
  c.type = config::CheckType::dns;
  c.query = std::move(name);
  c.record_type = std::move(type);
  c.server = dns.server();
  c.timeout = 2s;
  c.interval = 2s;
  return c;
}

std::string text(const CheckResult& r, const std::string& name) {
  auto it = r.figures.find(name);
  if (it == r.figures.end()) return "(absent)";
  if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
  if (const auto* d = std::get_if<double>(&it->second)) return std::to_string(static_cast<long>(*d));
  return "(other)";
}

TEST(DnsCheck, EachRecordType) {
  testing::Dnsmasq dns(kRecords);
  CheckResult r = run_once(dns_check(dns, "web.test"));
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(text(r, "answers"), "10.0.0.5, 10.0.0.6") << "sorted, whatever order the server used";
  EXPECT_EQ(text(r, "answer_count"), "2");
  EXPECT_EQ(text(r, "rcode"), "NOERROR");
  EXPECT_GT(r.timings.total.count(), 0);
  ASSERT_EQ(r.metrics.size(), 1u);
  EXPECT_EQ(r.metrics[0].name, "probe_dns_answer_rrs");
  EXPECT_EQ(r.metrics[0].value, 2);

  EXPECT_EQ(text(r, "canonical_name"), "web.test");

  r = run_once(dns_check(dns, "www.test"));  // a CNAME to web.test: its addresses, and where it led
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(text(r, "answers"), "10.0.0.5, 10.0.0.6");
  EXPECT_EQ(text(r, "canonical_name"), "web.test");

  r = run_once(dns_check(dns, "v6.test", "AAAA"));
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(text(r, "answers"), "2001:db8::7");

  r = run_once(dns_check(dns, "mail.test", "MX"));
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(text(r, "answers"), "10 mx1.mail.test, 20 mx2.mail.test");

  r = run_once(dns_check(dns, "web.test", "TXT"));
  ASSERT_TRUE(r.reachable) << r.error;
  EXPECT_EQ(text(r, "answers"), "v=spf1 -all");
}

TEST(DnsCheck, NxdomainAndEmptyAnswersFailWithTheReason) {
  testing::Dnsmasq dns(kRecords);
  CheckResult r = run_once(dns_check(dns, "nope.test"));
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error, "nope.test A: NXDOMAIN");
  EXPECT_EQ(text(r, "rcode"), "NXDOMAIN") << "the figures are there for conditions and the API";

  r = run_once(dns_check(dns, "web.test", "AAAA"));
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error, "web.test AAAA: no AAAA records (NOERROR)");
  EXPECT_EQ(text(r, "answer_count"), "0");
}

TEST(DnsCheck, ServerDownIsUnreachableAndSaysWhere) {
  auto dns = std::make_unique<testing::Dnsmasq>(kRecords);
  config::CheckConfig c = dns_check(*dns, "web.test");
  c.timeout = 400ms;
  dns.reset();  // nothing listens on that port any more
  const auto t0 = std::chrono::steady_clock::now();
  const CheckResult r = run_once(c);
  EXPECT_FALSE(r.reachable);
  EXPECT_EQ(r.error.rfind("web.test A: ", 0), 0u) << r.error;
  EXPECT_NE(r.error.find(c.server), std::string::npos) << r.error;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "bounded by the check's timeout";
}

TEST(DnsCheck, ConditionsOverTheAnswers) {
  testing::Dnsmasq dns(kRecords);
  const CheckResult r = run_once(dns_check(dns, "web.test"));
  rules::CheckRules rules;
  rules.check_type = "dns";
  for (const char* text : {"answers contains \"10.0.0.5\"", "answer_count == 2", "rcode == \"NOERROR\""})
    rules.conditions.push_back(std::get<rules::Condition>(rules::Condition::parse(text)));
  EXPECT_TRUE(rules::judge(rules, r).passed) << rules::judge(rules, r).reason;
  rules.conditions.push_back(std::get<rules::Condition>(rules::Condition::parse("answers contains \"10.0.0.9\"")));
  const auto v = rules::judge(rules, r);
  EXPECT_FALSE(v.passed);
  EXPECT_NE(v.reason.find("10.0.0.9"), std::string::npos) << v.reason;
}

TEST(DnsCheck, ShardAsksOnScheduleOnItsLoop) {
  testing::Dnsmasq dns(kRecords);
  boost::asio::io_context io;
  std::vector<CheckResult> results;
  ProbeShard shard(io, [&](CheckResult r) { results.push_back(std::move(r)); });
  std::vector<ProbeTarget> targets;
  for (const char* type : {"A", "MX", "TXT"}) {
    auto c = std::make_shared<config::CheckConfig>(dns_check(dns, std::string(type) == "MX" ? "mail.test" : "web.test", type));
    c->interval = 100ms;
    targets.push_back({std::string("svc/") + type, c, 0.0});
  }
  shard.set_checks(std::move(targets));
  shard.start();
  boost::asio::steady_timer stop(io, 1050ms);
  stop.async_wait([&](auto) { shard.stop(); });
  io.run();
  ASSERT_GE(results.size(), 24u) << "three checks, about ten runs each";
  for (const auto& r : results) EXPECT_TRUE(r.reachable) << r.check_id << ": " << r.error;
}

}  // namespace
}  // namespace vigil::probe
