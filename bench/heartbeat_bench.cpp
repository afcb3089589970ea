// What a heartbeat check costs: judging it (every interval, and after each ping) and recording a
// ping (rules/heartbeat.h), against the ~25 µs an Events API event costs end to end and the
// ~50 µs of a plain http probe of a loopback nginx (docs/performance.md).
#include <benchmark/benchmark.h>

#include "rules/heartbeat.h"

namespace {

using namespace vigil;
using namespace std::chrono_literals;

const Time kAt = Time{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23}} + 10h;

// Arg 0: passing (pinged 1h ago); 1: late (the reason text is written); 2: a reported failure.
void BM_JudgeHeartbeat(benchmark::State& state) {
  rules::HeartbeatState s{.watching_since = kAt - 48h};
  const int kind = static_cast<int>(state.range(0));
  s = rules::record_ping(s, kind == 2 ? rules::PingKind::fail : rules::PingKind::success, kind == 2 ? 3 : 0,
                         kind == 2 ? "pg_dump: error: connection refused" : "", kind == 1 ? kAt - 26h : kAt - 1h);
  const rules::HeartbeatRule rule{24h, 1h};
  Time at = kAt;
  for (auto _ : state) {
    auto j = rules::judge_heartbeat(s, rule, at);
    benchmark::DoNotOptimize(j);
    at += 1ms;
  }
}
BENCHMARK(BM_JudgeHeartbeat)->Arg(0)->Arg(1)->Arg(2);

// A ping with a 200-byte body (a job's last output lines) kept as the message.
void BM_RecordPing(benchmark::State& state) {
  rules::HeartbeatState s{.watching_since = kAt};
  const std::string body(200, 'x');
  Time at = kAt;
  for (auto _ : state) {
    s = rules::record_ping(std::move(s), rules::PingKind::success, 0, body, at);
    benchmark::DoNotOptimize(s);
    at += 1s;
  }
}
BENCHMARK(BM_RecordPing);

}  // namespace
