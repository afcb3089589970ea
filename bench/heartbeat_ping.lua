-- wrk script of bench/heartbeat_ping.py: one ping (or one Pushgateway push) per request,
-- spread over CHECKS jobs, counted by status.
--
--   wrk -t2 -c64 -d10s -s bench/heartbeat_ping.lua URL -- MODE CHECKS
--
-- MODE  vigil        GET /ping/<key of job i>: vigil stores the ping before its 200
--       pushgateway  POST /metrics/job/job<i> with job_last_success_timestamp_seconds: what a
--                    batch job sends the Prometheus Pushgateway (kept in memory)
-- done() prints one line `RESULT ok=N other=N p50_us=N p99_us=N max_us=N`.
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "vigil"
  checks = tonumber(args[2] or "100")
  n = id * 7919
  ok = 0
  other = 0
end

function request()
  n = n + 1
  local job = n % checks
  if mode == "vigil" then
    return wrk.format("GET", string.format("/ping/bench-%06d-0123456789abcdef", job))
  end
  return wrk.format("POST", string.format("/metrics/job/job%d", job), {["Content-Type"] = "text/plain"},
                    string.format("job_last_success_timestamp_seconds %d\n", os.time()))
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_other = 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_other = total_other + t:get("other")
  end
  io.write(string.format("RESULT ok=%d other=%d p50_us=%d p99_us=%d max_us=%d\n", total_ok, total_other,
                         latency:percentile(50), latency:percentile(99), latency.max))
end
