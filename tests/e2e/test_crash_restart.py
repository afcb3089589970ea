"""kill -9 in the middle of an incident loses nothing that was acknowledged: after restart the
open incident and its timeline are intact, it is not opened twice, and checks resume (the
recovery auto-resolves the restored incident). SIGTERM lets a running runbook finish (its outcome
on the timeline) but starts none of those queued behind it."""
import os
import time

from harness import Nginx, Vigil, Workdir, free_port, run, wait_until

CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
defaults: {{ interval: 1s, timeout: 1s, failure_threshold: 2, success_threshold: 2 }}
services:
  - name: web
    checks:
      - name: home
        url: "{url}"
"""


def test_kill9_keeps_incidents_and_checks_resume():
    with Workdir() as d:
        nginx = Nginx(d)
        nginx.start()
        vigil = Vigil(d, CONFIG.format(url=nginx.url("/")))
        vigil.start()
        try:
            nginx.stop()
            inc = wait_until(lambda: vigil.incidents("open"), 10, "incident")[0]
            code, _ = vigil.post(f"/api/v1/incidents/{inc['id']}/acknowledge", {"actor": "alice", "note": "on it"})
            assert code == 200
            code, _ = vigil.post(f"/api/v1/incidents/{inc['id']}/notes", {"actor": "alice", "text": "disk full?"})
            assert code == 201
            _, before = vigil.get(f"/api/v1/incidents/{inc['id']}")

            vigil.kill9()  # no chance to flush anything: what was answered must already be on disk
            vigil.start()
            _, after = vigil.get(f"/api/v1/incidents/{inc['id']}")
            assert after == before, f"incident changed across kill -9:\n{before}\n{after}"

            time.sleep(3)  # still down for several intervals after restart: no second incident
            assert [i["id"] for i in vigil.incidents()] == [inc["id"]]
            assert vigil.metric("vigil_check_up", '{service="web",check="home"}') == 0, "checks resumed"

            nginx.start()
            wait_until(lambda: vigil.incidents("open") == [], 10, "auto-resolve after restart")
            _, done = vigil.get(f"/api/v1/incidents/{inc['id']}")
            assert done["resolved_by"] == "auto"
            assert [e["kind"] for e in done["timeline"]] == ["triggered", "acknowledged", "note", "auto_resolved"]

            # A new outage after the restart gets the next number, never a reused one.
            nginx.stop()
            nxt = wait_until(lambda: vigil.incidents("open"), 10, "second incident")[0]
            assert nxt["id"] == inc["id"] + 1
        finally:
            if vigil.proc:
                vigil.stop()
            if nginx.proc:
                nginx.stop()


RUNBOOKS = """
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
defaults: {{ interval: 1s, timeout: 1s, failure_threshold: 1, success_threshold: 1 }}
services:
""" + "".join(f"""  - name: {name}
    checks:
      - {{{{ name: home, url: "http://127.0.0.1:{{port}}/" }}}}
    runbooks:
      - {{{{ name: fix, command: ["/bin/sh", "-c", "touch {{{{DIR}}}}/{name}-started; sleep 4; touch {{{{DIR}}}}/{name}-done"], auto: true, cooldown: 0s, timeout: 30s }}}}
""" for name in ("one", "two"))


def test_sigterm_starts_no_queued_runbook():
    with Workdir() as d:
        vigil = Vigil(d, RUNBOOKS.format(port=free_port()))  # nothing listens there: both checks fail
        vigil.start()
        marker = lambda name: os.path.exists(os.path.join(d, name))  # noqa: E731
        try:
            # One respond worker: whichever runbook starts first, the other waits behind it.
            wait_until(lambda: len(vigil.incidents("open")) == 2, 10, "two incidents")
            wait_until(lambda: marker("one-started") or marker("two-started"), 10, "a runbook started")
            first, other = ("one", "two") if marker("one-started") else ("two", "one")
            started = time.monotonic()
            vigil.stop()  # SIGTERM; asserts exit code 0
            took = time.monotonic() - started
            assert marker(f"{first}-done"), "the running runbook was allowed to finish"
            assert not marker(f"{other}-started"), "a queued runbook started after SIGTERM"
            assert took < 15, f"shutdown took {took:.1f}s"
            assert "1 queued runbooks not started" in vigil.output(), vigil.output()[-2000:]
            # The incident whose runbook never ran says so, the one that finished has its outcome,
            # and a restart does not run the skipped one either.
            vigil.start()
            done = next(i for i in vigil.incidents("open") if i["service"] == first)
            _, done = vigil.get(f"/api/v1/incidents/{done['id']}")
            assert "runbook_succeeded" in [e["kind"] for e in done["timeline"]], done["timeline"]
            inc = next(i for i in vigil.incidents("open") if i["service"] == other)
            _, inc = vigil.get(f"/api/v1/incidents/{inc['id']}")
            skipped = [e["text"] for e in inc["timeline"] if e["kind"] == "runbook_skipped"]
            assert skipped == ["fix not run: vigil shut down before it started"], inc["timeline"]
            time.sleep(1.5)
            vigil.stop()
            assert not marker(f"{other}-started"), "a skipped runbook ran after the restart"
        finally:
            if vigil.proc:
                vigil.stop()


if __name__ == "__main__":
    run([test_kill9_keeps_incidents_and_checks_resume, test_sigterm_starts_no_queued_runbook])
