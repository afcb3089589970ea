#!/usr/bin/env python3
"""Heartbeat pings: vigil's /ping/KEY side by side with the Prometheus Pushgateway.

A batch job that wants to be noticed when it stops running either pings a heartbeat URL
(Healthchecks.io's convention, which vigil serves) or, in the Prometheus world, pushes its
`job_last_success_timestamp_seconds` to the Pushgateway for an alert rule to compare with
time(). The same wrk (-t2 -c64, one ping or push per request, spread over --checks jobs,
bench/heartbeat_ping.lua) drives both, one after the other, on the same two cores:

- vigil answers 200 only after the ping is committed to SQLite (WAL, synchronous=FULL; the pings
  that arrive while a batch is being stored go into the next transaction). Afterwards the script
  checks that the pings the store counts (the sum of its heartbeat states' ping counters) are at
  least the 200s wrk saw.
- Debian's prometheus-pushgateway keeps pushes in memory (no --persistence.file here; with one it
  writes the whole state every 5 minutes).

Standard library only (plus wrk and prometheus-pushgateway: scripts/install-deps.sh --bench).
Only 127.0.0.1 traffic; both servers are started here and stopped by their PIDs.

    python3 bench/heartbeat_ping.py --vigil build/bench/vigil            # about 30 s
Figures: bench/results/heartbeat_ping.json.
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_throughput import cpu_split, free_port, machine, memory_mb, port_open, stop_pid, wait_until  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "bench", "heartbeat_ping.lua")


def key(i):
    return f"bench-{i:06d}-0123456789abcdef"


def run_wrk(args, port, mode):
    out = subprocess.run([args.wrk, "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s",
                          "-s", LUA, f"http://127.0.0.1:{port}", "--", mode, str(args.checks)],
                         capture_output=True, text=True, timeout=args.duration + 60)
    m = re.search(r"RESULT ok=(\d+) other=(\d+) p50_us=(\d+) p99_us=(\d+) max_us=(\d+)", out.stdout)
    if not m:
        raise RuntimeError(f"cannot read wrk's output:\n{out.stdout}\n{out.stderr}")
    ok, other, p50, p99, mx = map(int, m.groups())
    return {"ok": ok, "other": other, "per_s": round(ok / args.duration), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
            "max_ms": mx / 1000}


def measure(args, proc, port, mode):
    u0, s0 = cpu_split(proc.pid)
    t0 = time.monotonic()
    r = run_wrk(args, port, mode)
    wall = time.monotonic() - t0
    u1, s1 = cpu_split(proc.pid)
    r["server_cpu_cores"] = round((u1 - u0 + s1 - s0) / wall, 2)
    r["cpu_us_per_request"] = round((u1 - u0 + s1 - s0) * 1e6 / max(1, r["ok"]), 1)
    r["rss_mb"] = round(memory_mb(proc.pid)[0], 1)
    return r


def run_vigil(args, workdir):
    port = free_port()
    lines = [f"server: {{ listen: 127.0.0.1:{port} }}", f"store: {{ sqlite: \"{workdir}/vigil.db\" }}",
             "services:", "  - name: jobs", "    checks:"]
    for i in range(args.checks):
        lines.append(f"      - {{ name: job{i}, type: heartbeat, period: 1h, key: {key(i)} }}")
    cfg = os.path.join(workdir, "vigil.yaml")
    with open(cfg, "w") as f:
        f.write("\n".join(lines) + "\n")
    log = open(os.path.join(workdir, "vigil.log"), "ab")
    proc = subprocess.Popen([args.vigil, "run", "-c", cfg], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: port_open(port), 20, "vigil listening")
        r = measure(args, proc, port, "vigil")
    finally:
        stop_pid(proc)
    # Every ping answered 200 was committed: the stored states count at least as many.
    with sqlite3.connect(os.path.join(workdir, "vigil.db")) as db:
        stored = db.execute("SELECT COALESCE(SUM(pings), 0) FROM heartbeats").fetchone()[0]
    r["pings_stored"] = stored
    if stored < r["ok"]:
        raise RuntimeError(f"vigil answered {r['ok']} pings 200 but its store counts {stored}")
    return r


def run_pushgateway(args, workdir):
    port = free_port()
    log = open(os.path.join(workdir, "pushgateway.log"), "ab")
    proc = subprocess.Popen([args.pushgateway, f"--web.listen-address=127.0.0.1:{port}"], stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: port_open(port), 20, "pushgateway listening")
        return measure(args, proc, port, "pushgateway")
    finally:
        stop_pid(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vigil", default=os.path.join(ROOT, "build/bench/vigil"))
    ap.add_argument("--pushgateway", default=shutil.which("prometheus-pushgateway") or "/usr/bin/prometheus-pushgateway")
    ap.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    ap.add_argument("--checks", type=int, nargs="+", default=[100, 1000], help="jobs the pings are spread over")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--duration", type=int, default=10)
    args = ap.parse_args()
    for tool in (args.vigil, args.pushgateway, args.wrk):
        if not os.path.exists(tool):
            sys.exit(f"{tool} missing: run scripts/install-deps.sh --bench and build the bench preset")
    result = {"machine": machine(), "connections": args.connections, "duration_s": args.duration, "runs": []}
    jobs = args.checks
    for n in jobs:
        args.checks = n
        with tempfile.TemporaryDirectory(prefix="vigil-hb-bench-") as d:
            run = {"checks": n, "vigil": run_vigil(args, d), "pushgateway": run_pushgateway(args, d)}
        run["ratio"] = round(run["vigil"]["per_s"] / max(1, run["pushgateway"]["per_s"]), 2)
        result["runs"].append(run)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "heartbeat_ping.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"-t2 -c{args.connections} -d{args.duration}s; vigil commits every ping before its 200")
    print(f"{'':24} {'accepted/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'CPU µs/req':>10} {'RSS MB':>7} {'ratio':>7}")
    for run in result["runs"]:
        for name in ("vigil", "pushgateway"):
            r = run[name]
            ratio = f"{run['ratio']}x" if name == "vigil" else "1x"
            print(f"{name + ', ' + str(run['checks']) + ' jobs':24} {r['per_s']:>10,} {r['p50_ms']:>7.2f} "
                  f"{r['p99_ms']:>7.2f} {r['cpu_us_per_request']:>10} {r['rss_mb']:>7} {ratio:>7}")

if __name__ == "__main__":
    main()
