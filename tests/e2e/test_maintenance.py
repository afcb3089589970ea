"""Maintenance windows (POST/GET/DELETE /api/v1/maintenance and `vigil maintenance`): an incident
opened while its service is in maintenance is recorded but held: nobody is paged, the team
channel hears nothing and the automatic runbook does not run. If it is still open when the
window ends it is paged and told then (also across a kill -9 and restart in the middle); one
resolved inside the window is never told. Another service is paged as usual. Ending a window
early releases at once; bad requests are refused with the field named and store nothing."""
import os
import time
from datetime import datetime, timedelta, timezone

from harness import Receiver, Vigil, Workdir, run, wait_until

WEB_KEY = "0123456789abcdef0123456789abcdef"
API_KEY = "fedcba9876543210fedcba9876543210"
CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
channels:
  - {{ name: team, type: webhook, url: "{team}" }}
services:
  - name: web
    escalation_policy: oncall
    notify: [team]
    runbooks:
      - {{ name: restart, command: ["/bin/sh", "-c", "touch {{DIR}}/restart-ran"], auto: true, cooldown: 0s, timeout: 10s }}
  - name: api
    escalation_policy: oncall
integrations:
  - {{ name: web-events, type: pagerduty_events_v2, key: {web_key}, service: web }}
  - {{ name: api-events, type: pagerduty_events_v2, key: {api_key}, service: api }}
users:
  - {{ id: alice, name: Alice, contacts: [ {{ type: webhook, url: "{alice}" }} ] }}
escalation_policies:
  - name: oncall
    rules:
      - {{ after: 0s, notify: [ "user:alice" ] }}
"""


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def kinds(vigil, incident_id):
    code, inc = vigil.get(f"/api/v1/incidents/{incident_id}")
    assert code == 200, inc
    return [e["kind"] for e in inc["timeline"]]


def team_messages(team, incident_id):
    return [r for r in team.accepted() if r["body"]["incident"]["id"] == incident_id]


def setup(d):
    alice, team = Receiver(), Receiver()
    alice.start()
    team.start()
    vigil = Vigil(d, CONFIG.format(team=team.url(), alice=alice.url(), web_key=WEB_KEY, api_key=API_KEY))
    return alice, team, vigil


def test_held_until_the_window_ends_across_a_restart():
    with Workdir() as d:
        alice, team, vigil = setup(d)
        vigil.start()
        try:
            # Sub-second windows would race the test itself: 8 s, measured from the answer.
            code, w = vigil.post("/api/v1/maintenance", {"services": ["web"], "duration": "8s",
                                                         "description": "Apache upgrade", "actor": "carol"})
            assert code == 201, w
            assert w["state"] == "in_progress" and w["services"] == ["web"] and w["created_by"] == "carol", w
            ends = datetime.strptime(w["end"], "%Y-%m-%dT%H:%M:%S.%fZ" if "." in w["end"] else "%Y-%m-%dT%H:%M:%SZ")
            ends = ends.replace(tzinfo=timezone.utc).timestamp()

            held = vigil.trigger(WEB_KEY, "w-held")
            short = vigil.trigger(WEB_KEY, "w-short")
            other = vigil.trigger(API_KEY, "a-paged")
            code, _ = vigil.post("/v2/enqueue", {"routing_key": WEB_KEY, "event_action": "resolve", "dedup_key": "w-short"})
            assert code == 202
            # The other service is paged as usual: proof that pages flow while web's are held.
            wait_until(lambda: alice.pages(other), 10, "page for the api incident")
            wait_until(lambda: "runbook_skipped" in kinds(vigil, held), 10, "runbook skipped on the held incident")
            code, inc = vigil.get(f"/api/v1/incidents/{held}")
            entry = next(e for e in inc["timeline"] if e["kind"] == "maintenance")
            assert "window " + str(w["id"]) in entry["text"] and "Apache upgrade" in entry["text"], entry
            assert not alice.pages(held) and not alice.pages(short), alice.accepted()
            assert not team_messages(team, held) and not team_messages(team, short), team.accepted()
            assert not os.path.exists(os.path.join(d, "restart-ran"))
            out = vigil.cli("maintenance", "list")
            assert out.returncode == 0 and "in_progress" in out.stdout and "Apache upgrade" in out.stdout, out
            code, svc = vigil.get("/api/v1/services/web")
            assert code == 200 and svc["maintenance_until"] == w["end"], svc
            code, svc = vigil.get("/api/v1/services/api")
            assert code == 200 and svc["maintenance_until"] is None, svc
            code, page = vigil.get("/", raw=True)
            assert code == 200 and page.count("badge-maintenance") == 1, page

            # Crash in the middle of the window: the hold is on the timeline and in the store.
            vigil.kill9()
            vigil.start()
            assert time.time() < ends - 1, "the window ended before the restart; the test is too slow here"
            assert not alice.pages(held)
            assert vigil.metric("vigil_incidents_held") == 1  # held again after the restart; w-short resolved
            assert vigil.metric("vigil_maintenance_windows_in_progress") == 1

            wait_until(lambda: alice.pages(held), ends - time.time() + 10, "page after the window")
            assert time.time() >= ends - 0.5, "paged before the window ended"
            assert len(alice.pages(held)) == 1, alice.pages(held)
            k = kinds(vigil, held)
            assert k.index("maintenance") < k.index("maintenance_over") < k.index("paged"), k
            # The team hears what the hold kept, with the id it would have had.
            wait_until(lambda: team_messages(team, held), 10, "team told after the window")
            told = team_messages(team, held)
            assert [m["body"]["event"] for m in told] == ["triggered"], told
            assert told[0]["id"] == f"vigil-{held}-1-team", told
            wait_until(lambda: os.path.exists(os.path.join(d, "restart-ran")), 10, "runbook after the window")
            # The one resolved inside the window is never told to anyone.
            time.sleep(1)
            assert not alice.pages(short) and not team_messages(team, short)
            assert vigil.metric("vigil_incidents_held") == 0
            assert vigil.get("/api/v1/services/web")[1]["maintenance_until"] is None
            out = vigil.cli("maintenance", "list")
            assert out.returncode == 0 and "no maintenance windows" in out.stdout, out
            out = vigil.cli("maintenance", "list", "--all")
            assert out.returncode == 0 and "ended" in out.stdout, out
        finally:
            vigil.stop()
            alice.stop()
            team.stop()


def test_ending_early_releases_and_bad_requests_are_refused():
    with Workdir() as d:
        alice, team, vigil = setup(d)
        vigil.start()
        try:
            now = datetime.now(timezone.utc)
            out = vigil.cli("maintenance", "start", "web", "--for", "1h", "-d", "DB migration", "--as", "dave")
            assert out.returncode == 0 and "maintenance window" in out.stdout, out
            wid = int(out.stdout.split()[2].rstrip(":"))
            held = vigil.trigger(WEB_KEY, "w-early")
            time.sleep(1)
            assert not alice.pages(held)
            code, answer = vigil.post(f"/api/v1/incidents/{held}/escalate", {"actor": "dave"})
            assert code == 409 and "maintenance" in answer["error"], answer

            # Ended early: released at once.
            out = vigil.cli("maintenance", "end", str(wid))
            assert out.returncode == 0, out
            wait_until(lambda: alice.pages(held), 10, "page after ending the window early")
            code, w = vigil.get(f"/api/v1/maintenance/{wid}")
            assert code == 200 and w["state"] == "ended" and w["created_by"] == "dave", w
            code, again = vigil.request("DELETE", f"/api/v1/maintenance/{wid}")
            assert code == 409 and again["field"] == "id", again
            # A scheduled window is removed when cancelled; it holds nothing before it starts.
            code, later = vigil.post("/api/v1/maintenance", {"services": ["web", "api"],
                                                             "start": iso(now + timedelta(hours=1)),
                                                             "end": iso(now + timedelta(hours=2))})
            assert code == 201 and later["state"] == "scheduled", later
            before = vigil.trigger(API_KEY, "a-before")
            wait_until(lambda: alice.pages(before), 10, "page before a scheduled window starts")
            code, _ = vigil.request("DELETE", f"/api/v1/maintenance/{later['id']}")
            assert code == 204
            code, gone = vigil.get(f"/api/v1/maintenance/{later['id']}")
            assert code == 404 and gone["field"] == "id", gone

            path = "/api/v1/maintenance"
            soon, past = iso(now + timedelta(hours=1)), iso(now - timedelta(hours=1))
            for body, field in [({"duration": "1h"}, "services"),
                                ({"services": [], "duration": "1h"}, "services"),
                                ({"services": "web", "duration": "1h"}, "services"),
                                ({"services": ["nope"], "duration": "1h"}, "services"),
                                ({"services": ["web"]}, "end"),
                                ({"services": ["web"], "end": soon, "duration": "1h"}, "duration"),
                                ({"services": ["web"], "duration": "soon"}, "duration"),
                                ({"services": ["web"], "start": "yesterday", "duration": "1h"}, "start"),
                                ({"services": ["web"], "start": iso(now - timedelta(hours=2)), "end": past}, "end"),
                                ({"services": ["web"], "duration": "1h", "why": "x"}, "why")]:
                code, answer = vigil.post(path, body)
                assert code == 400 and answer["field"] == field, (body, code, answer)
            code, answer = vigil.request("PUT", path, {})
            assert code == 405, answer
            code, listed = vigil.get(path + "?all=true")
            assert code == 200 and [w["id"] for w in listed["windows"]] == [wid], listed
        finally:
            vigil.stop()
            alice.stop()
            team.stop()


def test_a_recurring_window_from_the_config_holds_and_a_reload_without_it_releases():
    with Workdir() as d:
        alice, team = Receiver(), Receiver()
        alice.start()
        team.start()
        base = CONFIG.format(team=team.url(), alice=alice.url(), web_key=WEB_KEY, api_key=API_KEY)
        # Every day from this minute, for 2 hours: in progress now.
        start = datetime.now(timezone.utc).strftime("%H:%M")
        recurring = ("maintenance:\n"
                     f"  - {{ name: patching, services: [web], start: \"{start}\", duration: 2h, description: OS patching }}\n")
        vigil = Vigil(d, base + recurring)
        vigil.start()
        try:
            held = vigil.trigger(WEB_KEY, "w-recurring")
            wait_until(lambda: "runbook_skipped" in kinds(vigil, held), 10, "runbook skipped on the held incident")
            code, inc = vigil.get(f"/api/v1/incidents/{held}")
            entry = next(e for e in inc["timeline"] if e["kind"] == "maintenance")
            assert "recurring window patching: OS patching, by config" in entry["text"], entry
            code, listed = vigil.get("/api/v1/maintenance")
            assert code == 200, listed
            # The occurrence in progress and the next one (tomorrow), not the whole week's.
            ws = [w for w in listed["windows"] if w["recurring"] == "patching"]
            assert [w["state"] for w in ws] == ["in_progress", "scheduled"], ws
            w = ws[0]
            assert w["id"] is None and w["state"] == "in_progress" and w["services"] == ["web"], w
            assert w["created_by"] == "config" and w["description"] == "OS patching" and w["created_at"] is None, w
            out = vigil.cli("maintenance", "list")
            assert out.returncode == 0 and "config:patching" in out.stdout, out
            assert vigil.metric("vigil_incidents_held") == 1
            assert vigil.metric("vigil_maintenance_windows_in_progress") == 1
            code, page = vigil.get("/oncall", raw=True)
            assert code == 200 and "recurring: patching" in page, page
            time.sleep(0.5)
            assert not alice.pages(held) and not team_messages(team, held)

            # The config no longer has it: released at once, paged and told.
            vigil.write_config(base)
            code, answer = vigil.post("/-/reload")
            assert code == 200, answer
            wait_until(lambda: alice.pages(held), 10, "page after the recurring window was removed")
            wait_until(lambda: team_messages(team, held), 10, "team told after the recurring window was removed")
            assert "maintenance_over" in kinds(vigil, held)
            assert vigil.metric("vigil_incidents_held") == 0
        finally:
            vigil.stop()
            alice.stop()
            team.stop()


if __name__ == "__main__":
    run([test_held_until_the_window_ends_across_a_restart, test_ending_early_releases_and_bad_requests_are_refused,
         test_a_recurring_window_from_the_config_holds_and_a_reload_without_it_releases])
