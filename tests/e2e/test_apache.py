"""The seed outage's failures, injected into a real Apache2 that vigil monitors:
(a) Apache stopped → incident, evidence, the restart runbook brings it back, the incident
    resolves and records the runbook as the resolution;
(b) a config change makes /login answer 500 while / stays 200 → the login check and the
    access-log error rate fire, and the config diff since the last healthy moment is evidence;
(c) workers exhausted by slow requests → busy_workers_ratio fires and AH00161 is named as the
    likely cause;
(d) log rotation, rename+create and copytruncate, mid-stream: no line lost or counted twice."""
import os
import shutil
import threading
import time
import urllib.request

from harness import Apache, Vigil, Workdir, run, wait_until


def vigil_config(apache, checks, evidence="", runbooks="", interval="1s"):
    return f"""
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
defaults: {{ interval: {interval}, timeout: 1s, failure_threshold: 2, success_threshold: 1 }}
services:
  - name: webserver-01
    checks:
{checks}
    evidence:
      - {{ tail: "{apache.error_log}", lines: 50 }}
      - {{ command: ["/usr/sbin/apache2", "-f", "{apache.conf}", "-t"], timeout: 10s }}
      - {{ config_diff: "{apache.conf}" }}
{evidence}
{runbooks}
"""


def entries(vigil, incident_id, kind=None):
    _, inc = vigil.get(f"/api/v1/incidents/{incident_id}")
    return [e for e in inc["timeline"] if kind is None or e["kind"] == kind]


def check(vigil, name):
    _, svc = vigil.get("/api/v1/services/webserver-01")
    return next(c for c in svc["checks"] if c["name"] == name)


def test_a_apache_stopped_runbook_restarts_it():
    with Workdir() as d:
        apache = Apache(d)
        apache.start()
        argv = ", ".join(f'"{a}"' for a in apache.start_argv())
        cfg = vigil_config(
            apache,
            f'      - {{ name: home, url: "{apache.url("/")}", conditions: ["status == 200"] }}',
            runbooks=f"    runbooks:\n      - {{ name: restart-apache, command: [{argv}], auto: true, max_attempts: 2, cooldown: 0s, timeout: 30s }}")
        vigil = Vigil(d, cfg)
        vigil.start()
        try:
            wait_until(lambda: check(vigil, "home")["up"] and check(vigil, "home")["last_checked_at"], 10, "healthy")
            apache.stop()
            inc = wait_until(lambda: vigil.incidents(), 15, "incident")[0]
            done = wait_until(lambda: vigil.get(f"/api/v1/incidents/{inc['id']}")[1]["status"] == "resolved" and
                              vigil.get(f"/api/v1/incidents/{inc['id']}")[1], 40, "resolved after the runbook")
            assert done["resolved_by"] == "runbook:restart-apache", done["resolved_by"]
            kinds = [e["kind"] for e in done["timeline"]]
            assert kinds[0] == "triggered" and "evidence" in kinds and "runbook_succeeded" in kinds, kinds
            assert kinds.index("evidence") < kinds.index("runbook_succeeded"), "evidence is taken before the fix"
            assert "auto_resolved" in kinds
            tail = [e for e in done["timeline"] if e["kind"] == "evidence" and "error.log" in e["text"]]
            assert tail, "the error log tail is on the timeline"
            syntax = [e for e in done["timeline"] if e["kind"] == "evidence" and "Syntax OK" in e["text"]]
            assert syntax, "apache2 -t output is on the timeline"
            assert apache.get("/") == 200, "apache is serving again"
        finally:
            vigil.stop()
            apache.stop()


def test_b_login_rewrite_500_fires_login_and_error_rate_with_config_diff():
    with Workdir() as d:
        apache = Apache(d)
        apache.start()
        checks = "\n".join([
            f'      - {{ name: home, url: "{apache.url("/")}" }}',
            f'      - {{ name: login, url: "{apache.url("/login")}", conditions: ["status == 200", \'body contains "Sign in"\'] }}',
            f'      - {{ name: access, type: access_log, path: "{apache.access_log}", log_format: \'{Apache.LOG_FORMAT}\', '
            f'window: 1m, conditions: [\'path("/login").requests == 0 or path("/login").error_rate < 20%\'] }}',
        ])
        vigil = Vigil(d, vigil_config(apache, checks))
        vigil.start()
        try:
            wait_until(lambda: all(check(vigil, n)["up"] and check(vigil, n)["last_checked_at"] for n in ("home", "login", "access")),
                       15, "all checks healthy")
            time.sleep(7)  # a healthy config snapshot is taken (every 5 s while healthy)
            apache.extra = 'RewriteRule "^/login$" - [R=500]\n'
            apache.write_config()
            apache.graceful()
            assert apache.get("/login") == 500 and apache.get("/") == 200
            for _ in range(20):  # users keep trying to log in
                apache.get("/login")
            opened = wait_until(lambda: {i["check"] for i in vigil.incidents("open")} >= {"login", "access"} and vigil.incidents("open"),
                                20, "login and access-log incidents")
            assert "home" not in {i["check"] for i in opened}, "the home page stays up"
            login = next(i for i in opened if i["check"] == "login")
            diffs = wait_until(lambda: [e for e in entries(vigil, login["id"], "evidence") if "RewriteRule" in e["text"]], 15,
                               "config diff evidence")
            assert '+RewriteRule "^/login$" - [R=500]' in diffs[0]["text"], diffs[0]["text"]
            access = check(vigil, "access")
            assert access["figures"]["path:/login.error_rate"] > 0.2, access["figures"]
        finally:
            vigil.stop()
            apache.stop()


def test_c_workers_exhausted_names_ah00161():
    with Workdir() as d:
        apache = Apache(d, mpm="prefork", max_workers=3)
        apache.start()
        checks = f'      - {{ name: status, type: apache_status, url: "{apache.url("/server-status?auto")}", conditions: ["busy_workers_ratio < 90%"] }}'
        vigil = Vigil(d, vigil_config(apache, checks))
        vigil.start()
        clients = []
        try:
            wait_until(lambda: check(vigil, "status")["up"] and check(vigil, "status")["last_checked_at"], 10, "status healthy")
            def slow_client():
                try:
                    apache.get("/slow")
                except OSError:
                    pass  # queued behind the busy workers past the client's timeout: expected

            for _ in range(6):  # more slow requests than workers, bounded
                t = threading.Thread(target=slow_client, daemon=True)
                t.start()
                clients.append(t)
            inc = wait_until(lambda: [i for i in vigil.incidents() if i["check"] == "status"], 20, "busy workers incident")[0]
            causes = wait_until(lambda: entries(vigil, inc["id"], "likely_cause"), 20, "likely cause")
            assert any("AH00161" in e["text"] and "suggestion" in e["text"] for e in causes), causes
        finally:
            for t in clients:
                t.join(timeout=15)
            vigil.stop()
            apache.stop()


def test_d_rotation_loses_and_duplicates_no_line():
    with Workdir() as d:
        apache = Apache(d)
        apache.start()
        checks = (f'      - {{ name: access, type: access_log, path: "{apache.access_log}", '
                  f'log_format: \'{Apache.LOG_FORMAT}\', window: 10m, path_prefixes: ["/"] }}')
        vigil = Vigil(d, vigil_config(apache, checks))
        vigil.start()
        try:
            wait_until(lambda: check(vigil, "access")["last_checked_at"], 10, "access check running")
            time.sleep(1.5)  # the tailer starts at the end of the file: nothing before counts
            def requests():
                # Under "/": Apache's own "OPTIONS *" dummy connections at a graceful restart are
                # real log lines but not requests of ours.
                return check(vigil, "access")["figures"].get("path:/.requests", 0)
            base = requests()
            sent = 0
            for i in range(30):
                assert apache.get(f"/?n={i}") == 200
                sent += 1
            # rename + create (logrotate's default), in the middle of the stream
            os.rename(apache.access_log, apache.access_log + ".1")
            for i in range(30, 45):
                apache.get(f"/?n={i}")  # still written to the renamed file until Apache reopens
                sent += 1
            apache.graceful()
            for i in range(45, 80):
                apache.get(f"/?n={i}")
                sent += 1
            wait_until(lambda: requests() - base == sent, 15, f"{sent} requests after rename+create")
            # copytruncate: copy, then truncate in place; Apache keeps appending to the same file
            shutil.copy(apache.access_log, apache.access_log + ".2")
            with open(apache.access_log, "r+") as f:
                f.truncate(0)
            for i in range(80, 120):
                apache.get(f"/?n={i}")
                sent += 1
            wait_until(lambda: requests() - base == sent, 15, f"{sent} requests after copytruncate")
            time.sleep(2.5)
            assert requests() - base == sent, "no line counted twice"
        finally:
            vigil.stop()
            apache.stop()


if __name__ == "__main__":
    run([test_a_apache_stopped_runbook_restarts_it, test_b_login_rewrite_500_fires_login_and_error_rate_with_config_diff,
         test_c_workers_exhausted_names_ah00161, test_d_rotation_loses_and_duplicates_no_line])
