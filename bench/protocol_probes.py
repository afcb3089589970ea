#!/usr/bin/env python3
"""TLS and DNS probes: vigil's `tls` and `dns` checks side by side with blackbox_exporter's
tcp prober with `tls: true` and its dns prober.

tls: one loopback nginx speaks TLS with a self-signed ECDSA P-256 certificate made here
(openssl). Both verify nothing (the certificate is self-signed), so the work is the same: TCP
connect, a full TLS handshake (1.2: nginx 1.22's default protocols), read the certificate, close.
dns: one loopback dnsmasq answers `web.test A` from its command line; each probe is one query.

vigil runs --checks checks of the kind at --rate probes/s (the condition evaluated, the result
stored); its probes are the rows added to check_results during the window, its CPU is its own.
blackbox_exporter is driven at its best by wrk (/probe?module=..., at several connection counts)
in the same run; its CPU excludes whoever schedules it and stores its results (Prometheus), so
the comparison favours it. The figure is probes per CPU-second of the prober (the server's share
is the same for both and not counted).

Standard library only (plus wrk, prometheus-blackbox-exporter, nginx, openssl, dnsmasq). Only
127.0.0.1 traffic; every process started here is stopped by its PID; every wait is bounded.

    python3 bench/protocol_probes.py --vigil build/bench/vigil          # about 2 minutes
    python3 bench/protocol_probes.py --kinds dns
Figures: bench/results/protocol_probes.json.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_throughput import (WRK_LUA, Nginx, cpu_split, free_port, http_get, machine, max_rowid,  # noqa: E402
                              memory_mb, port_open, stop_pid, wait_until)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Dnsmasq:
    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "dnsmasq")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
             "--no-poll", "--listen-address=127.0.0.1", "--bind-interfaces", f"--port={self.port}", "--pid-file=",
             "--local=/test/", "--host-record=web.test,10.0.0.5", "--cache-size=0"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "dnsmasq.log"), "wb"))
        wait_until(lambda: port_open(self.port), 10, f"dnsmasq on port {self.port}")

    def stop(self):
        stop_pid(self.proc, signal.SIGTERM, timeout=10)


# What each kind asks of vigil (one check line) and of blackbox_exporter (its module).
KINDS = {
    "tls": {
        "server": lambda d: Nginx(d, tls=True),
        "check": "{{ name: tls-{i:05d}, type: tls, target: '127.0.0.1:{port}', server_name: localhost, "
                 "tls_verify: false, conditions: ['cert_expires_in > 14d'] }}",
        "metric": "probe_ssl_earliest_cert_expiry{",
        "module": "  probe:\n    prober: tcp\n    timeout: 5s\n    tcp:\n      tls: true\n"
                  "      preferred_ip_protocol: ip4\n      tls_config:\n        insecure_skip_verify: true\n"
                  "        server_name: localhost\n",
        "target": "127.0.0.1:{port}",
        "blackbox_check": "probe_ssl_earliest_cert_expiry",
    },
    "dns": {
        "server": Dnsmasq,
        "check": "{{ name: dns-{i:05d}, type: dns, query: web.test, server: '127.0.0.1:{port}', "
                 "conditions: ['answers contains \"10.0.0.5\"'] }}",
        "metric": "probe_dns_answer_rrs{",
        "module": "  probe:\n    prober: dns\n    timeout: 5s\n    dns:\n      query_name: web.test\n"
                  "      query_type: A\n      preferred_ip_protocol: ip4\n      transport_protocol: udp\n",
        "target": "127.0.0.1:{port}",
        "blackbox_check": "probe_dns_answer_rrs 1",
    },
}


def run_vigil(args, kind, server, workdir):
    interval_ms = max(1, round(args.checks * 1000 / args.rate))
    port = free_port()
    db = os.path.join(workdir, "vigil.db")
    lines = [f"server: {{ listen: 127.0.0.1:{port} }}", f'store: {{ sqlite: "{db}" }}',
             f"defaults: {{ interval: {interval_ms}ms, timeout: {min(interval_ms, 5000)}ms }}", "services:"]
    for s in range(0, args.checks, 100):
        lines += [f"  - name: svc-{s // 100:04d}", "    checks:"]
        for c in range(s, min(args.checks, s + 100)):
            lines.append("      - " + KINDS[kind]["check"].format(i=c, port=server.port))
    cfg = os.path.join(workdir, "vigil.yaml")
    with open(cfg, "w") as f:
        f.write("\n".join(lines) + "\n")
    log = open(os.path.join(workdir, "vigil.log"), "wb")
    proc = subprocess.Popen([args.vigil, "run", "-c", cfg], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: http_get(f"http://127.0.0.1:{port}/-/ready", timeout=2)[0] == 200
                   if port_open(port) else False, 30, "vigil /-/ready", interval=0.2)
        time.sleep(args.warmup)
        rows0, cpu0, w0 = max_rowid(db), cpu_split(proc.pid), time.monotonic()
        time.sleep(args.window)
        rows1, cpu1, w1 = max_rowid(db), cpu_split(proc.pid), time.monotonic()
        rss, _ = memory_mb(proc.pid)
        _, text = http_get(f"http://127.0.0.1:{port}/metrics")
        failing = len(re.findall(r'^vigil_check_up\{[^}]*\} 0', text, re.M))
        if KINDS[kind]["metric"] not in text:
            raise RuntimeError(f"vigil's /metrics has no {KINDS[kind]['metric']}")
    finally:
        stop_pid(proc)
        log.close()
    probes = rows1 - rows0
    cpu = sum(cpu1) - sum(cpu0)
    wall = w1 - w0
    return {"checks": args.checks, "interval_ms": interval_ms, "probes": probes, "probes_per_s": round(probes / wall),
            "cpu_util": round(cpu / wall, 3), "probes_per_cpu_s": round(probes / cpu) if cpu else None,
            "cpu_us_per_probe": round(cpu * 1e6 / probes, 1) if probes else None, "rss_mb": round(rss, 1),
            "checks_down": failing}


def run_blackbox(args, kind, server, workdir):
    cfg = os.path.join(workdir, "blackbox.yml")
    with open(cfg, "w") as f:
        f.write("modules:\n" + KINDS[kind]["module"])
    lua = os.path.join(workdir, "count.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA)
    port = free_port()
    log = open(os.path.join(workdir, "blackbox.log"), "wb")
    proc = subprocess.Popen([args.blackbox, f"--config.file={cfg}", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/probe?module=probe&target=" + KINDS[kind]["target"].format(port=server.port)
    runs = []
    try:
        wait_until(lambda: port_open(port), 15, "blackbox_exporter port")
        status, body = http_get(url)
        if status != 200 or "\nprobe_success 1" not in body or KINDS[kind]["blackbox_check"] not in body:
            raise RuntimeError(f"blackbox {kind} probe failed ({status}):\n{body[:2000]}")
        for conns in args.wrk_connections:
            cpu0, w0 = cpu_split(proc.pid), time.monotonic()
            out = subprocess.run([args.wrk, f"-t{min(2, conns)}", f"-c{conns}", f"-d{args.window}s", "--timeout", "10s",
                                  "-s", lua, url], capture_output=True, text=True, timeout=args.window + 60)
            cpu1, w1 = cpu_split(proc.pid), time.monotonic()
            m = re.search(r"PROBES ok=(\d+) bad=(\d+)", out.stdout)
            if not m:
                raise RuntimeError(f"cannot read wrk's output:\n{out.stdout}\n{out.stderr}")
            ok = int(m.group(1))
            cpu = sum(cpu1) - sum(cpu0)
            runs.append({"wrk_connections": conns, "probes": ok, "probes_failed": int(m.group(2)),
                         "probes_per_s": round(ok / (w1 - w0)), "cpu_util": round(cpu / (w1 - w0), 3),
                         "probes_per_cpu_s": round(ok / cpu) if cpu else None,
                         "cpu_us_per_probe": round(cpu * 1e6 / ok, 1) if ok else None,
                         "rss_mb": round(memory_mb(proc.pid)[0], 1)})
    finally:
        stop_pid(proc)
        log.close()
    return {"runs": runs, "best": max(runs, key=lambda r: r["probes_per_cpu_s"] or 0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vigil", default=os.path.join(ROOT, "build/bench/vigil"))
    ap.add_argument("--blackbox", default=shutil.which("prometheus-blackbox-exporter") or
                    "/usr/bin/prometheus-blackbox-exporter")
    ap.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    ap.add_argument("--kinds", nargs="+", choices=sorted(KINDS), default=["tls", "dns"])
    ap.add_argument("--checks", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=1000, help="vigil's offered probes/s")
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--wrk-connections", type=int, nargs="+", default=[4, 16])
    args = ap.parse_args()
    for tool in (args.vigil, args.blackbox, args.wrk):
        if not os.path.exists(tool):
            sys.exit(f"{tool} missing: run scripts/install-deps.sh --bench and build the bench preset")
    result = {"machine": machine(), "kinds": {}}
    for kind in args.kinds:
        with tempfile.TemporaryDirectory(prefix=f"vigil-{kind}-bench-") as d:
            server = KINDS[kind]["server"](d)
            server.start()
            try:
                v = run_vigil(args, kind, server, d)
                b = run_blackbox(args, kind, server, d)
            finally:
                server.stop()
        result["kinds"][kind] = {"vigil": v, "blackbox": b,
                                 "ratio_probes_per_cpu_s": round(v["probes_per_cpu_s"] / b["best"]["probes_per_cpu_s"], 2)}
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "protocol_probes.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"{'':34} {'probes/s':>9} {'CPU µs/probe':>13} {'probes/CPU-s':>13} {'RSS MB':>7}")
    for kind, k in result["kinds"].items():
        v = k["vigil"]
        print(f"{'vigil, ' + str(v['checks']) + ' ' + kind + ' checks':34} {v['probes_per_s']:>9,} "
              f"{v['cpu_us_per_probe']:>13} {v['probes_per_cpu_s']:>13,} {v['rss_mb']:>7}   ({v['checks_down']} checks down)")
        for r in k["blackbox"]["runs"]:
            print(f"{'blackbox ' + kind + ', wrk -c' + str(r['wrk_connections']):34} {r['probes_per_s']:>9,} "
                  f"{r['cpu_us_per_probe']:>13} {r['probes_per_cpu_s']:>13,} {r['rss_mb']:>7}")
        print(f"{kind}: vigil / blackbox_exporter (best), probes per CPU-second: {k['ratio_probes_per_cpu_s']}x")

if __name__ == "__main__":
    main()
