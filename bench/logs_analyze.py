#!/usr/bin/env python3
"""`vigil logs analyze` side by side with GoAccess, awk | sort | uniq -c and wc -l.

Generates a deterministic combined access log (bench/gen_access_log.cpp: 1 GB, 20k clients,
one day of traffic) in /tmp, reads it once so it sits in the page cache, then times each tool
pinned to one core (taskset -c 0) over the same file:

  vigil     build/bench/vigil logs analyze FILE            (the full summary)
  goaccess  goaccess FILE --log-format=COMBINED -o report.json
  awk       awk '{print $9}' FILE | sort | uniq -c         (status counts only)
  wc        wc -l FILE                                     (the floor: read and count lines)

Each tool runs --runs times (GoAccess --goaccess-runs times: it is slow); the median wall time
is reported with the CPU time (user + sys of the process tree, from wait4) of that run, as MB/s
(10^6 bytes per second) and as ratios to vigil. Results go to bench/results/logs_analyze.json
and a markdown table on stdout. The log is deleted at the end unless --keep.
Standard library only.
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_timed(argv, stdout=subprocess.DEVNULL):
    """Runs argv; returns (wall seconds, cpu seconds of the whole process tree, exit code)."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # wait4's rusage covers the child and every descendant it waited for (awk, sort, uniq).
    return wall, ru.ru_utime + ru.ru_stime, proc.returncode


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def cpu_busy():
    """Other compilers running on the shared machine (the measurements would be noisy)."""
    try:
        out = subprocess.run(["pgrep", "-c", "cc1plus"], capture_output=True, text=True).stdout.strip()
        return int(out or 0)
    except (OSError, ValueError):
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vigil", default=os.path.join(ROOT, "build/bench/vigil"))
    ap.add_argument("--gen", default=os.path.join(ROOT, "build/bench/bench/gen_access_log"))
    ap.add_argument("--log", default="/tmp/vigil-bench-access.log")
    ap.add_argument("--size", default="1G", help="log size (gen_access_log --size), default 1G")
    ap.add_argument("--clients", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--goaccess-runs", type=int, default=1)
    ap.add_argument("--cpu", default="0", help="core for taskset -c (default 0)")
    ap.add_argument("--skip", nargs="*", default=[], choices=["goaccess", "awk", "wc"])
    ap.add_argument("--keep", action="store_true", help="keep the generated log")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/results/logs_analyze.json"))
    args = ap.parse_args()

    for exe in (args.vigil, args.gen):
        if not os.access(exe, os.X_OK):
            sys.exit(f"logs_analyze: {exe} not found: build the bench preset (cmake --build --preset bench)")
    taskset = ["taskset", "-c", args.cpu] if shutil.which("taskset") else []

    generated = False
    if not os.path.exists(args.log):
        t = time.monotonic()
        subprocess.run([args.gen, args.log, "--size", args.size, "--clients", str(args.clients)], check=True)
        generated = True
        print(f"generated {args.log} in {time.monotonic() - t:.1f}s", file=sys.stderr)
    size = os.path.getsize(args.log)
    try:
        warm(args.log)
        with open(args.log, "rb") as f:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))

        report = os.path.join(os.path.dirname(args.log), "vigil-bench-goaccess.json")
        tools = [
            ("vigil", [args.vigil, "logs", "analyze", args.log], args.runs),
            ("goaccess", ["goaccess", args.log, "--log-format=COMBINED", "--no-global-config", "-o", report],
             args.goaccess_runs),
            ("awk", ["bash", "-c", f"awk '{{print $9}}' '{args.log}' | sort | uniq -c"], args.runs),
            ("wc", ["wc", "-l", args.log], args.runs),
        ]
        results = {}
        for name, argv, runs in tools:
            if name in args.skip or (name == "goaccess" and not shutil.which("goaccess")):
                continue
            samples = []
            for _ in range(max(1, runs)):
                busy = cpu_busy()
                wall, cpu, rc = run_timed(taskset + argv)
                if rc != 0:
                    sys.exit(f"logs_analyze: {name} exited with {rc}: {' '.join(argv)}")
                samples.append({"wall_s": wall, "cpu_s": cpu, "compilers_running": busy})
                print(f"{name:9} {wall:8.3f}s wall {cpu:8.3f}s cpu  {size / wall / 1e6:8.1f} MB/s", file=sys.stderr)
            med = sorted(samples, key=lambda s: s["wall_s"])[len(samples) // 2]
            results[name] = {
                "argv": argv,
                "runs": samples,
                "wall_s": med["wall_s"],
                "cpu_s": med["cpu_s"],
                "mb_per_s": size / med["wall_s"] / 1e6,
                "mb_per_cpu_s": size / med["cpu_s"] / 1e6 if med["cpu_s"] else None,
                "best_wall_s": min(s["wall_s"] for s in samples),
            }
        if os.path.exists(report):
            os.remove(report)

        v = results["vigil"]
        for name, r in results.items():
            r["vigil_speedup_wall"] = r["wall_s"] / v["wall_s"]
            r["vigil_speedup_cpu"] = r["cpu_s"] / v["cpu_s"] if v["cpu_s"] else None
        out = {
            "file_bytes": size,
            "file_lines": lines,
            "clients": args.clients,
            "pinned_cpu": args.cpu if taskset else None,
            "machine": {"nproc": os.cpu_count(), "platform": platform.platform()},
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "tools": results,
        }
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(out, f, indent=2)

        print(f"\n{size / 1e9:.2f} GB, {lines:,} lines, one core (taskset -c {args.cpu}), page cache warm\n")
        print("| tool | wall (median) | CPU | MB/s (wall) | MB/s per CPU-second | vigil is faster by |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, r in results.items():
            ratio = "—" if name == "vigil" else f"{r['vigil_speedup_wall']:.1f}× ({r['vigil_speedup_cpu']:.1f}× CPU)"
            print(f"| {name} | {r['wall_s']:.2f} s | {r['cpu_s']:.2f} s | {r['mb_per_s']:,.0f} | "
                  f"{r['mb_per_cpu_s']:,.0f} | {ratio} |")
    finally:
        if generated and not args.keep:
            os.remove(args.log)


if __name__ == "__main__":
    main()
