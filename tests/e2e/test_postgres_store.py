"""vigil on a real PostgreSQL (Debian's postgresql, started from a temp data directory): events,
acknowledgements and notes are in the database before they are answered, so kill -9 loses
nothing; a restart of the database server costs no event; `vigil token` uses the same store."""
import contextlib
import os
import subprocess

from harness import VIGIL_BIN, Nginx, Postgres, Receiver, Vigil, Workdir, run, wait_until

KEY = "0123456789abcdef0123456789abcdef"
CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ postgres_file: "{{DIR}}/postgres.uri" }}
defaults: {{ interval: 1s, timeout: 1s, failure_threshold: 1, success_threshold: 1 }}
channels:
  - {{ name: ops, type: webhook, url: "{hook}" }}
services:
  - name: web
    notify: [ops]
    checks:
      - {{ name: home, url: "{url}" }}
  - name: api
    notify: [ops]
integrations:
  - {{ name: prometheus, type: pagerduty_events_v2, key: {key}, service: api }}
users:
  - {{ id: ops, name: Ops, contacts: [ {{ type: webhook, url: "{hook}" }} ] }}
"""


def event(vigil, action, dedup_key):
    return vigil.post("/v2/enqueue", {"routing_key": KEY, "event_action": action, "dedup_key": dedup_key,
                                      "payload": {"summary": dedup_key, "source": "e2e", "severity": "critical"}})


@contextlib.contextmanager
def vigil_on_postgres():
    """A real PostgreSQL, nginx (the checked site), a webhook receiver and vigil, whose store is
    that PostgreSQL (the URI in a postgres_file); all stopped afterwards, by PID."""
    with Workdir() as d:
        pg, nginx, hook, vigil = Postgres(d), Nginx(d), Receiver(), None
        pg.start()
        try:
            nginx.start()
            hook.start()
            with open(os.path.join(d, "postgres.uri"), "w") as f:
                f.write(pg.uri() + "\n")
            vigil = Vigil(d, CONFIG.format(url=nginx.url("/"), hook=hook.url(), key=KEY))
            vigil.start()
            yield d, pg, nginx, hook, vigil
        finally:
            if vigil and vigil.proc:
                vigil.stop()
            hook.stop()
            if nginx.proc:
                nginx.stop()
            pg.stop()


def test_kill9_loses_nothing_and_checks_and_events_share_the_database():
    with vigil_on_postgres() as (d, pg, nginx, hook, vigil):
        assert not os.path.exists(os.path.join(d, "data")), "no SQLite file next to a PostgreSQL store"
        code, body = event(vigil, "trigger", "db-disk-full")
        assert code == 202 and body["dedup_key"] == "db-disk-full", body
        assert event(vigil, "trigger", "db-disk-full")[0] == 202  # deduplicated: same incident
        assert event(vigil, "trigger", "queue-stuck")[0] == 202
        api = {i["dedup_key"]: i for i in vigil.incidents("open")}
        assert set(api) == {"db-disk-full", "queue-stuck"}, api
        disk = api["db-disk-full"]["id"]
        assert vigil.post(f"/api/v1/incidents/{disk}/acknowledge", {"actor": "alice"})[0] == 200
        assert vigil.post(f"/api/v1/incidents/{disk}/notes", {"actor": "alice", "text": "growing 1 GB/h"})[0] == 201
        nginx.stop()  # a check-driven incident too
        web = wait_until(lambda: [i for i in vigil.incidents("open") if i["service"] == "web"], 10, "web down")[0]
        wait_until(lambda: hook.accepted("triggered") and len(hook.accepted("triggered")) >= 3, 10, "3 triggered")
        # In PostgreSQL itself, not in memory: rows as vigil committed them.
        assert pg.query("SELECT count(*) FROM incidents WHERE status <> 'resolved'") == ["3"]
        assert pg.query(f"SELECT kind FROM timeline WHERE incident_id = {disk} ORDER BY seq") == \
            ["triggered", "acknowledged", "note"]
        _, before = vigil.get(f"/api/v1/incidents/{disk}")
        # Delivered and marked so before the kill (a delivery cut short by kill -9 would come again,
        # with the same id: at least once); then no message may come twice.
        wait_until(lambda: vigil.metric("vigil_outbox_pending") == 0, 10, "outbox drained")

        vigil.kill9()
        vigil.start()
        _, after = vigil.get(f"/api/v1/incidents/{disk}")
        assert after == before, f"incident changed across kill -9:\n{before}\n{after}"
        assert sorted(i["id"] for i in vigil.incidents("open")) == sorted([disk, api["queue-stuck"]["id"], web["id"]])

        assert event(vigil, "resolve", "db-disk-full")[0] == 202
        nginx.start()
        wait_until(lambda: len(vigil.incidents("open")) == 1, 10, "resolved by event and by recovery")
        assert pg.query(f"SELECT status, resolved_by FROM incidents WHERE id = {web['id']}") == ["resolved|auto"]
        # Delivered notifications were marked so in the outbox: none came again after the restart.
        wait_until(lambda: vigil.metric("vigil_outbox_pending") == 0, 10, "outbox drained")
        ids = [m["id"] for m in hook.accepted()]
        assert len(ids) == len(set(ids)), f"a notification was delivered twice: {ids}"


def test_database_restart_costs_no_event_and_tokens_live_there():
    with vigil_on_postgres() as (d, pg, nginx, hook, vigil):
        assert event(vigil, "trigger", "before-restart")[0] == 202
        pg.restart()  # every session of vigil's is gone; vigil keeps running
        code, body = event(vigil, "trigger", "after-restart")
        assert code == 202, f"the first event after the restart: {code} {body}"
        keys = sorted(i["dedup_key"] for i in vigil.incidents("open"))
        assert keys == ["after-restart", "before-restart"], keys
        assert pg.query("SELECT dedup_key FROM incidents ORDER BY id") == ["before-restart", "after-restart"]
        assert vigil.get("/api/v1/reports?since=1d")[0] == 200  # the reader's session came back too

        out = subprocess.run([VIGIL_BIN, "token", "create", "--user", "ops", "--name", "ci", "-c", vigil.config],
                             capture_output=True, text=True, timeout=30, env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
        assert out.returncode == 0, out.stderr
        assert pg.query("SELECT name FROM api_tokens") == ["ci"]


def test_unreachable_database_fails_the_start_with_a_clear_error():
    with Workdir() as d:
        with open(os.path.join(d, "postgres.uri"), "w") as f:
            f.write("postgresql://vigil:hunter2@127.0.0.1:1/vigil?connect_timeout=2\n")
        vigil = Vigil(d, CONFIG.format(url="http://127.0.0.1:1/", hook="http://127.0.0.1:1/", key=KEY))
        vigil.start(wait=False)
        assert vigil.proc.wait(timeout=30) != 0
        out = vigil.output()
        assert "postgresql://vigil@127.0.0.1:1/vigil" in out, out
        assert "hunter2" not in out, out
        vigil.proc = None


if __name__ == "__main__":
    run([test_kill9_loses_nothing_and_checks_and_events_share_the_database,
         test_database_restart_costs_no_event_and_tokens_live_there,
         test_unreachable_database_fails_the_start_with_a_clear_error])
