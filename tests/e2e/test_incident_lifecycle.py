"""A real nginx goes down and comes back: vigil opens one incident per failing check within
interval x threshold + timeout, pages the webhook exactly once per event id (signed), takes an
acknowledgement and a note from the CLI, and auto-resolves when nginx is back."""
import collections
import os
import time

from harness import Nginx, Receiver, Vigil, Workdir, run, wait_until

INTERVAL, TIMEOUT, FAIL_T, OK_T = 1.0, 1.0, 2, 2

CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}}, external_url: http://vigil.test }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
defaults: {{ interval: 1s, timeout: 1s, failure_threshold: 2, success_threshold: 2 }}
channels:
  - {{ name: ops-hook, type: webhook, url: "{hook}", secret_file: hook.key }}
  - {{ name: console, type: log }}
services:
  - name: webserver-01
    description: Apache2 front end (nginx stands in)
    notify: [ops-hook, console]
    checks:
      - name: login
        url: "{login}"
        conditions: ['status == 200', 'body contains "Sign in"', 'response_time < 2s']
      - name: port
        type: tcp
        target: "127.0.0.1:{port}"
"""


def test_outage_is_detected_paged_acknowledged_and_resolved():
    with Workdir() as d:
        nginx = Nginx(d)
        nginx.start()
        hook = Receiver(secret="s3cret")
        hook.start()
        with open(os.path.join(d, "hook.key"), "w") as f:
            f.write("s3cret\n")
        vigil = Vigil(d, CONFIG.format(hook=hook.url(), login=nginx.url("/login"), port=nginx.port))
        vigil.start()
        try:
            wait_until(lambda: vigil.metric("vigil_check_up", '{service="webserver-01",check="login"}') == 1, 10,
                       "first passing probe of login")
            assert vigil.incidents() == []

            stopped_at = time.monotonic()
            nginx.stop()
            budget = INTERVAL * FAIL_T + TIMEOUT + 1.0  # +1s for commit and this poll
            opened = wait_until(lambda: len(vigil.incidents("open")) == 2 and vigil.incidents("open"), budget + 5,
                                "two incidents (login, port)")
            detect_s = time.monotonic() - stopped_at
            assert detect_s <= budget, f"detected after {detect_s:.1f}s, budget {budget}s"
            by_check = {i["check"]: i for i in opened}
            assert set(by_check) == {"login", "port"}
            login = by_check["login"]
            assert login["status"] == "triggered" and login["service"] == "webserver-01"
            assert login["started_at"] <= login["detected_at"]

            # Still down for a few more intervals: deduplicated, no new incident.
            time.sleep(2 * INTERVAL)
            assert len(vigil.incidents()) == 2

            wait_until(lambda: len(hook.accepted("triggered")) == 2, 10, "two trigger webhooks")

            out = vigil.cli("ack", str(login["id"]), "--note", "looking at apache", "--as", "alice")
            assert out.returncode == 0, out.stderr
            assert "acknowledged" in out.stdout
            out = vigil.cli("note", str(login["id"]), "rewrite rule suspected", "--as", "alice")
            assert out.returncode == 0, out.stderr
            code, inc = vigil.get(f"/api/v1/incidents/{login['id']}")
            assert code == 200 and inc["status"] == "acknowledged" and inc["acknowledged_at"]
            out = vigil.cli("incidents", "--open")
            assert out.returncode == 0 and "acknowledged" in out.stdout and "triggered" in out.stdout, out.stdout

            nginx.start()
            wait_until(lambda: vigil.incidents("open") == [], INTERVAL * OK_T + TIMEOUT + 6, "auto-resolve")
            code, inc = vigil.get(f"/api/v1/incidents/{login['id']}")
            assert inc["status"] == "resolved" and inc["resolved_by"] == "auto"
            kinds = [e["kind"] for e in inc["timeline"]]
            assert kinds == ["triggered", "acknowledged", "note", "auto_resolved"], kinds
            assert inc["timeline"][1]["actor"] == "alice"

            wait_until(lambda: len(hook.accepted("resolved")) == 2, 10, "two resolve webhooks")
            wait_until(lambda: len(hook.accepted("note")) == 1, 10, "note webhook")
            delivered = hook.accepted()
            assert all(r["signature_valid"] for r in delivered), "every webhook is signed with the secret"
            counts = collections.Counter(r["id"] for r in delivered)
            assert all(n == 1 for n in counts.values()), f"an event id was delivered twice: {counts}"
            assert all(r["id"] == r["body"]["id"] for r in delivered)
            trig = hook.accepted("triggered")[0]["body"]
            assert trig["incident"]["url"].startswith("http://vigil.test/api/v1/incidents/")

            # The log channel printed the same events on stdout.
            assert "vigil notify console" in vigil.output()
            assert vigil.metric("vigil_check_up", '{service="webserver-01",check="login"}') == 1
            assert vigil.metric("vigil_incidents", '{status="triggered"}') == 0
            assert vigil.metric("vigil_outbox_pending") == 0 or wait_until(
                lambda: vigil.metric("vigil_outbox_pending") == 0, 5, "empty outbox")

            # Acting on a resolved incident is a clear 409, on a missing one a 404.
            code, body = vigil.post(f"/api/v1/incidents/{login['id']}/acknowledge", {"actor": "bob"})
            assert code == 409 and "already resolved" in body["error"]
            code, body = vigil.post("/api/v1/incidents/999/resolve", {})
            assert code == 404
        finally:
            vigil.stop()
            hook.stop()
            nginx.stop() if nginx.proc else None


if __name__ == "__main__":
    run([test_outage_is_detected_paged_acknowledged_and_resolved])
