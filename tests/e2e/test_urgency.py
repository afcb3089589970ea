"""Incident urgency (PagerDuty's): a low-urgency incident tells the first rule of its policy
through the users' low-urgency contact methods only and never escalates; severity_based splits
critical/error from warning/info; raising an incident to high (API, CLI) pages again with the
high-urgency methods and escalates; the urgency survives a kill -9. Support hours with
raise_at_start raise open low-urgency incidents when they begin: by the daemon's timer, and at
start for a vigil that was down at that moment. Bad requests are refused with the field named."""
import math
import time
from datetime import datetime, timezone

from harness import Receiver, Vigil, Workdir, run, wait_until

KEYS = {name: f"{i:02d}" + "0123456789abcdef0123456789abcd"[: 30] for i, name in enumerate(["quiet", "sev", "loud", "office"])}
CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
services:
  - {{ name: quiet, escalation_policy: oncall, urgency: low }}
  - {{ name: sev, escalation_policy: oncall, urgency: severity_based }}
  - {{ name: loud, escalation_policy: oncall }}
  - name: office
    escalation_policy: oncall
    urgency:
      support_hours: {{ time_zone: UTC, days: [mon, tue, wed, thu, fri, sat, sun], start: "{start}", end: "24:00" }}
      raise_at_start: true
integrations:
  - {{ name: quiet, type: pagerduty_events_v2, key: {quiet}, service: quiet }}
  - {{ name: sev, type: pagerduty_events_v2, key: {sev}, service: sev }}
  - {{ name: loud, type: pagerduty_events_v2, key: {loud}, service: loud }}
  - {{ name: office, type: pagerduty_events_v2, key: {office}, service: office }}
users:
  - id: alice
    name: Alice
    contacts:
      - {{ type: webhook, url: "{call}", urgency: high }}
      - {{ type: webhook, url: "{quiet_url}", urgency: low }}
  - {{ id: carol, name: Carol, contacts: [ {{ type: webhook, url: "{carol}" }} ] }}
escalation_policies:
  - name: oncall
    repeat: 1
    rules:
      - {{ after: 0s, notify: [ "user:alice" ] }}
      - {{ after: 3s, notify: [ "user:carol" ] }}
"""


def incident(vigil, incident_id):
    code, inc = vigil.get(f"/api/v1/incidents/{incident_id}")
    assert code == 200, inc
    return inc


def entries(vigil, incident_id, kind):
    return [e for e in incident(vigil, incident_id)["timeline"] if e["kind"] == kind]


class Receivers:
    def __init__(self):
        self.call, self.quiet, self.carol = Receiver(), Receiver(), Receiver()
        for r in (self.call, self.quiet, self.carol):
            r.start()

    def config(self, start="09:00"):
        return CONFIG.format(start=start, call=self.call.url(), quiet_url=self.quiet.url(), carol=self.carol.url(),
                             **KEYS)

    def stop(self):
        for r in (self.call, self.quiet, self.carol):
            r.stop()


def test_low_urgency_is_quiet_and_does_not_escalate_until_raised():
    with Workdir() as d:
        rx = Receivers()
        vigil = Vigil(d, rx.config())
        vigil.start()
        try:
            q = vigil.trigger(KEYS["quiet"], "q")
            warn = vigil.trigger(KEYS["sev"], "s-warning", severity="warning")
            crit = vigil.trigger(KEYS["sev"], "s-critical", severity="critical")
            loud = vigil.trigger(KEYS["loud"], "l")
            started = time.time()
            for low in (q, warn):
                wait_until(lambda: rx.quiet.pages(low), 10, f"low-urgency page for #{low}")
                assert incident(vigil, low)["urgency"] == "low"
            for high in (crit, loud):
                wait_until(lambda: rx.call.pages(high), 10, f"high-urgency page for #{high}")
                assert incident(vigil, high)["urgency"] == "high"
            assert rx.quiet.pages(q)[0]["body"]["incident"]["urgency"] == "low"
            [why] = entries(vigil, q, "urgency")
            assert why["text"].startswith("low urgency (the service's urgency is low)"), why
            assert "does not escalate" in why["text"], why
            assert entries(vigil, warn, "urgency")[0]["text"].startswith("low urgency (severity warning)")
            assert entries(vigil, crit, "urgency")[0]["text"].startswith("high urgency (severity critical)")
            assert not entries(vigil, loud, "urgency"), "the default rule needs no explanation"

            code, answer = vigil.post(f"/api/v1/incidents/{q}/escalate", {"actor": "bob"})
            assert code == 409 and "low-urgency" in answer["error"], answer
            # Rule 2 is due 3 s after the trigger: high-urgency incidents reach carol, low ones never do.
            wait_until(lambda: rx.carol.pages(crit) and rx.carol.pages(loud), 10, "carol paged for the high ones")
            time.sleep(max(0, started + 4 - time.time()))
            assert not rx.carol.pages(q) and not rx.carol.pages(warn), rx.carol.accepted()
            assert not rx.call.pages(q) and not rx.call.pages(warn), rx.call.accepted()
            assert not rx.quiet.pages(crit) and not rx.quiet.pages(loud), rx.quiet.accepted()

            # Raised by a person: paged again with the high-urgency method, then escalated.
            code, inc = vigil.post(f"/api/v1/incidents/{q}/urgency", {"urgency": "high", "actor": "bob"})
            assert code == 200 and inc["urgency"] == "high", inc
            assert inc["timeline"][-1]["text"].startswith("urgency raised to high by bob"), inc["timeline"][-1]
            wait_until(lambda: rx.call.pages(q), 10, "high-urgency page after the raise")
            wait_until(lambda: rx.carol.pages(q), 10, "escalated to rule 2 after the raise")
            # The CLI, the other way: lowered, the incident escalates no further.
            out = vigil.cli("urgency", str(crit), "low", "--as", "dave")
            assert out.returncode == 0 and "urgency low" in out.stdout, out
            assert entries(vigil, crit, "urgency")[-1]["text"] == \
                "urgency lowered to low by dave; it does not escalate any further"

            for body, field in [({"urgency": "urgent"}, "urgency"), ({}, "urgency"), ({"urgency": 1}, "urgency"),
                                ({"urgency": "high", "why": "x"}, "why")]:
                code, answer = vigil.post(f"/api/v1/incidents/{warn}/urgency", dict(body, actor="bob"))
                assert code == 400 and answer["field"] == field, (body, answer)
            code, answer = vigil.post(f"/api/v1/incidents/{q}/urgency", {"urgency": "high", "actor": "bob"})
            assert code == 409 and "already high" in answer["error"], answer
            code, answer = vigil.post("/api/v1/incidents/999/urgency", {"urgency": "high", "actor": "bob"})
            assert code == 404, answer
            assert incident(vigil, warn)["urgency"] == "low", "refused requests change nothing"

            # Persisted: after a crash the urgencies stand and the low one still does not escalate.
            vigil.kill9()
            vigil.start()
            assert [incident(vigil, i)["urgency"] for i in (q, warn, crit, loud)] == ["high", "low", "low", "high"]
            assert vigil.metric("vigil_incidents_low_urgency") == 2
            calls_for_crit = len(rx.call.pages(crit))
            # Round 2 of the policy (repeat: 1) would have paged again by now for a high incident.
            time.sleep(max(0, started + 8 - time.time()))
            time.sleep(1)
            assert not rx.carol.pages(warn) and not rx.call.pages(warn), "a low incident never escalates"
            assert len(rx.call.pages(crit)) == calls_for_crit, "lowered: no further round"
            assert len(rx.quiet.pages(warn)) == 1, rx.quiet.pages(warn)
            code, page = vigil.get("/", raw=True)  # the Overview marks the service whose incidents are low
            assert code == 200 and 'badge-low-urgency" title="new incidents are low urgency"' in page, page[:3000]
            code, page = vigil.get(f"/incidents/{warn}", raw=True)
            assert code == 200 and "badge-low-urgency" in page and "Raise to high urgency" in page, page[:2000]

            # Reports count low-urgency incidents apart and measure a high-urgency MTTA (PagerDuty's).
            for i in (loud, warn):
                code, _ = vigil.post(f"/api/v1/incidents/{i}/acknowledge", {"actor": "bob"})
                assert code == 200
            code, report = vigil.get("/api/v1/reports?since=1d")
            assert code == 200, report
            rows = {r["service"]: r for r in report["services"]}
            sev, loud_svc = rows[incident(vigil, warn)["service"]], rows[incident(vigil, loud)["service"]]
            assert sev["low_urgency"] == 2 and sev["mtta_seconds"] is not None, sev
            assert sev["mtta_high_urgency_seconds"] is None, "its acknowledged incident is low urgency"
            assert loud_svc["low_urgency"] == 0 and loud_svc["mtta_high_urgency_seconds"] > 0, loud_svc
            assert report["total"]["low_urgency"] == 2, report["total"]
            code, page = vigil.get("/reports?days=7", raw=True)
            assert code == 200 and "MTTA, high urgency" in page and "2 (2 low urgency)" in page, page[-3000:]
        finally:
            vigil.stop()
            rx.stop()


def next_minute(at_least_s):
    """The next whole UTC minute at least `at_least_s` from now (not after midnight: see the test)."""
    return math.ceil((time.time() + at_least_s) / 60) * 60


def test_support_hours_raise_open_low_incidents_when_they_begin():
    # Support hours that begin at the next whole minute and end at midnight, every day. Too near
    # midnight, today's hours would already have begun at 00:00: wait for the new day first.
    now = datetime.now(timezone.utc)
    if now.hour == 23 and now.minute >= 58:
        time.sleep(125 - now.second)
    begins = next_minute(8)
    start = datetime.fromtimestamp(begins, timezone.utc).strftime("%H:%M")
    with Workdir() as d_running, Workdir() as d_down:
        rx_running, rx_down = Receivers(), Receivers()
        running = Vigil(d_running, rx_running.config(start))
        down = Vigil(d_down, rx_down.config(start))
        running.start()
        down.start()
        try:
            code, svc = running.get("/api/v1/services/office")
            assert code == 200, svc
            assert svc["urgency"]["now"] == "low" and svc["urgency"]["until"].startswith(
                datetime.fromtimestamp(begins, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")), svc["urgency"]
            assert svc["urgency"]["why"].startswith("outside support hours"), svc["urgency"]
            code, svc = running.get("/api/v1/services/sev")
            assert code == 200 and svc["urgency"] == {"now": "severity_based", "why": None, "until": None}, svc
            opened = running.trigger(KEYS["office"], "o")
            missed = down.trigger(KEYS["office"], "o")
            for vigil, rx, i in ((running, rx_running, opened), (down, rx_down, missed)):
                [why] = entries(vigil, i, "urgency")
                assert why["text"].startswith("low urgency (outside support hours (Mon-Sun " + start + "-24:00 UTC))"), why
                assert "raised to high when support hours start at " + \
                    datetime.fromtimestamp(begins, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") in why["text"], why
                wait_until(lambda: rx.quiet.pages(i), 10, "low-urgency page")
            assert time.time() < begins - 2, "support hours began before the test could stop vigil"
            down.kill9()  # down when support hours begin

            wait_until(lambda: rx_running.call.pages(opened), begins - time.time() + 15, "raised when support hours begin")
            assert time.time() >= begins - 0.5, "raised before support hours began"
            last = entries(running, opened, "urgency")[-1]
            assert last["actor"] == "vigil" and last["text"].startswith(
                f"urgency raised to high: support hours of office started (Mon-Sun {start}-24:00 UTC)"), last
            assert incident(running, opened)["urgency"] == "high"
            code, svc = running.get("/api/v1/services/office")
            assert svc["urgency"]["now"] == "high" and svc["urgency"]["why"].startswith("during support hours"), svc

            # Started after they began: the incident it missed is raised at start.
            down.start()
            wait_until(lambda: rx_down.call.pages(missed), 10, "raised at start")
            assert incident(down, missed)["urgency"] == "high"
            # A new incident opened inside support hours is high at once, with its reason.
            inside = running.trigger(KEYS["office"], "o2")
            assert incident(running, inside)["urgency"] == "high"
            assert entries(running, inside, "urgency")[0]["text"].startswith("high urgency (during support hours")
        finally:
            running.stop()
            down.stop()
            rx_running.stop()
            rx_down.stop()


if __name__ == "__main__":
    run([test_low_urgency_is_quiet_and_does_not_escalate_until_raised,
         test_support_hours_raise_open_low_incidents_when_they_begin])
