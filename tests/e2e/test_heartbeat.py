"""Heartbeat checks (Healthchecks.io's URLs): a cron job pings /ping/KEY; a failure ping opens an
incident at once with the job's exit status and output and pages the on-call; a run that started
and did not finish within the grace, and silence past period + grace, open one too; the next ping
resolves it at once. Pings are stored before the 200: after kill -9 the clock runs from the last
ping (and, for a check never pinged, from when vigil began watching it), not from the restart.
And the dead man's switch Prometheus users build from their always-firing Watchdog alert: a real
Alertmanager sends it to /ping/KEY through a webhook receiver; when Alertmanager dies, vigil opens
an incident, and when it is back, resolves it."""
import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from harness import Receiver, Vigil, Workdir, run, wait_until
from test_alertmanager import Alertmanager, alert  # the same real Alertmanager

NIGHTLY = "nightly-0123456789abcdef"
NEVER = "never-0123456789abcdef"
WATCHDOG = "watchdog-0123456789abcdef"

CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
services:
  - name: backups
    escalation_policy: oncall
    checks:
      - {{ name: nightly, type: heartbeat, period: {period}, grace: {grace}, interval: 250ms, key: {nightly} }}
      - {{ name: never, type: heartbeat, period: {period}, grace: {grace}, interval: 250ms, key: {never} }}
users:
  - {{ id: alice, name: Alice, contacts: [ {{ type: webhook, url: "{alice}" }} ] }}
escalation_policies:
  - name: oncall
    rules:
      - {{ after: 0s, notify: [ "user:alice" ] }}
"""


def ping(vigil, path, body=None, method=None):
    """(status, json) of a ping; `body` is sent raw (a job's output), as curl --data-binary does."""
    req = urllib.request.Request(vigil.base() + path, data=body, method=method or ("POST" if body else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode())


def open_of(vigil, check):
    return [i for i in vigil.incidents("open") if i["check"] == check]


def figures(vigil, check):
    code, svc = vigil.get("/api/v1/services/backups")
    assert code == 200, svc
    return next(c for c in svc["checks"] if c["name"] == check)


def test_cron_job_fail_start_silence_and_recovery():
    with Workdir() as d:
        alice = Receiver()
        alice.start()
        vigil = Vigil(d, CONFIG.format(period="4s", grace="1s", nightly=NIGHTLY, never=NEVER, alice=alice.url()))
        vigil.start()
        try:
            code, body = ping(vigil, f"/ping/{NIGHTLY}")
            assert code == 200 and body == {"status": "ok", "check": "backups/nightly", "ping": "success",
                                            "exit_status": 0}, body
            check = figures(vigil, "nightly")
            assert check["type"] == "heartbeat" and check["target"] == "a ping every 4s, grace 1s", check
            assert NIGHTLY not in str(vigil.get("/api/v1/services")[1]), "the key is a secret"

            # A failure ping with the job's output: an incident at once (no waiting for the period),
            # titled with the exit status and the output's first line, and Alice is paged.
            sent = time.monotonic()
            code, body = ping(vigil, f"/ping/{NIGHTLY}/3", b"pg_dump: error: connection refused\nat line 2\n")
            assert code == 200 and body["ping"] == "fail" and body["exit_status"] == 3, body
            inc = wait_until(lambda: open_of(vigil, "nightly") and open_of(vigil, "nightly")[0], 5, "incident on fail")
            assert time.monotonic() - sent < 2.5, "a fail ping acts at once, not at the end of the period"
            assert "exit status 3" in inc["title"] and "pg_dump: error: connection refused" in inc["title"], inc
            assert "at line 2" not in inc["title"], inc
            wait_until(lambda: alice.pages(inc["id"]), 10, "Alice paged for the failed job")

            # The next successful run resolves it at once.
            code, _ = ping(vigil, f"/ping/{NIGHTLY}/0", method="POST", body=b"ok\n")
            assert code == 200
            wait_until(lambda: not open_of(vigil, "nightly"), 3, "resolved by the next success")
            code, detail = vigil.get(f"/api/v1/incidents/{inc['id']}")
            assert detail["status"] == "resolved", detail

            # A run that started and did not finish within the grace (1s), well before the period ends.
            code, body = ping(vigil, f"/ping/{NIGHTLY}/start", method="HEAD")
            assert code == 200
            hung = wait_until(lambda: open_of(vigil, "nightly") and open_of(vigil, "nightly")[0], 5, "a hung run")
            assert "not finished within the grace of 1s" in hung["title"], hung
            assert figures(vigil, "nightly")["figures"]["running"] == 1
            code, _ = ping(vigil, f"/ping/{NIGHTLY}")
            wait_until(lambda: not open_of(vigil, "nightly"), 3, "the run finished")
            assert figures(vigil, "nightly")["figures"]["run_time"] >= 1.0, "start → end timed"

            # Silence: past period + grace (5s) the check fails with how long it has been.
            quiet = time.monotonic()
            silent = wait_until(lambda: open_of(vigil, "nightly") and open_of(vigil, "nightly")[0], 10, "silence")
            waited = time.monotonic() - quiet
            assert 4.0 <= waited <= 7.0, f"opened after {waited:.1f}s of silence (period 4s + grace 1s)"
            assert "no ping for" in silent["title"] and "expected every 4s, grace 1s" in silent["title"], silent
            # The check never pinged at all is late too, from when vigil began watching it.
            never = wait_until(lambda: open_of(vigil, "never") and open_of(vigil, "never")[0], 10, "never pinged")
            assert "no ping yet" in never["title"], never

            assert vigil.metric("vigil_heartbeat_pings_total", '{service="backups",check="nightly"}') == 5
            assert vigil.metric("vigil_heartbeat_last_ping_timestamp_seconds",
                                '{service="backups",check="nightly"}') > time.time() - 60

            # Mistakes get JSON answers and change nothing.
            code, body = ping(vigil, "/ping/not-a-key-0123456789")
            assert code == 404 and body["field"] == "key", body
            code, body = ping(vigil, f"/ping/{NIGHTLY}/256")
            assert code == 404 and body["field"] == "action", body
            code, body = ping(vigil, f"/ping/{NIGHTLY}", method="DELETE")
            assert code == 405, body
            assert vigil.metric("vigil_heartbeat_pings_total", '{service="backups",check="nightly"}') == 5
        finally:
            vigil.stop()
            alice.stop()


def test_kill9_keeps_the_clock_of_pings_and_of_watching():
    with Workdir() as d:
        alice = Receiver()
        alice.start()
        # period 8s, no grace: late 8s after the last ping, or after vigil first watched `never`.
        vigil = Vigil(d, CONFIG.format(period="8s", grace="0s", nightly=NIGHTLY, never=NEVER, alice=alice.url()))
        vigil.start()
        watched = time.time()
        try:
            code, _ = ping(vigil, f"/ping/{NIGHTLY}")
            assert code == 200
            pinged = time.time()
            time.sleep(1.0)
            vigil.kill9()
            time.sleep(1.5)
            vigil.start()
            restarted = time.time()
            # From the stored clocks: the ping (and the first watch) + 8s, not the restart + 8s.
            for check, since in (("nightly", pinged), ("never", watched)):
                inc = wait_until(lambda: open_of(vigil, check) and open_of(vigil, check)[0], 15, f"{check} late")
                opened = datetime.strptime(inc["started_at"][:19], "%Y-%m-%dT%H:%M:%S").replace(
                    tzinfo=timezone.utc).timestamp()
                assert opened < restarted + 8 - 1, f"{check}: opened {opened - since:.1f}s after its clock began, " \
                                                   f"{opened - restarted:.1f}s after the restart"
                assert opened >= since + 8 - 1.5, f"{check}: opened {opened - since:.1f}s after its clock began"
            assert vigil.metric("vigil_heartbeat_pings_total", '{service="backups",check="nightly"}') == 1
        finally:
            vigil.stop()
            alice.stop()


AM_CONFIG = """
route:
  receiver: dead-mans-switch
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1s
receivers:
  - name: dead-mans-switch
    webhook_configs:
      - url: http://127.0.0.1:@VIGIL@/ping/@KEY@
        send_resolved: false
"""

WATCHDOG_CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
services:
  - name: monitoring
    checks:
      - {{ name: watchdog, type: heartbeat, period: 3s, grace: 2s, interval: 250ms, key: {key} }}
"""


def watchdog():
    now = datetime.now(timezone.utc)
    a = alert(now - timedelta(seconds=5), now + timedelta(minutes=10))
    a["labels"] = {"alertname": "Watchdog", "severity": "none"}
    a["annotations"] = {"summary": "An alert that should always be firing, to certify that Alertmanager works."}
    return a


def test_alertmanager_watchdog_is_a_dead_mans_switch():
    with Workdir() as d:
        vigil = Vigil(d, WATCHDOG_CONFIG.format(key=WATCHDOG))
        vigil.start()
        am = Alertmanager(d, AM_CONFIG.replace("@VIGIL@", str(vigil.port)).replace("@KEY@", WATCHDOG))
        labels = '{service="monitoring",check="watchdog"}'
        try:
            am.start()
            am.post_alerts([watchdog()])
            wait_until(lambda: (vigil.metric("vigil_heartbeat_pings_total", labels) or 0) >= 3, 20,
                       "three Watchdog deliveries from Alertmanager")
            time.sleep(1.0)
            assert vigil.incidents() == [], "Alertmanager alive: no incident"

            am.stop()  # Alertmanager dies: the Watchdog stops arriving
            dead = wait_until(lambda: vigil.incidents("open") and vigil.incidents("open")[0], 15, "the switch trips")
            assert dead["service"] == "monitoring" and "no ping for" in dead["title"], dead

            am.start()
            am.post_alerts([watchdog()])
            wait_until(lambda: not vigil.incidents("open"), 15, "resolved when the Watchdog arrives again")
        finally:
            am.stop()
            vigil.stop()


if __name__ == "__main__":
    run([test_cron_job_fail_start_silence_and_recovery, test_kill9_keeps_the_clock_of_pings_and_of_watching,
         test_alertmanager_watchdog_is_a_dead_mans_switch])
