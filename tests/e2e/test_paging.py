"""On-call end to end: a real nginx goes down, vigil pages whoever the schedule says is on call,
escalates to the next rule when nobody acknowledges, stops when the page's signed link is
used, pages the new assignee when an incident is reassigned, continues an escalation across
kill -9 without re-paging, and answers who is on call."""
import time
import urllib.error
import urllib.request

from harness import Nginx, Receiver, Vigil, Workdir, run, wait_until

ESCALATE_AFTER = 4  # seconds between rule 1 (schedule) and rule 2 (bob)

CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}}, external_url: "http://127.0.0.1:{{PORT}}", link_secret: "0123456789abcdef0123456789abcdef" }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
defaults: {{ interval: 1s, timeout: 1s, failure_threshold: 1, success_threshold: 1 }}
services:
  - name: webserver-01
    escalation_policy: web-oncall
    checks:
      - {{ name: home, url: "{url}" }}
users:
  - {{ id: alice, name: Alice, email: alice@example.com, time_zone: Africa/Lagos, contacts: [ {{ type: webhook, url: "{alice}" }} ] }}
  - {{ id: bob, name: Bob, time_zone: Europe/Berlin, contacts: [ {{ type: webhook, url: "{bob}" }} ] }}
schedules:
  - name: web-primary
    time_zone: Europe/Berlin
    layers:
      - {{ name: primary, start: "2024-01-01T09:00:00", rotation: weekly, users: [alice] }}
escalation_policies:
  - name: web-oncall
    rules:
      - {{ after: 0s, notify: [ "schedule:web-primary" ] }}
      - {{ after: {after}s, notify: [ "user:bob" ] }}
"""


def kinds(vigil, incident_id):
    _, inc = vigil.get(f"/api/v1/incidents/{incident_id}")
    return [e["kind"] for e in inc["timeline"]], inc


def http(method, url):
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_page_escalate_ack_by_link_and_restart():
    with Workdir() as d:
        nginx = Nginx(d)
        nginx.start()
        alice, bob = Receiver(), Receiver()
        alice.start()
        bob.start()
        vigil = Vigil(d, CONFIG.format(url=nginx.url("/"), alice=alice.url(), bob=bob.url(), after=ESCALATE_AFTER))
        vigil.start()
        try:
            # Who is on call, through the API and the CLI.
            code, oc = vigil.get("/api/v1/oncall")
            assert code == 200 and oc["oncall"][0]["user"]["id"] == "alice", oc
            assert oc["escalation_policies"][0]["rules"][1]["targets"][0]["user"]["id"] == "bob"
            out = vigil.cli("oncall")
            assert out.returncode == 0 and "Alice (alice)" in out.stdout, out
            code, shifts = vigil.get("/api/v1/schedules/web-primary/shifts")
            assert code == 200 and shifts["shifts"][0]["user"]["id"] == "alice"
            code, ics = vigil.get("/api/v1/schedules/web-primary.ics", raw=True)
            assert code == 200 and ics.startswith("BEGIN:VCALENDAR\r\n") and "SUMMARY:On call: Alice" in ics

            # 1. Nobody acknowledges: alice (schedule) at once, bob after ESCALATE_AFTER.
            nginx.stop()
            inc = wait_until(lambda: vigil.incidents("open"), 10, "incident")[0]
            first = wait_until(lambda: alice.pages(inc["id"]), 10, "alice paged")[0]["body"]
            assert first["page"]["user"] == "alice" and first["page"]["rule"] == 1
            assert first["links"]["acknowledge"].startswith(vigil.base() + "/a/")
            assert bob.pages(inc["id"]) == []
            assert vigil.get(f"/api/v1/incidents/{inc['id']}")[1]["assignees"] == ["alice"]
            wait_until(lambda: bob.pages(inc["id"]), ESCALATE_AFTER + 6, "bob paged by rule 2")
            k, inc1 = kinds(vigil, inc["id"])
            assert inc1["assignees"] == ["bob"], "the escalation level that paged holds the incident"
            assert k.count("paged") == 2 and "notified" in k, k
            assert len(alice.pages(inc["id"])) == 1, "alice is paged once"
            nginx.start()
            wait_until(lambda: vigil.incidents("open") == [], 10, "resolve #1")

            # 2. Alice taps the acknowledge link: GET only shows a button; POST acknowledges.
            nginx.stop()
            inc2 = wait_until(lambda: [i for i in vigil.incidents("open") if i["id"] != inc["id"]], 10, "incident 2")[0]
            page = wait_until(lambda: alice.pages(inc2["id"]), 10, "alice paged for #2")[0]["body"]
            link = page["links"]["acknowledge"]
            code, html = http("GET", link)
            assert code == 200 and "<form" in html
            assert vigil.get(f"/api/v1/incidents/{inc2['id']}")[1]["status"] == "triggered", "GET must not act"
            code, html = http("POST", link)
            assert code == 200, html
            _, now2 = kinds(vigil, inc2["id"])
            assert now2["status"] == "acknowledged"
            assert [e for e in now2["timeline"] if e["kind"] == "acknowledged"][0]["actor"] == "alice"
            code, _ = http("POST", link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
            assert code == 403, "a tampered link is refused"
            time.sleep(ESCALATE_AFTER + 2)
            assert bob.pages(inc2["id"]) == [], "acknowledged: no escalation to bob"

            # 2b. Alice reassigns it to bob: back to triggered, bob is paged now with his own links.
            code, err = vigil.post(f"/api/v1/incidents/{inc2['id']}/reassign", {"user": "nobody"})
            assert code == 400 and err["field"] == "user", err
            code, err = vigil.post("/api/v1/incidents/999/reassign", {"user": "bob"})
            assert code == 404, err
            code, re2 = vigil.post(f"/api/v1/incidents/{inc2['id']}/reassign", {"user": "bob", "actor": "alice"})
            assert code == 200 and re2["status"] == "triggered", re2
            assert re2["timeline"][-1]["kind"] == "reassigned"
            assert re2["timeline"][-1]["text"] == "reassigned to Bob (bob) by alice", re2["timeline"][-1]
            assert re2["assignees"] == ["bob"], re2
            bob_page = wait_until(lambda: bob.pages(inc2["id"]), 10, "bob paged on reassign")[0]["body"]
            assert bob_page["page"]["user"] == "bob" and bob_page["id"].startswith(f"vigil-{inc2['id']}-")
            code, html = http("POST", bob_page["links"]["acknowledge"])
            assert code == 200, html
            _, now2 = kinds(vigil, inc2["id"])
            assert now2["status"] == "acknowledged" and now2["timeline"][-1]["kind"] in ("acknowledged", "notified")
            assert [e for e in now2["timeline"] if e["kind"] == "acknowledged"][-1]["actor"] == "bob"
            # The CLI hands it back to alice, who is paged again.
            out = vigil.cli("reassign", str(inc2["id"]), "alice", "--as", "bob")
            assert out.returncode == 0, out
            wait_until(lambda: len(alice.pages(inc2["id"])) == 2, 10, "alice paged on reassign")
            k, now2 = kinds(vigil, inc2["id"])
            assert k.count("reassigned") == 2, k
            assert now2["assignees"] == ["alice"], now2
            out = vigil.cli("incidents", "--open")
            assert out.returncode == 0 and "alice" in out.stdout.split(str(inc2["id"]), 1)[1].splitlines()[0], out
            nginx.start()
            wait_until(lambda: vigil.incidents("open") == [], 10, "resolve #2")
            assert vigil.get(f"/api/v1/incidents/{inc2['id']}")[1]["assignees"] == ["alice"], "kept after resolve"
            code, err = vigil.post(f"/api/v1/incidents/{inc2['id']}/reassign", {"user": "bob"})
            assert code == 409, err

            # 3. kill -9 between rule 1 and rule 2: after restart bob is paged, alice not again.
            nginx.stop()
            inc3 = wait_until(lambda: [i for i in vigil.incidents("open") if i["id"] > inc2["id"]], 10, "incident 3")[0]
            wait_until(lambda: alice.pages(inc3["id"]), 10, "alice paged for #3")
            vigil.kill9()
            vigil.start()
            wait_until(lambda: bob.pages(inc3["id"]), ESCALATE_AFTER + 10, "bob paged after restart")
            time.sleep(1)
            assert len(alice.pages(inc3["id"])) == 1, "nothing already paged is paged again"
            assert vigil.get(f"/api/v1/incidents/{inc3['id']}")[1]["assignees"] == ["bob"]
            ids = [r["id"] for r in alice.accepted("page") + bob.accepted("page")]
            assert len(ids) == len(set(ids)), "each page message id is delivered once"
        finally:
            if vigil.proc:
                vigil.stop()
            alice.stop()
            bob.stop()
            if nginx.proc:
                nginx.stop()


if __name__ == "__main__":
    run([test_page_escalate_ack_by_link_and_restart])
