#!/usr/bin/env python3
"""Web UI under a large installation: 1,000 services and 10,000 incidents in the store.

Issue #7. Seeds a store, then measures, on loopback, the time to answer `GET /` (the overview
page, the heaviest page: every service, its current incident, 24 h availability and a latency
sparkline) and `GET /api/v1/incidents` (500 newest incidents as JSON), one request at a time
on a keep-alive connection: p50/p99 over --requests each, after a warm-up. Also the page
weight: bytes of the overview's HTML plus the CSS and JS it loads.

Seeding: vigil starts once on an empty store to create its schema, stops, and this script
inserts with Python's sqlite3 into vigil's own tables: --incidents incidents spread over 90
days (a few still open, each with a short timeline) and 24 h of probe results per check at a
5-minute step (the sparklines' history). The config has --services services, one http check
each against a real nginx on loopback (interval 60s, so probing is light), then vigil runs on it.

Goal (issue #7): p99 < 50 ms for both, page < 200 KB.

Standard library only. Only 127.0.0.1 traffic; processes started here are stopped by PID.

    python3 bench/ui_load.py --vigil build/bench/vigil
    python3 bench/ui_load.py --vigil build/h-events/vigil --services 200 --incidents 2000 --requests 100
"""
import argparse
import http.client
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
from probe_throughput import Nginx, free_port, machine, port_open, stop_pid, wait_until  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def config(workdir, port, services, target):
    lines = [f'server: {{ listen: "127.0.0.1:{port}" }}',
             f'store: {{ sqlite: "{workdir}/vigil.db" }}',
             "defaults: { interval: 60s, timeout: 5s }",
             "services:"]
    for i in range(services):
        lines.append(f"  - name: svc-{i:04d}")
        lines.append(f"    description: Web server {i} of the fleet")
        lines.append(f"    public: {'true' if i % 10 == 0 else 'false'}")
        lines.append(f"    checks: [ {{ name: login, type: http, url: \"{target}\" }} ]")
    return "\n".join(lines) + "\n"


def seed(db, services, incidents, now_ms):
    con = sqlite3.connect(db)
    day = 86_400_000
    rows, tl = [], []
    open_every = max(1, incidents // 10)  # ten still open, on different services
    for n in range(1, incidents + 1):
        svc = f"svc-{(n * 7) % services:04d}"
        started = now_ms - 90 * day + (n * 90 * day) // (incidents + 1)
        is_open = n % open_every == 0 and n > incidents - 10 * open_every
        status = "triggered" if is_open else "resolved"
        resolved = None if is_open else started + 600_000
        acked = started + 120_000
        rows.append((n, f"{svc}/login", svc, "login", f"{svc} login: status 503 (expected 200)", "critical", status,
                     started, started + 30_000, acked, resolved, "" if is_open else "auto"))
        tl.append((n, 1, started + 30_000, "triggered", "check:login", "status 503 (expected 200)"))
        tl.append((n, 2, acked, "acknowledged", "alice", ""))
        if not is_open:
            tl.append((n, 3, resolved, "auto_resolved", "check:login", "check passed again"))
    # Only one open incident per dedup key: the schema's partial unique index says so.
    seen = set()
    for i, r in enumerate(rows):
        if r[6] != "resolved":
            if r[1] in seen:
                rows[i] = r[:6] + ("resolved",) + r[7:10] + (r[7] + 600_000, "auto")
            seen.add(r[1])
    con.executemany("INSERT INTO incidents (id, dedup_key, service, check_name, title, severity, status, started_at_ms,"
                    " detected_at_ms, acknowledged_at_ms, resolved_at_ms, resolved_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    rows)
    con.executemany("INSERT INTO timeline (incident_id, seq, at_ms, kind, actor, text) VALUES (?,?,?,?,?,?)", tl)
    results = []
    step = 300_000
    for i in range(services):
        cid = f"svc-{i:04d}/login"
        for t in range(now_ms - day, now_ms, step):
            ok = (t // step + i) % 97 != 0
            results.append((cid, t, 1 if ok else 0, 200 if ok else 503, 20 + (t // step + i) % 40, "" if ok else "status 503"))
    con.executemany("INSERT INTO check_results (check_id, at_ms, passed, status, total_ms, error) VALUES (?,?,?,?,?,?)",
                    results)
    con.commit()
    con.close()
    return len(rows), len(results)


def start_vigil(binary, cfg, log):
    proc = subprocess.Popen([binary, "run", "-c", cfg], stdout=log, stderr=subprocess.STDOUT)
    return proc


def timed_gets(port, path, n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times, size = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status == 200, (path, r.status, body[:200])
        size = len(body)
    conn.close()
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    return {"p50_ms": round(pick(0.50), 2), "p99_ms": round(pick(0.99), 2), "max_ms": round(times[-1], 2),
            "requests": n, "bytes": size}


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vigil", default=os.path.join(ROOT, "build/bench/vigil"))
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--incidents", type=int, default=10000)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/results/ui_load.json"))
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="vigil-ui-bench-")
    nginx = Nginx(work)
    nginx.start()
    port = free_port()
    cfg = os.path.join(work, "vigil.yaml")
    with open(cfg, "w") as f:
        f.write(config(work, port, args.services, f"http://127.0.0.1:{nginx.port}/"))
    log = open(os.path.join(work, "vigil.log"), "ab")
    proc = None
    try:
        # 1. Schema: start on an empty store, stop.
        proc = start_vigil(args.vigil, cfg, log)
        wait_until(lambda: port_open(port), 60, "vigil to listen")
        stop_pid(proc)
        # 2. Seed, 3. run on the seeded store.
        t0 = time.monotonic()
        n_inc, n_res = seed(os.path.join(work, "vigil.db"), args.services, args.incidents, int(time.time() * 1000))
        print(f"seeded {n_inc} incidents and {n_res} results in {time.monotonic() - t0:.1f}s", flush=True)
        proc = start_vigil(args.vigil, cfg, log)
        wait_until(lambda: port_open(port) and get(port, "/-/ready")[0] == 200, 60, "vigil ready")
        # The overview's history is computed in the background on first view: wait for it.
        get(port, "/")
        wait_until(lambda: b"no data yet" not in get(port, "/")[1], 60, "sparkline history")

        status, html = get(port, "/")
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
        asset_bytes = sum(len(get(port, a.decode())[1]) for a in assets)
        result = {
            "machine": machine(),
            "services": args.services,
            "incidents": n_inc,
            "results_rows": n_res,
            "overview": timed_gets(port, "/", args.requests),
            "incidents_api": timed_gets(port, "/api/v1/incidents", args.requests),
            "incident_page": timed_gets(port, f"/incidents/{n_inc}", max(20, args.requests // 5)),
            "status_page": timed_gets(port, "/status", max(20, args.requests // 5)),
            "page_weight": {"html_bytes": len(html), "asset_bytes": asset_bytes, "total_bytes": len(html) + asset_bytes,
                            "assets": [a.decode() for a in assets]},
        }
    finally:
        if proc and proc.poll() is None:
            stop_pid(proc)
        nginx.stop()
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    o, a, w = result["overview"], result["incidents_api"], result["page_weight"]
    print(json.dumps(result, indent=2))
    print(f"\n| route | p50 | p99 | bytes |\n|---|---|---|---|\n"
          f"| GET / | {o['p50_ms']} ms | {o['p99_ms']} ms | {o['bytes']} |\n"
          f"| GET /api/v1/incidents | {a['p50_ms']} ms | {a['p99_ms']} ms | {a['bytes']} |\n"
          f"page weight (HTML + CSS + JS): {w['total_bytes']} bytes")
    ok = o["p99_ms"] < 50 and a["p99_ms"] < 50 and w["total_bytes"] < 200_000
    print("goal (p99 < 50 ms, page < 200 KB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
