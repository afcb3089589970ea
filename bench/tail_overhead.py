#!/usr/bin/env python3
"""Tailing overhead (issue #5): vigil's CPU while a real Apache serves and logs ~20k requests/s.

Starts Apache (event MPM, access log with %D) and vigil with one access_log and one error_log
check on its logs (interval 1s), drives Apache with `wrk -t2 -c32` for DURATION seconds on
loopback, and reports Apache's request rate (lines logged) and vigil's CPU% over the window
(utime+stime from /proc). Everything is stopped by PID. Standard library + wrk."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Apache, Vigil, wait_until  # noqa: E402


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--vigil", default="build/bench/vigil")
    p.add_argument("--duration", type=int, default=10)
    args = p.parse_args()
    os.environ["VIGIL_BIN"] = os.path.abspath(args.vigil)
    import harness
    harness.VIGIL_BIN = os.environ["VIGIL_BIN"]
    d = tempfile.mkdtemp(prefix="vigil-bench-tail-")
    apache = Apache(d, max_workers=64)
    apache.start()
    cfg = f"""
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
defaults: {{ interval: 1s, timeout: 1s }}
services:
  - name: web
    checks:
      - {{ name: access, type: access_log, path: "{apache.access_log}", log_format: '{Apache.LOG_FORMAT}', window: 1m,
           conditions: ['error_rate < 5%'] }}
      - {{ name: errors, type: error_log, path: "{apache.error_log}" }}
"""
    vigil = Vigil(d, cfg)
    vigil.start()
    try:
        time.sleep(2)
        size0 = os.path.getsize(apache.access_log)
        lines0 = sum(1 for _ in open(apache.access_log))
        c0, t0 = cpu_seconds(vigil.proc.pid), time.monotonic()
        out = subprocess.run(["wrk", "-t2", "-c32", f"-d{args.duration}s", apache.url("/")], capture_output=True,
                             text=True, timeout=args.duration + 30)
        time.sleep(1.5)  # vigil reads what was logged last
        c1, t1 = cpu_seconds(vigil.proc.pid), time.monotonic()
        lines = sum(1 for _ in open(apache.access_log)) - lines0
        rps = [l for l in out.stdout.splitlines() if "Requests/sec" in l]
        figures = vigil.get("/api/v1/services/web")[1]["checks"][0]["figures"]
        print(f"apache: {rps[0].split()[-1] if rps else '?'} requests/s (wrk), {lines} lines logged, "
              f"{(os.path.getsize(apache.access_log) - size0) / 1e6:.1f} MB")
        print(f"vigil: {100 * (c1 - c0) / (t1 - t0):.1f}% of one core over {t1 - t0:.1f}s "
              f"({1e6 * (c1 - c0) / max(lines, 1):.2f} µs per logged line); window requests={figures.get('requests')}")
    finally:
        vigil.stop()
        apache.stop()


if __name__ == "__main__":
    main()
