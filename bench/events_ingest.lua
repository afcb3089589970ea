-- wrk script of bench/events_ingest.py: one event (or one alert) per request, counted by status.
--
--   wrk -t2 -c64 -d20s -s bench/events_ingest.lua URL -- MODE RUN KEY BUDGET
--
-- MODE    unique        POST /v2/enqueue, a trigger with a new dedup_key every request: every
--                       event opens an incident, so every 202 is a commit (the worst case)
--         pairs         POST /v2/enqueue, odd requests trigger key k, even ones resolve the key
--                       LAG triggers back: every event is a commit, the open set stays small
--         dedup         POST /v2/enqueue, triggers cycling over 16 keys: after the first 16 every
--                       event is deduplicated in memory (202, nothing to commit)
--         alertmanager  POST /api/v2/alerts, one alert with a new `instance` label every request
--         get           GET / (the nginx ceiling: same wrk, same Lua hooks)
-- RUN     a prefix that makes this run's keys unique ("m" -> m-t1-42)
-- KEY     the integration's routing key (modes that POST to vigil)
-- BUDGET  stop each thread after this many accepted responses (0: run for -d)
-- DIR     with BUDGET: a thread that stops writes DIR/stopped-<thread>, so that the caller
--         can interrupt wrk (SIGINT: wrk prints its results) instead of waiting out -d
--
-- Accepted = 202 for /v2/enqueue, 200 for /api/v2/alerts and GET /. done() prints one line
-- `RESULT ...` with the counts and wrk's latency percentiles in microseconds, and `SAMPLE key`
-- lines: every 97th accepted dedup_key as vigil echoed it, checked in the store afterwards.
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local LAG = 256
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  mode = args[1] or "unique"
  run = args[2] or "r"
  key = args[3] or ""
  budget = tonumber(args[4] or "0")
  stopdir = args[5]
  n = 0            -- requests generated
  ok = 0           -- accepted responses
  bad = 0          -- any other status
  statuses = {}    -- status -> count (not accepted ones)
  sample = {}      -- accepted dedup keys, every 97th
  want = (mode == "alertmanager" or mode == "get") and 200 or 202
  prefix = string.format("%s-t%d-", run, id)
end

local function trigger(dedup)
  return string.format(
    '{"routing_key":"%s","event_action":"trigger","dedup_key":"%s",' ..
    '"payload":{"summary":"bench event %s","source":"bench-host-01","severity":"critical",' ..
    '"custom_details":{"bench":"events_ingest"}}}', key, dedup, dedup)
end

function request()
  n = n + 1
  if mode == "get" then
    return wrk.format("GET", "/")
  elseif mode == "alertmanager" then
    local body = string.format(
      '[{"labels":{"alertname":"BenchEvent","instance":"%s%d","job":"bench","severity":"critical"},' ..
      '"annotations":{"summary":"bench event %s%d"},"generatorURL":"http://bench.test/graph"}]',
      prefix, n, prefix, n)
    return wrk.format("POST", "/api/v2/alerts", headers, body)
  end
  local body
  if mode == "unique" then
    body = trigger(prefix .. n)
  elseif mode == "dedup" then
    body = trigger(string.format("%s-dup-%d", run, n % 16))
  else -- pairs
    local k = math.floor((n + 1) / 2)
    if n % 2 == 1 then
      body = trigger(prefix .. k)
    else
      body = string.format('{"routing_key":"%s","event_action":"resolve","dedup_key":"%s%d"}', key, prefix, k - LAG)
    end
  end
  return wrk.format("POST", "/v2/enqueue", headers, body)
end

function response(status, hdrs, body)
  if status == want then
    ok = ok + 1
    if ok % 97 == 0 and want == 202 then
      local k = string.match(body, '"dedup_key":"([^"]*)"')
      if k then sample[#sample + 1] = k end
    end
    if budget > 0 and ok == budget then
      if stopdir then
        local f = io.open(string.format("%s/stopped-%d", stopdir, id), "w")
        if f then f:close() end
      end
      wrk.thread:stop()
    end
  else
    bad = bad + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local o, b, st = 0, 0, {}
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    b = b + t:get("bad")
    for s, c in pairs(t:get("statuses")) do st[#st + 1] = string.format("%s:%d", s, c) end
    for _, k in ipairs(t:get("sample")) do io.write("SAMPLE ", k, "\n") end
  end
  io.write(string.format(
    "RESULT ok=%d bad=%d statuses=%s duration_us=%d requests=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d " ..
    "max_us=%d mean_us=%.1f connect_err=%d read_err=%d write_err=%d timeout_err=%d status_err=%d\n",
    o, b, table.concat(st, ","), summary.duration, summary.requests, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
end
