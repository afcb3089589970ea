"""Schedule overrides made at run time (POST/GET/DELETE /api/v1/schedules/{name}/overrides and
`vigil override`): the override's user is on call and is the one paged, the newest override
wins where two overlap, overrides outlive a restart, a removed one gives the pager back, and
bad requests are refused with the field named."""
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from harness import Receiver, Vigil, Workdir, run, wait_until

KEY = "0123456789abcdef0123456789abcdef"
CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
services:
  - name: web
    escalation_policy: oncall
integrations:
  - {{ name: events, type: pagerduty_events_v2, key: {key}, service: web }}
users:
  - {{ id: alice, name: Alice, contacts: [ {{ type: webhook, url: "{alice}" }} ] }}
  - {{ id: bob, name: Bob, contacts: [ {{ type: webhook, url: "{bob}" }} ] }}
schedules:
  - name: primary
    time_zone: Europe/Berlin
    layers:
      - {{ name: weekly, start: "2024-01-01T09:00:00", rotation: weekly, users: [alice] }}
escalation_policies:
  - name: oncall
    rules:
      - {{ after: 0s, notify: [ "schedule:primary" ] }}
"""


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def on_call(vigil):
    code, body = vigil.get("/api/v1/oncall?schedule=primary")
    assert code == 200, body
    return body["oncall"][0]


def request(vigil, method, path, body=None):
    """Status, headers and body text, for the methods Vigil.request does not cover (PUT)."""
    data = body.encode() if body is not None else None
    req = urllib.request.Request(vigil.base() + path, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def test_override_pages_its_user_survives_restart_and_can_be_removed():
    with Workdir() as d:
        alice, bob = Receiver(), Receiver()
        alice.start()
        bob.start()
        vigil = Vigil(d, CONFIG.format(key=KEY, alice=alice.url(), bob=bob.url()))
        vigil.start()
        try:
            now = datetime.now(timezone.utc)
            assert on_call(vigil)["user"]["id"] == "alice"

            # Bob takes the pager for two hours.
            code, made = vigil.post("/api/v1/schedules/primary/overrides",
                                    {"user": "bob", "start": iso(now - timedelta(minutes=5)),
                                     "end": iso(now + timedelta(hours=2)), "actor": "carol"})
            assert code == 201, made
            assert made["user"]["id"] == "bob" and made["created_by"] == "carol" and made["source"] == "api", made
            first = made["id"]
            oc = on_call(vigil)
            assert oc["user"]["id"] == "bob" and oc["shift"]["layer"] == "override", oc
            code, shifts = vigil.get(f"/api/v1/schedules/primary/shifts?from={iso(now)}&to={iso(now + timedelta(hours=3))}")
            assert code == 200 and [s["user"]["id"] for s in shifts["shifts"]] == ["bob", "alice"], shifts

            # The page goes to bob.
            inc = vigil.trigger(KEY, "override-1")
            wait_until(lambda: bob.pages(inc), 10, "bob paged")
            assert alice.pages(inc) == []

            # Kept across a restart.
            vigil.stop()
            vigil.start()
            code, listed = vigil.get("/api/v1/schedules/primary/overrides")
            assert code == 200 and [o["id"] for o in listed["overrides"]] == [first], listed
            assert on_call(vigil)["user"]["id"] == "bob"

            # A newer override inside bob's wins there (the CLI makes this one); removing it
            # gives the pager back to bob.
            out = vigil.cli("override", "add", "primary", "alice", "--for", "30m", "--as", "dave")
            assert out.returncode == 0 and "Alice (alice) on call in primary" in out.stdout, out
            second = int(out.stdout.split()[1].rstrip(":"))
            assert on_call(vigil)["user"]["id"] == "alice"
            out = vigil.cli("override", "list", "primary")
            assert out.returncode == 0 and "Bob (bob)" in out.stdout and "dave" in out.stdout, out
            out = vigil.cli("override", "delete", "primary", str(second))
            assert out.returncode == 0, out
            assert on_call(vigil)["user"]["id"] == "bob"

            # Removing bob's: the layer's alice is on call and paged again.
            code, _ = vigil.request("DELETE", f"/api/v1/schedules/primary/overrides/{first}")
            assert code == 204
            assert on_call(vigil)["user"]["id"] == "alice"
            code, listed = vigil.get("/api/v1/schedules/primary/overrides?all=true")
            assert code == 200 and listed["overrides"] == [], listed
            code, body = vigil.request("DELETE", f"/api/v1/schedules/primary/overrides/{first}")
            assert code == 404 and body["field"] == "id", body
            inc2 = vigil.trigger(KEY, "override-2")
            wait_until(lambda: alice.pages(inc2), 10, "alice paged")
            assert bob.pages(inc2) == []
        finally:
            vigil.stop()
            alice.stop()
            bob.stop()


def test_bad_overrides_are_refused_with_the_field():
    with Workdir() as d:
        alice, bob = Receiver(), Receiver()
        vigil = Vigil(d, CONFIG.format(key=KEY, alice=alice.url(), bob=bob.url()))
        vigil.start()
        try:
            now = datetime.now(timezone.utc)
            soon, later = iso(now + timedelta(hours=1)), iso(now + timedelta(hours=2))
            path = "/api/v1/schedules/primary/overrides"
            cases = [
                ({"user": "zed", "start": soon, "end": later}, 400, "user"),
                ({"start": soon, "end": later}, 400, "user"),
                ({"user": "bob", "start": "tomorrow", "end": later}, 400, "start"),
                ({"user": "bob", "start": later, "end": soon}, 400, "end"),
                ({"user": "bob", "start": iso(now - timedelta(hours=2)), "end": iso(now - timedelta(hours=1))}, 400, "end"),
                ({"user": "bob", "start": soon, "end": iso(now + timedelta(days=400))}, 400, "end"),
                ({"user": "bob", "start": soon, "end": later, "colour": "blue"}, 400, "colour"),
                ({"user": "bob", "start": soon, "end": 5}, 400, "end"),
            ]
            for body, status, field in cases:
                code, answer = vigil.post(path, body)
                assert code == status and answer["field"] == field, (body, code, answer)
            code, _, text = request(vigil, "POST", path, "{not json")
            assert code == 400 and '"field":"body"' in text, text
            code, answer = vigil.post("/api/v1/schedules/nope/overrides", {"user": "bob", "start": soon, "end": later})
            assert code == 404 and answer["field"] == "name", answer
            code, headers, _ = request(vigil, "PUT", path, "{}")
            assert code == 405 and "POST" in headers["Allow"], headers
            code, headers, _ = request(vigil, "POST", "/api/v1/schedules/primary/shifts", "{}")
            assert code == 405 and headers["Allow"] == "GET", headers
            # Nothing was stored by any of them.
            code, listed = vigil.get(path + "?all=true")
            assert code == 200 and listed["overrides"] == [], listed
            assert on_call(vigil)["user"]["id"] == "alice"
        finally:
            vigil.stop()


if __name__ == "__main__":
    run([test_override_pages_its_user_survives_restart_and_can_be_removed, test_bad_overrides_are_refused_with_the_field])
