#!/usr/bin/env python3
"""Events API ingestion: vigil's POST /v2/enqueue side by side with Alertmanager's POST /api/v2/alerts.

Issue #4. The same wrk (-t2 -c64, one event per request, bench/events_ingest.lua) drives, in one run:

- vigil, PagerDuty Events API v2 triggers, each with a new dedup_key: every event opens an
  incident, so every 202 waits for a group commit to SQLite (WAL, synchronous=FULL). After
  the run the script checks the store: incidents >= 202s, and every sampled accepted
  dedup_key is there. Also three variants: `pairs` (trigger, and resolve of an earlier key:
  every event a commit, the open set small), `dedup` (16 keys: nothing to commit) and
  `memory` (`unique` against an in-memory SQLite store: nothing durable, so not a result
  against the goal; the difference to `unique` is what the disk costs on this machine) and
  `postgres` (`unique` with the store on a real PostgreSQL server that this script starts on
  loopback from a temporary data directory, tests/support/postgres.sh: fsync and
  synchronous_commit on, so every 202 is as durable as with SQLite; checked the same way,
  through psql).
- Alertmanager, one alert with a new label set per request (it keeps alerts in memory only;
  cross-checked with its alertmanager_alerts_received_total counter);
- nginx, GET of a static page on keep-alive connections: the practical ceiling of this
  loopback + wrk + 2 cores.

Then vigil's RSS after 1M events (fresh instance, 1M unique triggers: 1M open incidents;
and 1M `pairs` events: as many commits, few open incidents), and the end-to-end paging
latency: single triggers, one at a time, to a service whose escalation policy pages a user
at once through a webhook contact served by this script; from just before the POST is
written to the arrival of the page at the receiver. That is an upper bound of vigil's
internal latency (alert in -> first page's HTTP request out): it adds the ingestion HTTP
exchange, which the page cannot overtake since it follows the commit.

Goal (issue #4): >= 2x Alertmanager's accepted events/s with every accepted event committed
before the 202, p99 under 20 ms, RSS after 1M events reported and bounded; paging latency
p99 under 5 ms.

Standard library only (plus wrk). Only 127.0.0.1 traffic; every process started here is
stopped by its PID; every loop and wait is bounded.

    python3 bench/events_ingest.py                       # 5-6 minutes on 2 cores, once they are idle
    python3 bench/events_ingest.py --duration 10 --million 0 --skip-nginx
    python3 bench/events_ingest.py --modes pairs --million 0 --skip-alertmanager --skip-nginx --skip-latency \
        --vigil-env GLIBC_TUNABLES=glibc.malloc.trim_threshold=134217728     # a what-if for the owners of src/

Before measuring, and before each phase, it waits (bounded) until no ninja, ctest or cc1plus
runs and the CPUs are mostly idle; phases that still shared the CPUs are named in a WARNING.
Figures: bench/results/events_ingest.json and a markdown summary in events_ingest.md.
"""
import argparse
import json
import os
import re
import selectors
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_throughput import (Nginx, cpu_split, free_port, http_get, machine, memory_map,  # noqa: E402
                              memory_mb, port_open, stop_pid, thread_cpu, wait_until)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "bench/events_ingest.lua")
KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # the integration's routing key: 32 alphanumerics


# ---- helpers --------------------------------------------------------------------------------

def busy_builds():
    """Names of compile/test processes running now (they share our 2 cores)."""
    found = []
    for args in (["-x", "ninja"], ["-x", "ctest"], ["cc1plus"]):
        r = subprocess.run(["pgrep", *args], capture_output=True, text=True)
        if r.stdout.strip():
            found.append(args[-1])
    return found


def cpu_busy(seconds=2.0):
    """Fraction of all CPUs busy (not idle, not iowait) over `seconds`, from /proc/stat."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]
    t0, i0 = sample()
    time.sleep(seconds)
    t1, i1 = sample()
    return 1 - (i1 - i0) / max(1, t1 - t0)


def wait_quiet(limit_s, max_busy=0.25):
    """Waits (bounded) until no ninja, ctest or cc1plus runs and the CPUs are mostly idle
    (another benchmark is as bad a neighbour as a compile). Returns (seconds waited, what was
    still busy when the limit ran out: [] when quiet)."""
    t0 = time.monotonic()
    while True:
        busy = busy_builds()
        load = cpu_busy()
        if load > max_busy:
            busy.append(f"cpu {load:.0%} busy")
        if not busy or time.monotonic() - t0 >= limit_s:
            return round(time.monotonic() - t0, 1), busy
        time.sleep(3)


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def fsync_latency(directory, n=200):
    """Latency of write(4 KiB) + fsync on the filesystem of `directory`, as SQLite's WAL
    commits do, in ms: p50, p99, max."""
    path = os.path.join(directory, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    out = []
    try:
        block = b"x" * 4096
        for _ in range(n):
            t0 = time.perf_counter_ns()
            os.write(fd, block)
            os.fsync(fd)
            out.append((time.perf_counter_ns() - t0) / 1e6)
    finally:
        os.close(fd)
        os.unlink(path)
    out.sort()
    fs = subprocess.run(["df", "-T", directory], capture_output=True, text=True).stdout.splitlines()[-1].split()
    return {"n": n, "p50_ms": round(percentile(out, 50), 3), "p99_ms": round(percentile(out, 99), 3),
            "max_ms": round(out[-1], 3), "filesystem": fs[1] if len(fs) > 1 else "", "device": fs[0] if fs else ""}


class SqliteReader:
    """What the checks read of the store when it is an SQLite file: on read-only connections."""

    def __init__(self, db):
        self.db = db
        self.con = None

    def counts(self):
        return store_counts(self.db)

    def max_id(self):
        # One connection kept open for the ticks (an index lookup a second).
        try:
            if self.con is None:
                self.con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
            return self.con.execute("SELECT coalesce(max(id), 0) FROM incidents").fetchone()[0]
        except sqlite3.Error:
            return None

    def keys_in_store(self, keys):
        return keys_in_store(self.db, keys)

    def size_mb(self):
        if self.con is not None:
            self.con.close()
            self.con = None
        return db_size_mb(self.db)


class PsqlReader:
    """What the checks read of the store when it is PostgreSQL: through psql, stdlib only."""

    def __init__(self, uri):
        self.uri = uri

    def query(self, sql, timeout=30):
        out = subprocess.run(["psql", "-X", "-A", "-t", "-c", sql, self.uri], capture_output=True, text=True,
                             timeout=timeout, check=True)
        return [line.split("|") for line in out.stdout.splitlines() if line]

    def counts(self):
        total, open_ = self.query("SELECT count(*), count(*) FILTER (WHERE status <> 'resolved') FROM incidents")[0]
        return int(total), int(open_)

    def max_id(self):
        try:
            return int(self.query("SELECT coalesce(max(id), 0) FROM incidents", timeout=5)[0][0])
        except (subprocess.SubprocessError, IndexError, ValueError):
            return None

    def keys_in_store(self, keys):
        wanted = set(keys)
        return len({row[0] for row in self.query("SELECT dedup_key FROM incidents") if row[0] in wanted})

    def size_mb(self):
        return round(int(self.query("SELECT pg_database_size(current_database())")[0][0]) / 2**20, 1)


class Postgres:
    """A PostgreSQL server for the `postgres` mode (tests/support/postgres.sh), stopped by PID."""

    SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support", "postgres.sh")

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vigil-bench-pg-")
        subprocess.run(["bash", self.SCRIPT, "start", self.dir], check=True, timeout=120)
        with open(os.path.join(self.dir, "port")) as f:
            self.uri = f"postgresql://vigil@127.0.0.1:{int(f.read())}/vigil"

    def stop(self):
        subprocess.run(["bash", self.SCRIPT, "stop", self.dir], check=True, timeout=120)


def store_counts(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        total, open_ = con.execute("SELECT count(*), coalesce(sum(status != 'resolved'), 0) FROM incidents").fetchone()
        return total, open_
    finally:
        con.close()


def keys_in_store(db, keys):
    """How many of `keys` are the dedup_key of an incident in the store. One pass over the
    table: the store's dedup index covers open incidents only, so a lookup per key would scan
    the table each time (minutes for 10k samples of a 1M-incident store)."""
    wanted = set(keys)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        found = set()
        for (k,) in con.execute("SELECT dedup_key FROM incidents"):
            if k in wanted:
                found.add(k)
        return len(found)
    finally:
        con.close()


def db_size_mb(db):
    return round(sum(os.path.getsize(p) for p in (db, db + "-wal", db + "-shm") if os.path.exists(p)) / 2**20, 1)


def children_cpu():
    r = os.times()
    return r.children_user + r.children_system


def run_wrk(args, url, mode, run, duration, budget=0, on_tick=None):
    """One wrk run of bench/events_ingest.lua; returns its RESULT line as a dict plus the
    sampled accepted dedup keys and wrk's own CPU seconds. With `budget` (accepted responses
    in all), `duration` is only the time limit: once every thread has had its share, wrk is
    interrupted (SIGINT makes it print its results) and the duration is measured here.
    `on_tick(elapsed_s)` is called about every second while wrk runs."""
    thr = min(args.threads, args.connections)
    stopdir = tempfile.mkdtemp(prefix="wrk-stop-") if budget else ""
    cmd = [args.wrk, f"-t{thr}", f"-c{args.connections}", f"-d{duration}s", "--timeout", "10s", "-s", LUA, url,
           "--", mode, run, KEY, str(-(-budget // thr) if budget else 0)] + ([stopdir] if budget else [])
    c0 = children_cpu()
    out_f = tempfile.TemporaryFile(mode="w+")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=out_f, stderr=subprocess.STDOUT, text=True)
    next_tick, t_stop = t0 + 1, None
    try:
        while proc.poll() is None:
            now = time.monotonic()
            if now > t0 + duration + 60:
                raise RuntimeError(f"wrk did not finish within {duration + 60}s")
            if budget and t_stop is None and len(os.listdir(stopdir)) >= thr:
                t_stop = now
                proc.send_signal(signal.SIGINT)
            if on_tick and now >= next_tick:
                on_tick(now - t0)
                next_tick += 1
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            stop_pid(proc, signal.SIGINT, timeout=10)
        if stopdir:
            shutil.rmtree(stopdir, ignore_errors=True)
    out_f.seek(0)
    text = out_f.read()
    out_f.close()
    m = re.search(r"^RESULT (.*)$", text, re.M)
    if not m:
        raise RuntimeError(f"cannot read wrk's output ({' '.join(cmd)}):\n{text[-3000:]}")
    res = {}
    for kv in m.group(1).split():
        k, v = kv.split("=", 1)
        res[k] = v if k == "statuses" else float(v) if "." in v else int(v)
    if t_stop is not None:  # wrk's own clock ran until SIGINT
        res["duration_us"] = int((t_stop - t0) * 1e6)
    res["budget_reached"] = t_stop is not None if budget else None
    res["wrk"] = f"-t{thr} -c{args.connections} -d{duration}s ({mode}{f', {budget:,} events' if budget else ''})"
    res["wrk_cpu_s"] = round(children_cpu() - c0, 2)
    res["samples"] = re.findall(r"^SAMPLE (\S+)$", text, re.M)
    return res


def summarize(w, pid, cpu0, cpu1, wall, load0, thr0=None, thr1=None):
    """The figures of one wrk run against the server `pid`."""
    secs = w["duration_us"] / 1e6
    cpu = (cpu1[0] - cpu0[0]) + (cpu1[1] - cpu0[1])
    rss, hwm = memory_mb(pid)
    r = {
        "wrk": w["wrk"],
        "duration_s": round(secs, 2),
        "accepted": w["ok"],
        "rejected": w["bad"],
        "rejected_statuses": w["statuses"],
        "socket_errors": {k[:-4]: w[k] for k in ("connect_err", "read_err", "write_err", "timeout_err") if w[k]},
        "accepted_per_s": round(w["ok"] / secs, 1) if secs else None,
        "p50_ms": round(w["p50_us"] / 1000, 2),
        "p90_ms": round(w["p90_us"] / 1000, 2),
        "p99_ms": round(w["p99_us"] / 1000, 2),
        "p999_ms": round(w["p999_us"] / 1000, 2),
        "max_ms": round(w["max_us"] / 1000, 2),
        "server_cpu_s": round(cpu, 2),
        "server_cpu_util": round(cpu / wall, 3) if wall else None,
        "server_cpu_ms_per_1000": round(1000 * 1000 * cpu / w["ok"], 1) if w["ok"] else None,
        "wrk_cpu_s": w["wrk_cpu_s"],
        "loadavg_1m": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "builds_running_after": busy_builds(),
        "rss_mb": round(rss, 1),
        "hwm_mb": round(hwm, 1),
    }
    if thr0 is not None:
        r["threads"] = sorted(({"tid": tid, "name": name, "cpu_s": round(c - thr0.get(tid, (name, 0.0))[1], 2)}
                               for tid, (name, c) in thr1.items()), key=lambda t: -t["cpu_s"])
    return r


def start_fsync_count(pid, seconds):
    """Starts `perf stat` of vigil's fsync/fdatasync calls (one per group commit) for `seconds`;
    None when perf is missing."""
    perf = shutil.which("perf")
    if not perf:
        return None
    try:
        p = subprocess.Popen([perf, "stat", "-x", ",", "-e", "syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync",
                              "-p", str(pid), "--", "sleep", str(seconds)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return p
    except OSError:
        return None


def read_fsync_count(p, seconds):
    """{fsyncs, fsyncs_per_s} of a start_fsync_count, or None (perf failed or not allowed)."""
    if p is None:
        return None
    try:
        _, err = p.communicate(timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        stop_pid(p, signal.SIGINT, timeout=5)
        return None
    total = 0
    for line in err.splitlines():
        parts = line.split(",")
        if len(parts) > 2 and parts[2].startswith("syscalls:") and parts[0].strip().isdigit():
            total += int(parts[0])
    return {"fsyncs": total, "fsyncs_per_s": round(total / seconds, 1)} if total else None


# ---- vigil ----------------------------------------------------------------------------------

class Vigil:
    """build/bench/vigil on a free loopback port with its own config and store in `workdir`."""

    def __init__(self, args, workdir, extra=None, memory=False, postgres=None):
        """`extra`: {"service": lines added to service web, "top": top-level sections}.
        `memory`: the store is an in-memory SQLite database (self.db is None).
        `postgres`: the store is that PostgreSQL database (a URI; self.db is None, self.pg reads it)."""
        os.makedirs(workdir, exist_ok=True)
        extra = extra or {}
        self.args, self.dir = args, workdir
        self.port = free_port()
        self.db = None if memory or postgres else os.path.join(workdir, "vigil.db")
        # What the checks read of the store; None for an in-memory one (nothing outside vigil can).
        self.reader = PsqlReader(postgres) if postgres else SqliteReader(self.db) if self.db else None
        store = f'postgres: "{postgres}"' if postgres else f'sqlite: "{self.db or ":memory:"}"'
        self.config = os.path.join(workdir, "vigil.yaml")
        with open(self.config, "w") as f:
            f.write(f"server: {{ listen: 127.0.0.1:{self.port} }}\n"
                    f"store: {{ {store} }}\n"
                    "services:\n  - name: web\n" + extra.get("service", "") +
                    "integrations:\n"
                    f"  - {{ name: bench, type: pagerduty_events_v2, key: {KEY}, service: web }}\n" +
                    extra.get("top", ""))
        self.proc = None
        self.logf = None

    def start(self):
        self.logf = open(os.path.join(self.dir, "vigil.log"), "wb")
        env = dict(os.environ, **dict(kv.split("=", 1) for kv in getattr(self.args, "vigil_env", None) or []))
        self.proc = subprocess.Popen([self.args.vigil, "run", "-c", self.config], stdout=self.logf,
                                     stderr=subprocess.STDOUT, env=env)
        t0 = time.monotonic()

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"vigil exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                return http_get(self.url("/-/ready"), timeout=2)[0] == 200
            except OSError:
                return False
        wait_until(ready, 30, "vigil /-/ready")
        return round(time.monotonic() - t0, 2)

    def stop(self):
        code = stop_pid(self.proc, signal.SIGTERM, timeout=60)
        self.proc = None
        if self.logf:
            self.logf.close()
        return code

    def log_tail(self, n=2000):
        try:
            with open(os.path.join(self.dir, "vigil.log"), "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}{path}"


def vigil_run(args, vg, mode, run, duration, budget=0, count_fsyncs=False):
    """One measured wrk run against a started vigil, with the store checked afterwards (not
    an in-memory one: nothing outside vigil can read it)."""
    store = vg.reader
    before_total = store.counts()[0] if store else None
    load0 = os.getloadavg()[0]
    perf = start_fsync_count(vg.proc.pid, duration) if count_fsyncs else None
    # Incidents committed, about once a second: the highest incident id in the store (an index
    # lookup from our own connection). Not vigil's /metrics: rendering it counts the open
    # incidents on vigil's engine thread (~100 ms at 570k open), which stalls ingestion.
    series = []  # (seconds, highest incident id, RSS MB)

    def max_id():
        return store.max_id() if store else None

    def tick(elapsed):
        series.append((round(elapsed, 1), max_id(), round(memory_mb(vg.proc.pid)[0], 1)))
    opened0 = max_id()
    cpu0, thr0, w0 = cpu_split(vg.proc.pid), thread_cpu(vg.proc.pid), time.monotonic()
    w = run_wrk(args, vg.url(), mode, run, duration, budget, on_tick=tick)
    cpu1, thr1, w1 = cpu_split(vg.proc.pid), thread_cpu(vg.proc.pid), time.monotonic()
    r = summarize(w, vg.proc.pid, cpu0, cpu1, w1 - w0, load0, thr0, thr1)
    r["budget_reached"] = w["budget_reached"]
    r["memory_map"] = memory_map(vg.proc.pid)
    # Incidents committed per second.
    rates, prev = [], (0.0, opened0)
    for t, opened, _ in series:
        if opened is not None and prev[1] is not None and t > prev[0]:
            rates.append(round((opened - prev[1]) / (t - prev[0])))
        prev = (t, opened)
    r["opened_per_s_series"] = rates
    r["rss_mb_series"] = [x[2] for x in series]
    if store is None:
        return r
    if perf is not None:
        r["perf_fsync"] = read_fsync_count(perf, duration)
    # Let the commits of requests wrk abandoned at its deadline land, then check the store.
    time.sleep(1)
    total, open_ = store.counts()
    r["store_incidents_added"] = total - before_total
    r["store_open_incidents"] = open_
    r["store_mb"] = store.size_mb()
    # Sampled accepted keys that must be in the store: all in `unique`; in `pairs` those of
    # triggers and of resolves of keys that were triggered (k >= 1, and not thread 1's key 1:
    # wrk calls request() once in thread 1 to check the script and never sends that one);
    # none in `dedup`.
    def triggered(k):
        m = re.fullmatch(r".*-t(\d+)-(-?\d+)", k)
        return int(m.group(2)) >= 1 and (m.group(1), m.group(2)) != ("1", "1")
    keys = [k for k in w["samples"] if mode == "unique" or (mode == "pairs" and triggered(k))]
    r["sampled_keys"] = len(keys)
    r["sampled_keys_in_store"] = store.keys_in_store(keys) if keys else None
    if mode == "unique":
        # Every 202 opened an incident; at most one request per connection was in flight
        # (committed or not) when wrk stopped without reading its answer.
        r["committed_check"] = (w["ok"] <= r["store_incidents_added"] <= w["ok"] + w["bad"] + args.connections
                                and r["sampled_keys_in_store"] == r["sampled_keys"])
    elif mode == "pairs":
        r["committed_check"] = r["sampled_keys_in_store"] == r["sampled_keys"]
    return r


def run_vigil_throughput(args, workdir):
    """Each mode against a fresh vigil (an empty store, no open incidents), after a warm-up
    of deduplicated events (16 incidents)."""
    res = {}
    for mode in args.modes:
        pg = Postgres() if mode == "postgres" else None
        vg = Vigil(args, os.path.join(workdir, mode), memory=(mode == "memory"), postgres=pg.uri if pg else None)
        try:
            ready = vg.start()
            res.setdefault("ready_s", ready)
            res.setdefault("rss_mb_ready", round(memory_mb(vg.proc.pid)[0], 1))
            run_wrk(args, vg.url(), "dedup", "warm", args.warmup)
            time.sleep(1)
            print(f"vigil /v2/enqueue, {mode}: wrk -t{args.threads} -c{args.connections} -d{args.duration}s ...",
                  flush=True)
            r = vigil_run(args, vg, "unique" if mode in ("memory", "postgres") else mode,
                          "mg" if mode == "postgres" else f"m{mode[0]}", args.duration,
                          count_fsyncs=(mode in ("unique", "pairs")))
            res[mode] = r
            print(f"  {r['accepted_per_s']:,.0f} accepted/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
                  f"{r['rejected']} rejected, CPU {r['server_cpu_util']:.2f} cores, RSS {r['rss_mb']} MB, "
                  f"committed check: {r.get('committed_check')}, opened/s {r['opened_per_s_series']}, "
                  f"load {r['loadavg_1m']}", flush=True)
        finally:
            r = res.get(mode)
            code = vg.stop()
            if r is not None:
                r["exit_code"] = code
            if pg:
                pg.stop()
    return res


def run_vigil_million(args, workdir, mode):
    """`args.million` events of `mode` against a fresh vigil, bounded by --million-limit seconds."""
    vg = Vigil(args, workdir)
    res = {"events": args.million}
    try:
        vg.start()
        print(f"vigil /v2/enqueue, {args.million:,} {mode} events (at most {args.million_limit}s) ...", flush=True)
        rss_before = memory_mb(vg.proc.pid)[0]
        r = vigil_run(args, vg, mode, f"M{mode[0]}", args.million_limit, budget=args.million)
        r["rss_mb_ready"] = round(rss_before, 1)
        res.update(r)
        print(f"  {r['accepted']:,} accepted in {r['duration_s']} s ({r['accepted_per_s']:,.0f}/s"
              f"{'' if r['budget_reached'] else ', time limit reached first'}), p99 {r['p99_ms']} ms, "
              f"RSS {r['rss_mb']} MB (peak {r['hwm_mb']}), store {r['store_mb']} MB, "
              f"{r['store_open_incidents']:,} open", flush=True)
    finally:
        res["exit_code"] = vg.stop()
    return res


# ---- Alertmanager ---------------------------------------------------------------------------

def am_received(port):
    _, text = http_get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    total = 0.0
    for line in text.splitlines():
        if line.startswith("alertmanager_alerts_received_total{") and 'status="firing"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def run_alertmanager(args, workdir):
    os.makedirs(os.path.join(workdir, "data"), exist_ok=True)
    cfg = os.path.join(workdir, "am.yml")
    with open(cfg, "w") as f:
        f.write('route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n')
    port = free_port()
    log = open(os.path.join(workdir, "alertmanager.log"), "wb")
    proc = subprocess.Popen([args.alertmanager, f"--config.file={cfg}", f"--storage.path={workdir}/data",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                            stdout=log, stderr=subprocess.STDOUT)
    res = {"version": subprocess.run([args.alertmanager, "--version"], capture_output=True,
                                     text=True).stdout.split("\n")[0]}
    try:
        wait_until(lambda: proc.poll() is None and port_open(port) and
                   http_get(f"http://127.0.0.1:{port}/-/ready")[0] == 200, 30, "alertmanager /-/ready")
        res["rss_mb_ready"] = round(memory_mb(proc.pid)[0], 1)
        run_wrk(args, f"http://127.0.0.1:{port}", "alertmanager", "warm", args.warmup)
        print(f"alertmanager /api/v2/alerts: wrk -t{args.threads} -c{args.connections} -d{args.duration}s ...",
              flush=True)
        recv0 = am_received(port)
        load0 = os.getloadavg()[0]
        cpu0, w0 = cpu_split(proc.pid), time.monotonic()
        w = run_wrk(args, f"http://127.0.0.1:{port}", "alertmanager", "am", args.duration)
        cpu1, w1 = cpu_split(proc.pid), time.monotonic()
        r = summarize(w, proc.pid, cpu0, cpu1, w1 - w0, load0)
        r["memory_map"] = memory_map(proc.pid)
        time.sleep(1)
        r["alerts_received"] = int(am_received(port) - recv0)
        r["received_check"] = w["ok"] <= r["alerts_received"] <= w["ok"] + w["bad"] + args.connections
        res.update(r)
        print(f"  {r['accepted_per_s']:,.0f} accepted/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
              f"{r['rejected']} rejected, CPU {r['server_cpu_util']:.2f} cores, RSS {r['rss_mb']} MB "
              f"after {r['alerts_received']:,} alerts, load {r['loadavg_1m']}", flush=True)
    finally:
        stop_pid(proc, signal.SIGTERM, timeout=30)
        log.close()
    return res


# ---- nginx ceiling --------------------------------------------------------------------------

def run_nginx(args, workdir):
    nginx = Nginx(workdir)
    nginx.start()
    try:
        print(f"nginx GET / (ceiling): wrk -t{args.threads} -c{args.connections} -d{args.duration}s ...", flush=True)
        load0 = os.getloadavg()[0]
        pids = [nginx.proc.pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(nginx.proc.pid)],
                                                                   capture_output=True, text=True).stdout.split()]

        def cpu():
            t = [cpu_split(p) for p in pids]
            return sum(x[0] for x in t), sum(x[1] for x in t)
        cpu0, w0 = cpu(), time.monotonic()
        w = run_wrk(args, f"http://127.0.0.1:{nginx.port}", "get", "n", args.duration)
        cpu1, w1 = cpu(), time.monotonic()
        r = summarize(w, pids[-1], cpu0, cpu1, w1 - w0, load0)
        print(f"  {r['accepted_per_s']:,.0f} req/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms", flush=True)
        return r
    finally:
        nginx.stop()


# ---- paging latency -------------------------------------------------------------------------

def read_http_message(buf):
    """(headers text, body bytes, rest) of the first complete HTTP message in buf, or None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("latin-1")
    m = re.search(r"(?im)^content-length:\s*(\d+)", head)
    length = int(m.group(1)) if m else 0
    if re.search(r"(?im)^transfer-encoding:\s*chunked", head):
        raise RuntimeError("chunked request bodies are not handled by this receiver")
    if len(buf) < end + 4 + length:
        return None
    return head, buf[end + 4:end + 4 + length], buf[end + 4 + length:]


def run_latency(args, workdir):
    """N single triggers one at a time; per event, the 202 and the page's arrival at a loopback
    receiver, both from just before the request is written. One thread, one selector: no
    Python thread handoff between the send and the timestamps."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.setblocking(False)
    rport = listener.getsockname()[1]
    extra = {
        "service": "    escalation_policy: page-now\n",
        "top": ("users:\n  - id: oncall\n    contacts:\n"
                f"      - {{ type: webhook, url: \"http://127.0.0.1:{rport}/hook\" }}\n"
                "escalation_policies:\n  - name: page-now\n    rules:\n      - { after: 0m, notify: [user:oncall] }\n"),
    }
    vg = Vigil(args, workdir, extra)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "accept")
    buffers = {}
    pages = {}  # title token -> arrival ns
    other_messages = 0

    def pump(deadline_ns):
        """Handles ready sockets until deadline_ns; returns the vigil client's new bytes."""
        nonlocal other_messages
        got = b""
        timeout = max(0.0, (deadline_ns - time.perf_counter_ns()) / 1e9)
        for key, _ in sel.select(timeout):
            now = time.perf_counter_ns()
            if key.data == "accept":
                c, _ = listener.accept()
                c.setblocking(False)
                c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(c, selectors.EVENT_READ, "recv")
                buffers[c] = b""
            elif key.data == "client":
                data = key.fileobj.recv(65536)
                if not data:
                    raise RuntimeError("vigil closed the client connection")
                got += data
            else:
                c = key.fileobj
                data = c.recv(65536)
                if not data:
                    sel.unregister(c)
                    c.close()
                    buffers.pop(c, None)
                    continue
                buffers[c] += data
                while True:
                    msg = read_http_message(buffers[c])
                    if msg is None:
                        break
                    _, body, buffers[c] = msg
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                    doc = json.loads(body)
                    m = re.search(r"latency probe (lat-\d+)", doc.get("incident", {}).get("title", ""))
                    if doc.get("event") == "page" and m and m.group(1) not in pages:
                        pages[m.group(1)] = now
                    else:
                        other_messages += 1
        return got

    res = {"events": args.latency_events, "rate_per_s": args.latency_rate}
    client = None
    try:
        vg.start()
        client = socket.create_connection(("127.0.0.1", vg.port), timeout=5)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.setblocking(False)
        sel.register(client, selectors.EVENT_READ, "client")
        ingest, page, missing = [], [], 0
        interval_ns = int(1e9 / args.latency_rate)
        load0 = os.getloadavg()[0]
        cpu0 = cpu_split(vg.proc.pid)
        print(f"paging latency: {args.latency_events} triggers, one at a time, {args.latency_rate}/s ...", flush=True)
        next_at = time.perf_counter_ns()
        for i in range(args.latency_events + args.latency_warmup):
            token = f"lat-{i}"
            body = json.dumps({"routing_key": KEY, "event_action": "trigger", "dedup_key": token,
                               "payload": {"summary": f"latency probe {token}", "source": "bench-host-01",
                                           "severity": "critical"}}).encode()
            req = (f"POST /v2/enqueue HTTP/1.1\r\nHost: 127.0.0.1:{vg.port}\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            # Wait for the slot, still answering the receiver meanwhile.
            while time.perf_counter_ns() < next_at:
                if pump(next_at):
                    raise RuntimeError("unexpected bytes from vigil between requests")
            next_at += interval_ns
            t0 = time.perf_counter_ns()
            client.sendall(req)
            buf, t_resp = b"", None
            deadline = t0 + int(args.latency_timeout * 1e9)
            while (t_resp is None or token not in pages) and time.perf_counter_ns() < deadline:
                data = pump(deadline)
                if data:
                    buf += data
                    msg = read_http_message(buf)
                    if msg is not None:
                        t_resp = time.perf_counter_ns()
                        status = int(msg[0].split(" ", 2)[1])
                        if status != 202:
                            raise RuntimeError(f"vigil answered {status}: {msg[1][:300]!r}")
            if i < args.latency_warmup:
                continue
            if t_resp is not None:
                ingest.append((t_resp - t0) / 1e6)
            if token in pages:
                page.append((pages[token] - t0) / 1e6)
            else:
                missing += 1
        wall = (time.perf_counter_ns() - next_at + interval_ns * (args.latency_events + args.latency_warmup)) / 1e9
        cpu1 = cpu_split(vg.proc.pid)
        ingest.sort()
        page.sort()
        res.update({
            "loadavg_1m": [round(load0, 2), round(os.getloadavg()[0], 2)],
            "builds_running_after": busy_builds(),
            "ingest_202_ms": {"p50": round(percentile(ingest, 50), 3), "p99": round(percentile(ingest, 99), 3),
                              "max": round(ingest[-1], 3)} if ingest else None,
            "page_ms": {"p50": round(percentile(page, 50), 3), "p90": round(percentile(page, 90), 3),
                        "p99": round(percentile(page, 99), 3), "max": round(page[-1], 3)} if page else None,
            "pages_received": len(page),
            "pages_missing": missing,
            "other_messages": other_messages,
            "vigil_cpu_s": round(sum(cpu1) - sum(cpu0), 2),
            "wall_s": round(wall, 1),
        })
        # vigil's own view, from the timeline (ms resolution): triggered -> paged entry.
        con = sqlite3.connect(f"file:{vg.db}?mode=ro", uri=True, timeout=30)
        try:
            rows = con.execute(
                "SELECT p.at_ms - t.at_ms FROM timeline t JOIN timeline p ON p.incident_id = t.incident_id "
                "WHERE t.kind = 'triggered' AND p.kind = 'paged'").fetchall()
        finally:
            con.close()
        d = sorted(r[0] for r in rows)
        res["timeline_triggered_to_paged_ms"] = {"p50": percentile(d, 50), "p99": percentile(d, 99),
                                                 "max": d[-1]} if d else None
        print(f"  202: p50 {res['ingest_202_ms']['p50']} ms, p99 {res['ingest_202_ms']['p99']} ms; "
              f"page arrived: p50 {res['page_ms']['p50']} ms, p99 {res['page_ms']['p99']} ms, "
              f"max {res['page_ms']['max']} ms ({missing} missing)", flush=True)
    finally:
        if client:
            client.close()
        res["exit_code"] = vg.stop()
        for key in list(sel.get_map().values()):
            if key.fileobj is not client:
                key.fileobj.close()
        sel.close()
    return res


# ---- report ---------------------------------------------------------------------------------

def fmt(v, spec=""):
    return "—" if v is None else format(v, spec)


def report(result):
    v = result.get("vigil") or {}
    am = result.get("alertmanager") or {}
    ng = result.get("nginx") or {}
    am_rate = am.get("accepted_per_s")
    head = ("", "accepted/s", "p50 ms", "p99 ms", "p99.9 ms", "server CPU (cores)", "CPU ms / 1000", "RSS MB after",
            "non-2xx", "vs Alertmanager")
    md = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["--:"] * (len(head) - 1)) + "|"]
    labels = {"unique": "vigil `/v2/enqueue`, new dedup_key each (every event a commit)",
              "pairs": "vigil `/v2/enqueue`, trigger + resolve (every event a commit)",
              "dedup": "vigil `/v2/enqueue`, 16 keys (deduplicated, no commit)",
              "memory": "what-if: `unique` with an in-memory store (nothing durable)",
              "postgres": "vigil on PostgreSQL, new dedup_key every event (every event a commit)"}
    rows = [(labels[m], v[m]) for m in ("unique", "pairs", "dedup", "memory", "postgres") if m in v]
    if "accepted_per_s" in am:
        version = re.search(r"version (\S+)", am.get("version", ""))
        rows.append((f"Alertmanager `/api/v2/alerts`{' ' + version.group(1) if version else ''}", am))
    if "accepted_per_s" in ng:
        rows.append(("nginx static `GET /` (ceiling)", ng))
    for name, r in rows:
        ratio = round(r["accepted_per_s"] / am_rate, 2) if am_rate and r is not ng else None
        r["ratio_vs_alertmanager"] = ratio
        md.append("| " + " | ".join([name, fmt(r["accepted_per_s"], ",.0f"), fmt(r["p50_ms"], ".2f"),
                                     fmt(r["p99_ms"], ".2f"), fmt(r["p999_ms"], ".2f"),
                                     fmt(r["server_cpu_util"], ".2f"), fmt(r["server_cpu_ms_per_1000"], ".0f"),
                                     fmt(r["rss_mb"], ".1f"), str(r["rejected"] + sum(r["socket_errors"].values())),
                                     f"{ratio}x" if ratio is not None else "—"]) + " |")
    out = ["\n".join(md)]
    mil = [(k, result[k]) for k in ("million_unique", "million_pairs") if "accepted" in (result.get(k) or {})]
    if mil:
        t = ["| 1M-event run | accepted | events/s | p99 ms | RSS MB ready → after | peak MB | open incidents | "
             "store MB |", "|---|--:|--:|--:|--:|--:|--:|--:|"]
        for k, r in mil:
            t.append(f"| {'unique triggers' if k.endswith('unique') else 'trigger + resolve pairs'} | "
                     f"{r['accepted']:,} | {r['accepted_per_s']:,.0f} | {r['p99_ms']:.2f} | "
                     f"{r['rss_mb_ready']:.1f} → {r['rss_mb']:.1f} | {r['hwm_mb']:.1f} | "
                     f"{r['store_open_incidents']:,} | {r['store_mb']:.0f} |")
        out.append("\n".join(t))
    lat = result.get("latency") or {}
    if lat.get("page_ms"):
        out.append(f"Paging latency ({lat['pages_received']} single triggers at {lat['rate_per_s']}/s, POST written → "
                   f"page request received): p50 {lat['page_ms']['p50']:.2f} ms, p90 {lat['page_ms']['p90']:.2f} ms, "
                   f"p99 {lat['page_ms']['p99']:.2f} ms, max {lat['page_ms']['max']:.2f} ms; the 202 alone: "
                   f"p50 {lat['ingest_202_ms']['p50']:.2f} ms, p99 {lat['ingest_202_ms']['p99']:.2f} ms.")
    fs = result.get("fsync")
    if fs:
        out.append(f"fsync (write 4 KiB + fsync, {fs['filesystem']} on {fs['device']}): p50 {fs['p50_ms']} ms, "
                   f"p99 {fs['p99_ms']} ms, max {fs['max_ms']} ms.")

    goals = []
    u = v.get("unique")
    if u and am_rate:
        ok = u["accepted_per_s"] >= 2 * am_rate and u.get("committed_check")
        goals.append(f"- events/s: {u['ratio_vs_alertmanager']}x Alertmanager's, every 202 committed: "
                     f"{'yes' if u.get('committed_check') else 'NOT verified'} (goal >= 2x: {'met' if ok else 'NOT met'})")
    if u and am.get("server_cpu_ms_per_1000"):
        # CPU ms per 1000 accepted = CPU µs per event: what each side spends, whatever the cores.
        vu, au = u["server_cpu_ms_per_1000"], am["server_cpu_ms_per_1000"]
        goals.append(f"- CPU per accepted event: vigil {vu:.0f} µs (committed to disk) against Alertmanager's "
                     f"{au:.0f} µs (kept in memory): {au / vu:.2f}x as many events per CPU second")
    if u:
        goals.append(f"- p99 at 64 clients: {u['p99_ms']:.2f} ms (goal < 20 ms: {'met' if u['p99_ms'] < 20 else 'NOT met'})")
    if u and len(u.get("opened_per_s_series") or []) > 2:
        sr = u["opened_per_s_series"]
        goals.append(f"- unique keys: {sr[0]:,} incidents committed in the first second, {sr[-2]:,} in the last full "
                     f"one, with {u['store_open_incidents']:,} open at the end")
    for k, r in mil:
        goals.append(f"- RSS after {r['accepted']:,} {k.split('_')[1]} events: {r['rss_mb']:.1f} MB "
                     f"({r['store_open_incidents']:,} incidents open)"
                     + ("" if r.get("budget_reached") else
                        f"; {r['events']:,} were not reached within the time limit ({r['duration_s']:.0f} s)"))
    if lat.get("page_ms"):
        p = lat["page_ms"]["p99"]
        goals.append(f"- paging latency p99 {p:.2f} ms, an upper bound of the internal one "
                     f"(goal < 5 ms: {'met' if p < 5 else 'NOT met'})")
    busy = sorted({name for name, ph in (result.get("phases") or {}).items() if ph["builds_running_at_start"]} |
                  {name for name in ("vigil", "alertmanager", "nginx", "million_unique", "million_pairs", "latency")
                   if any(isinstance(x, dict) and x.get("builds_running_after")
                          for x in [result.get(name) or {}] + list((result.get(name) or {}).values()))})
    if busy:
        goals.append(f"- WARNING: compiles or tests shared the CPUs during: {', '.join(busy)}; "
                     "those figures are not comparable")
    return "\n\n".join(out) + ("\n\n" + "\n".join(goals) if goals else "") + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vigil", default=os.path.join(ROOT, "build/bench/vigil"))
    p.add_argument("--vigil-env", action="append", metavar="NAME=VALUE",
                   help="environment of the vigil processes, e.g. GLIBC_TUNABLES=glibc.malloc.trim_threshold=134217728")
    p.add_argument("--alertmanager", default=shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager")
    p.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--connections", type=int, default=64, help="wrk connections (concurrent clients)")
    p.add_argument("--duration", type=int, default=20, help="seconds per measured wrk run")
    p.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each server's measured runs")
    p.add_argument("--modes", nargs="*", default=["unique", "pairs", "dedup", "memory", "postgres"],
                   choices=["unique", "pairs", "dedup", "memory", "postgres"],
                   help="vigil runs of the side-by-side (none: skip them)")
    p.add_argument("--million", type=int, default=1_000_000,
                   help="events of the RSS runs (fresh vigil each, unique and pairs); 0 skips them")
    p.add_argument("--million-modes", nargs="*", default=["unique", "pairs"], choices=["unique", "pairs"])
    p.add_argument("--million-limit", type=int, default=120, help="seconds allowed to each of the 1M-event runs")
    p.add_argument("--latency-events", type=int, default=500)
    p.add_argument("--latency-warmup", type=int, default=20, help="triggers sent first and not counted")
    p.add_argument("--latency-rate", type=float, default=50, help="triggers per second in the latency run")
    p.add_argument("--latency-timeout", type=float, default=5, help="seconds to wait for one page")
    p.add_argument("--quiet-wait", type=float, default=600,
                   help="seconds to wait at most for ninja/ctest/cc1plus to finish before measuring")
    p.add_argument("--phase-quiet-wait", type=float, default=120,
                   help="seconds to wait at most, before each phase, for compiles/tests to finish")
    p.add_argument("--skip-alertmanager", action="store_true")
    p.add_argument("--skip-nginx", action="store_true")
    p.add_argument("--skip-latency", action="store_true")
    p.add_argument("--out", default=os.path.join(ROOT, "bench/results/events_ingest.json"))
    p.add_argument("--keep", action="store_true", help="keep the temp dir (configs, logs, databases)")
    args = p.parse_args()

    if not os.access(args.vigil, os.X_OK):
        sys.exit(f"no vigil binary at {args.vigil}: cmake --preset bench && cmake --build --preset bench")
    for b in [args.wrk] + ([] if args.skip_alertmanager else [args.alertmanager]):
        if not os.access(b, os.X_OK):
            sys.exit(f"missing {b}: apt-get install wrk prometheus-alertmanager (or --skip-alertmanager)")

    waited, busy = wait_quiet(args.quiet_wait)
    if waited:
        print(f"waited {waited}s for compiles/tests to finish{'; still running: ' + ', '.join(busy) if busy else ''}",
              flush=True)
    tmp = tempfile.mkdtemp(prefix="vigil-bench-events-")
    git = lambda *a: subprocess.run(["git", "-C", ROOT, *a], capture_output=True, text=True).stdout.strip()
    binary = {"path": args.vigil, "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.path.getmtime(args.vigil))),
              "head": git("rev-parse", "--short", "HEAD"), "src_changes_now": len(git("status", "--short", "src").splitlines())}
    result = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine(),
              "vigil_binary": binary, "waited_for_quiet_s": waited, "still_busy_at_start": busy,
              "settings": {k: v for k, v in vars(args).items() if k not in ("out", "keep")}}
    failed = []

    def phase(name, fn, *a):
        w, b = wait_quiet(args.phase_quiet_wait)
        result.setdefault("phases", {})[name] = {"waited_s": w, "builds_running_at_start": b,
                                                 "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}
        try:
            result[name] = fn(*a)
        except Exception as e:  # keep the other phases' figures
            result[name] = {"error": str(e)}
            failed.append(name)
            print(f"  {name} FAILED: {e}", flush=True)

    try:
        result["fsync"] = fsync_latency(tmp)
        print(f"fsync on {result['fsync']['filesystem']}: p50 {result['fsync']['p50_ms']} ms, "
              f"p99 {result['fsync']['p99_ms']} ms; load average {os.getloadavg()}", flush=True)
        phase("vigil", run_vigil_throughput, args, os.path.join(tmp, "vigil"))
        if not args.skip_alertmanager:
            phase("alertmanager", run_alertmanager, args, os.path.join(tmp, "alertmanager"))
        if not args.skip_nginx:
            phase("nginx", run_nginx, args, tmp)
        for mode in (args.million_modes if args.million else []):
            phase(f"million_{mode}", run_vigil_million, args, os.path.join(tmp, f"vigil-1m-{mode}"), mode)
        if not args.skip_latency:
            phase("latency", run_latency, args, os.path.join(tmp, "vigil-latency"))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    md = report(result)
    result["markdown"] = md
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    with open(os.path.splitext(args.out)[0] + ".md", "w") as f:
        f.write(md)
    print()
    print(md)
    print(f"wrote {args.out} and {os.path.splitext(args.out)[0]}.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
