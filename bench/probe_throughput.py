#!/usr/bin/env python3
"""Probe throughput: vigil side by side with Prometheus blackbox_exporter.

N HTTP checks against one loopback nginx, a new connection per check. For vigil at each
configured check count (default 10k and 100k) it reports checks/s, CPU seconds per 1000
checks, probes per CPU-second and RSS; for blackbox_exporter, driven at its best by wrk in
the same run, the same figures; and the ratio of probes per CPU-second.

vigil's count includes everything it does per check: scheduling, the HTTP probe, evaluating
the condition and storing the result (probes = rows added to check_results in its SQLite
store during the window). blackbox_exporter's count is the /probe requests wrk completed;
its CPU excludes whoever schedules it and stores its results (Prometheus), so the comparison
favours it.

Goal (issue): >= 3x blackbox_exporter's probes per CPU-second, and 100k configured checks
under 200 MB RSS.

Standard library only. Only 127.0.0.1 traffic; every process started here is stopped by its
PID; every wait is bounded.

    python3 bench/probe_throughput.py                      # 10k and 100k checks, 5000 checks/s
    python3 bench/probe_throughput.py --checks 10000 --window 10 --skip-blackbox
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---- helpers --------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_until(predicate, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def http_get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def cpu_split(pid):
    """(utime, stime) of the whole process (all threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def thread_cpu(pid):
    """{tid: (name, cpu seconds)} for every thread of pid."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()
        out[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / CLK_TCK)
    return out


def memory_mb(pid):
    """(VmRSS, VmHWM) in MB."""
    vals = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                k, v = line.split(":", 1)
                vals[k] = int(v.split()[0]) / 1024.0
    return vals.get("VmRSS", 0.0), vals.get("VmHWM", 0.0)


def memory_map(pid):
    """Resident MB by kind of mapping: the main heap (brk), other anonymous memory (thread malloc
    arenas, stacks, mmap'ed blocks) and file-backed (code, sqlite -shm)."""
    out = {"heap": 0.0, "anon": 0.0, "file": 0.0}
    kind = None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                if line[0] in "0123456789abcdef" and "-" in line.split(" ", 1)[0]:
                    parts = line.split()
                    name = parts[5] if len(parts) > 5 else ""
                    kind = "heap" if name == "[heap]" else ("file" if name.startswith("/") else "anon")
                elif line.startswith("Rss:") and kind:
                    out[kind] += int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return {k: round(v, 1) for k, v in out.items()}


def stop_pid(proc, sig=signal.SIGTERM, timeout=30):
    """Stops a process we started, by its PID; returns its exit code."""
    if proc is None or proc.poll() is not None:
        return None if proc is None else proc.returncode
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(timeout=10)


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_mb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_mb = int(line.split()[1]) // 1024
    try:
        with open("/etc/debian_version") as f:
            debian = f.read().strip()
    except OSError:
        debian = ""
    return {"nproc": os.cpu_count(), "cpu": model, "mem_mb": mem_mb, "debian": debian,
            "kernel": platform.release(), "loadavg_at_start": os.getloadavg()}


# ---- nginx ----------------------------------------------------------------------------------

class Nginx:
    """A real nginx on 127.0.0.1:<port> serving / (200 "<h1>Sign in</h1>"); 1 worker, no access log.
    Same layout as tests/e2e/harness.py's Nginx, tuned for load (access_log off, more connections).
    With tls=True it speaks TLS only, with a self-signed ECDSA P-256 certificate made here by
    openssl, and resumes no sessions (every connection a full handshake)."""

    def __init__(self, workdir, tls=False):
        self.dir = os.path.join(workdir, "nginx")
        os.makedirs(os.path.join(self.dir, "logs"), exist_ok=True)
        self.port = free_port()
        self.proc = None
        ssl = ""
        if tls:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                            "-nodes", "-days", "90", "-subj", "/CN=localhost", "-keyout", f"{self.dir}/key.pem",
                            "-out", f"{self.dir}/cert.pem"], check=True, capture_output=True, timeout=30)
            ssl = (f"ssl_certificate {self.dir}/cert.pem; ssl_certificate_key {self.dir}/key.pem;\n"
                   "    ssl_session_cache off; ssl_session_tickets off;")
        conf = f"""
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 16384;
pid {self.dir}/nginx.pid;
error_log {self.dir}/logs/error.log warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}/body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
  server {{
    listen 127.0.0.1:{self.port}{" ssl" if tls else ""} backlog=4096;
    {ssl}
    location = / {{ default_type text/html; return 200 "<h1>Sign in</h1>"; }}
  }}
}}
"""
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)

    def start(self):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([nginx, "-c", self.conf, "-p", self.dir, "-e", f"{self.dir}/logs/error.log"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: port_open(self.port), 10, f"nginx on port {self.port}")

    def stop(self):
        stop_pid(self.proc, signal.SIGTERM, timeout=10)
        self.proc = None

    def url(self):
        return f"http://127.0.0.1:{self.port}/"


# ---- vigil ----------------------------------------------------------------------------------

def vigil_config(workdir, checks, rate, target, jitter, per_service, timeout_ms):
    """YAML with `checks` http checks in services of `per_service`; the interval makes the
    offered load `rate` checks/s. vigil rejects a timeout longer than the interval, so the
    timeout is capped at the interval (loopback probes take about a millisecond anyway)."""
    interval_ms = max(1, round(checks * 1000 / rate))
    timeout_ms = min(timeout_ms, interval_ms)
    port = free_port()
    db = os.path.join(workdir, "vigil.db")
    services = max(1, (checks + per_service - 1) // per_service)
    lines = [
        f"server: {{ listen: 127.0.0.1:{port} }}",
        f'store: {{ sqlite: "{db}" }}',
        f"defaults: {{ interval: {interval_ms}ms, timeout: {timeout_ms}ms, failure_threshold: 3, success_threshold: 2, "
        f"jitter: {jitter} }}",
        "services:",
    ]
    n = 0
    for s in range(services):
        lines.append(f"  - name: svc-{s:04d}")
        lines.append("    checks:")
        for c in range(per_service):
            if n == checks:
                break
            lines.append(f"      - {{ name: chk-{c:05d}, url: \"{target}\", conditions: ['status == 200'] }}")
            n += 1
    path = os.path.join(workdir, "vigil.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path, port, db, interval_ms, timeout_ms


def max_rowid(db):
    """Highest rowid of check_results (rows are only appended during a run), read-only."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute("SELECT coalesce(max(rowid), 0) FROM check_results").fetchone()[0]
    finally:
        con.close()


def rows_started_between(db, t0_ms, t1_ms):
    """(rows, passed) of probes that started in [t0_ms, t1_ms) (Unix ms), read-only. Counting by
    start time instead of by insertion avoids the error of vigil's 1 s write batches."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        n, ok = con.execute("SELECT count(*), coalesce(sum(passed), 0) FROM check_results WHERE at_ms >= ? AND at_ms < ?",
                            (t0_ms, t1_ms)).fetchone()
        return n, ok
    finally:
        con.close()


def top_errors(db, t0_ms, t1_ms, limit=5):
    """The commonest failure reasons in the window (curl's text, cut before the variable part)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        rows = con.execute("SELECT substr(error, 1, 40), count(*) FROM check_results WHERE at_ms >= ? AND at_ms < ? "
                           "AND passed = 0 GROUP BY 1 ORDER BY 2 DESC LIMIT ?", (t0_ms, t1_ms, limit)).fetchall()
        return [{"error": e, "count": c} for e, c in rows]
    finally:
        con.close()


def run_vigil(args, nginx, checks, workdir):
    os.makedirs(workdir, exist_ok=True)
    per_service = args.per_service or max(1, checks // 100)
    cfg, port, db, interval_ms, timeout_ms = vigil_config(workdir, checks, args.rate, nginx.url(), args.jitter,
                                                          per_service, round(args.timeout * 1000))
    log_path = os.path.join(workdir, "vigil.log")
    log = open(log_path, "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen([args.vigil, "run", "-c", cfg], stdout=log, stderr=subprocess.STDOUT)
    res = {"configured_checks": checks, "interval_ms": interval_ms, "timeout_ms": timeout_ms,
           "offered_per_s": checks * 1000 / interval_ms, "jitter": args.jitter}
    try:
        def ready():
            if proc.poll() is not None:
                with open(log_path, "rb") as f:
                    tail = f.read()[-2000:].decode(errors="replace")
                raise RuntimeError(f"vigil exited with {proc.returncode}:\n{tail}")
            try:
                return http_get(f"http://127.0.0.1:{port}/-/ready", timeout=2)[0] == 200
            except OSError:
                return False

        wait_until(ready, args.start_timeout, "vigil /-/ready", interval=0.2)
        res["ready_s"] = round(time.monotonic() - t0, 2)
        res["rss_mb_ready"], _ = memory_mb(proc.pid)
        time.sleep(args.warmup)
        wait_until(lambda: os.path.exists(db), 10, "the sqlite file")

        load0 = os.getloadavg()[0]
        rows0, cpu0, thr0, w0, e0 = max_rowid(db), cpu_split(proc.pid), thread_cpu(proc.pid), time.monotonic(), time.time()
        rss_samples = []
        end = w0 + args.window
        while time.monotonic() < end:
            time.sleep(min(1.0, max(0.0, end - time.monotonic())))
            if proc.poll() is not None:
                raise RuntimeError(f"vigil exited with {proc.returncode} during the window")
            rss_samples.append(memory_mb(proc.pid)[0])
        rows1, cpu1, thr1, w1, e1 = max_rowid(db), cpu_split(proc.pid), thread_cpu(proc.pid), time.monotonic(), time.time()
        rss, hwm = memory_mb(proc.pid)
        # Probes started in the window are stored within a batch (1 s) or two: wait, then count them.
        time.sleep(args.settle)
        n, passed = rows_started_between(db, int(e0 * 1000), int(e1 * 1000))
        if passed < n:
            res["errors"] = top_errors(db, int(e0 * 1000), int(e1 * 1000))
        user, system = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
        wall, cpu = w1 - w0, user + system
        res.update({
            "window_s": round(wall, 2),
            "probes": n,
            "probes_passed": passed,
            "rows_inserted_in_window": rows1 - rows0,
            "checks_per_s": round(n / wall, 1),
            "cpu_s": round(cpu, 2),
            "cpu_user_s": round(user, 2),
            "cpu_system_s": round(system, 2),
            "cpu_s_per_1000": round(1000 * cpu / n, 4) if n else None,
            "probes_per_cpu_s": round(n / cpu, 1) if cpu > 0 else None,
            "cpu_util": round(cpu / wall, 3),
            "loadavg_1m": [round(load0, 2), round(os.getloadavg()[0], 2)],
            "rss_mb": round(rss, 1),
            "rss_mb_max_in_window": round(max(rss_samples or [rss]), 1),
            "rss_mb_per_second": [round(x, 1) for x in rss_samples],
            "memory_map": memory_map(proc.pid),
            "hwm_mb": round(hwm, 1),
            "threads": sorted(
                ({"tid": tid, "name": name, "cpu_s": round(c - thr0.get(tid, (name, 0.0))[1], 2)}
                 for tid, (name, c) in thr1.items()), key=lambda t: -t["cpu_s"]),
        })
        # A cheap counter of vigil's own (small at 10k checks; skipped at 100k, where /metrics is large).
        if checks <= args.metrics_max_checks:
            try:
                _, text = http_get(f"http://127.0.0.1:{port}/metrics", timeout=20)
                for name in ("vigil_probes_total", "vigil_probes_skipped_total", "vigil_probes_late_total",
                             "vigil_results_dropped_total"):
                    m = re.search(rf"^{name} (\S+)$", text, re.M)
                    if m:
                        res[name] = float(m.group(1))
                res["metrics_bytes"] = len(text)
            except OSError as e:
                res["metrics_error"] = str(e)
    finally:
        res["exit_code"] = stop_pid(proc, signal.SIGTERM, timeout=60)
        log.close()
    return res


# ---- blackbox_exporter ----------------------------------------------------------------------

WRK_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0 end
function response(status, headers, body)
  if status == 200 and string.find(body, "\nprobe_success 1", 1, true) then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local o, b = 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("bad") end
  io.write(string.format("PROBES ok=%d bad=%d\n", o, b))
end
"""


def run_blackbox(args, nginx, workdir):
    os.makedirs(workdir, exist_ok=True)
    cfg = os.path.join(workdir, "blackbox.yml")
    with open(cfg, "w") as f:
        f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n"
                "    http:\n      preferred_ip_protocol: ip4\n")
    lua = os.path.join(workdir, "count.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA)
    port = free_port()
    log = open(os.path.join(workdir, "blackbox.log"), "wb")
    proc = subprocess.Popen([args.blackbox, f"--config.file={cfg}", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/probe?module=http_2xx&target={nginx.url()}"
    res = {"version": subprocess.run([args.blackbox, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
           if os.path.exists(args.blackbox) else "", "runs": []}
    try:
        wait_until(lambda: port_open(port), 15, "blackbox_exporter port")
        status, body = http_get(url)
        if status != 200 or "\nprobe_success 1" not in body:
            raise RuntimeError(f"blackbox probe of nginx failed ({status}):\n{body[:2000]}")
        res["spot_check"] = "probe_success 1"
        for conns in args.wrk_connections:
            threads = min(args.wrk_threads, conns)
            load0 = os.getloadavg()[0]
            cpu0, w0 = cpu_split(proc.pid), time.monotonic()
            out = subprocess.run([args.wrk, f"-t{threads}", f"-c{conns}", f"-d{args.wrk_duration}s", "--timeout", "10s",
                                  "-s", lua, url], capture_output=True, text=True, timeout=args.wrk_duration + 60)
            cpu1, w1 = cpu_split(proc.pid), time.monotonic()
            rss, hwm = memory_mb(proc.pid)
            m = re.search(r"PROBES ok=(\d+) bad=(\d+)", out.stdout)
            total = re.search(r"(\d+) requests in", out.stdout)
            if not m or not total:
                raise RuntimeError(f"cannot read wrk's output:\n{out.stdout}\n{out.stderr}")
            ok, bad = int(m.group(1)), int(m.group(2))
            # wrk's clock: its requests are counted over -d; our CPU window brackets it (+ start/stop).
            user, system = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
            wall, cpu = w1 - w0, user + system
            res["runs"].append({
                "wrk": f"-t{threads} -c{conns} -d{args.wrk_duration}s",
                "window_s": round(wall, 2),
                "requests": int(total.group(1)),
                "probes": ok,
                "probes_failed": bad,
                "checks_per_s": round(ok / wall, 1),
                "cpu_s": round(cpu, 2),
                "cpu_user_s": round(user, 2),
                "cpu_system_s": round(system, 2),
                "cpu_s_per_1000": round(1000 * cpu / ok, 4) if ok else None,
                "probes_per_cpu_s": round(ok / cpu, 1) if cpu > 0 else None,
                "cpu_util": round(cpu / wall, 3),
                "loadavg_1m": [round(load0, 2), round(os.getloadavg()[0], 2)],
                "rss_mb": round(rss, 1),
                "hwm_mb": round(hwm, 1),
            })
        status, body = http_get(url)
        res["spot_check_after"] = "probe_success 1" if status == 200 and "\nprobe_success 1" in body else body[:500]
        best = max((r for r in res["runs"] if r["probes_per_cpu_s"]), key=lambda r: r["probes_per_cpu_s"], default=None)
        res["best"] = best
    finally:
        stop_pid(proc, signal.SIGTERM, timeout=20)
        log.close()
    return res


# ---- report ---------------------------------------------------------------------------------

def fmt(v, spec=""):
    return "—" if v is None else format(v, spec)


def report(result):
    bb = (result.get("blackbox") or {}).get("best")
    rows = []
    for v in result["vigil"]:
        if "error" in v:
            first = v["error"].strip().splitlines()[-1][:120].replace("|", "/")
            rows.append((f"vigil, {v['configured_checks']:,} checks", None, None, None, None, None, f"failed: {first}"))
            continue
        ratio = round(v["probes_per_cpu_s"] / bb["probes_per_cpu_s"], 2) if bb and v.get("probes_per_cpu_s") else None
        v["ratio_vs_blackbox"] = ratio
        rows.append((f"vigil, {v['configured_checks']:,} checks ({v['offered_per_s']:.0f}/s offered)",
                     v["checks_per_s"], v["cpu_s_per_1000"], v["probes_per_cpu_s"], v["rss_mb"], v["hwm_mb"],
                     f"{ratio}x" if ratio is not None else "—"))
    if bb:
        rows.append((f"blackbox_exporter (wrk {bb['wrk']})", bb["checks_per_s"], bb["cpu_s_per_1000"],
                     bb["probes_per_cpu_s"], bb["rss_mb"], bb["hwm_mb"], "1x"))
    head = ("", "checks/s", "CPU s / 1000 checks", "probes / CPU-s", "RSS MB", "peak RSS MB", "vs blackbox")
    md = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["--:"] * (len(head) - 1)) + "|"]
    for r in rows:
        md.append("| " + " | ".join([r[0], fmt(r[1], ",.0f"), fmt(r[2], ".3f"), fmt(r[3], ",.0f"),
                                     fmt(r[4], ".1f"), fmt(r[5], ".1f"), str(r[6])]) + " |")
    goals = []
    for v in result["vigil"]:
        if v.get("ratio_vs_blackbox") is not None:
            goals.append(f"- {v['configured_checks']:,} checks: {v['ratio_vs_blackbox']}x blackbox_exporter's probes per "
                         f"CPU-second (goal >= 3x: {'met' if v['ratio_vs_blackbox'] >= 3 else 'NOT met'})")
        if "probes" in v and (v["probes_passed"] < v["probes"] or v["checks_per_s"] < 0.95 * v["offered_per_s"]):
            goals.append(f"- WARNING {v['configured_checks']:,} checks: {v['checks_per_s']:,.0f}/s achieved of "
                         f"{v['offered_per_s']:,.0f}/s offered, {v['probes'] - v['probes_passed']:,} of {v['probes']:,} "
                         f"probes failed ({', '.join(e['error'] for e in v.get('errors', [])[:2])}): vigil or nginx was "
                         f"saturated, the figures are not comparable")
        if v["configured_checks"] >= 100_000 and "rss_mb" in v:
            goals.append(f"- {v['configured_checks']:,} checks: RSS {v['rss_mb']:.1f} MB, peak {v['hwm_mb']:.1f} MB "
                         f"(goal < 200 MB: {'met' if v['rss_mb'] < 200 else 'NOT met'})")
    return "\n".join(md) + ("\n\n" + "\n".join(goals) if goals else "") + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vigil", default=os.path.join(ROOT, "build/bench/vigil"))
    p.add_argument("--blackbox", default="/usr/bin/prometheus-blackbox-exporter")
    p.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    p.add_argument("--checks", type=int, nargs="+", default=[10_000, 100_000], help="configured checks, one vigil run each")
    p.add_argument("--rate", type=float, default=5000, help="offered load, checks/s (sets the interval)")
    p.add_argument("--timeout", type=float, default=5, help="check timeout, seconds (capped at the interval)")
    p.add_argument("--jitter", type=float, default=1.0,
                   help="defaults.jitter: 1.0 spreads first runs over the whole interval (a steady load)")
    p.add_argument("--per-service", type=int, default=0, help="checks per service (default: checks/100)")
    p.add_argument("--warmup", type=float, default=5)
    p.add_argument("--window", type=float, default=20, help="measurement window, seconds")
    p.add_argument("--settle", type=float, default=3, help="seconds to wait after the window for its results to be stored")
    p.add_argument("--start-timeout", type=float, default=120, help="seconds allowed for vigil to become ready")
    p.add_argument("--metrics-max-checks", type=int, default=10_000,
                   help="read vigil's /metrics counters only up to this many checks (it grows with checks)")
    p.add_argument("--wrk-connections", type=int, nargs="+", default=[8, 32, 128])
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--wrk-duration", type=int, default=10)
    p.add_argument("--skip-blackbox", action="store_true")
    p.add_argument("--out", default=os.path.join(ROOT, "bench/results/probe_throughput.json"))
    p.add_argument("--keep", action="store_true", help="keep the temp dir (configs, logs, databases)")
    args = p.parse_args()

    if not os.access(args.vigil, os.X_OK):
        sys.exit(f"no vigil binary at {args.vigil}: cmake --preset bench && cmake --build --preset bench")
    if not args.skip_blackbox:
        for b in (args.blackbox, args.wrk):
            if not os.access(b, os.X_OK):
                sys.exit(f"missing {b}: apt-get install prometheus-blackbox-exporter wrk (or --skip-blackbox)")

    tmp = tempfile.mkdtemp(prefix="vigil-bench-")
    result = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine(),
              "settings": {k: v for k, v in vars(args).items() if k not in ("out", "keep")}, "vigil": []}
    nginx = Nginx(tmp)
    nginx.start()
    try:
        if not args.skip_blackbox:
            print(f"blackbox_exporter: wrk at {args.wrk_connections} connections, {args.wrk_duration}s each ...", flush=True)
            try:
                result["blackbox"] = run_blackbox(args, nginx, os.path.join(tmp, "blackbox"))
            except Exception as e:  # still measure vigil
                result["blackbox"] = {"error": str(e), "runs": []}
                print(f"  FAILED: {e}", flush=True)
            for r in result["blackbox"]["runs"]:
                print(f"  {r['wrk']}: {r['checks_per_s']:.0f} probes/s, {r['probes_per_cpu_s']} probes/CPU-s, "
                      f"{r['probes_failed']} failed, RSS {r['rss_mb']} MB", flush=True)
        for n in args.checks:
            print(f"vigil: {n:,} checks at {args.rate:.0f}/s, warm-up {args.warmup}s, window {args.window}s ...", flush=True)
            try:
                v = run_vigil(args, nginx, n, os.path.join(tmp, f"vigil-{n}"))
                print(f"  {v['checks_per_s']:.0f} checks/s ({v['probes_passed']}/{v['probes']} passed), "
                      f"{v['probes_per_cpu_s']} probes/CPU-s, RSS {v['rss_mb']} MB (peak {v['hwm_mb']} MB), "
                      f"ready after {v['ready_s']}s", flush=True)
            except Exception as e:  # keep the other sizes' figures
                v = {"configured_checks": n, "error": str(e)}
                print(f"  FAILED: {e}", flush=True)
            result["vigil"].append(v)
    finally:
        nginx.stop()
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
    return 1 if any("error" in v for v in result["vigil"]) or "error" in result.get("blackbox", {}) else 0


if __name__ == "__main__":
    sys.exit(main())
