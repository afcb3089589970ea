"""Notification rules (users[].contacts[].after, PagerDuty's "notify me by push at once, call
me after 5 minutes"): a delayed contact method gets the page when its time comes, after a
restart too, and never once the incident was acknowledged first."""
import time

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
  - id: alice
    name: Alice
    contacts:
      - {{ type: webhook, url: "{push}" }}
      - {{ type: webhook, url: "{call}", after: 3s }}
escalation_policies:
  - name: oncall
    rules:
      - {{ after: 0s, notify: [ "user:alice" ] }}
"""


def timeline(vigil, incident_id):
    code, body = vigil.get(f"/api/v1/incidents/{incident_id}")
    assert code == 200, body
    return body["timeline"]


def test_a_delayed_contact_gets_the_page_later_or_not_at_all():
    with Workdir() as d:
        push, call = Receiver(), Receiver()
        push.start()
        call.start()
        vigil = Vigil(d, CONFIG.format(key=KEY, push=push.url(), call=call.url()))
        vigil.start()
        try:
            # Nobody acknowledges: push at once, the call 3 s after the page.
            t0 = time.monotonic()
            first = vigil.trigger(KEY, "rules-1")
            wait_until(lambda: push.pages(first), 5, "push page")
            assert call.pages(first) == [], "the call came before its time"
            wait_until(lambda: call.pages(first), 10, "call page")
            assert time.monotonic() - t0 >= 2.5
            [p], [c] = push.pages(first), call.pages(first)
            assert p["body"]["entry"]["seq"] == c["body"]["entry"]["seq"], (p, c)  # the same page
            assert c["id"].endswith("-user:alice:1"), c["id"]
            wait_until(lambda: sum("delivered" in e["text"] for e in timeline(vigil, first)) == 2, 5, "two deliveries")

            # Acknowledged before the call's turn: the call is never made, and the timeline says why.
            second = vigil.trigger(KEY, "rules-2")
            wait_until(lambda: push.pages(second), 5, "push page")
            code, body = vigil.post(f"/api/v1/incidents/{second}/acknowledge", {"actor": "alice"})
            assert code == 200, body
            wait_until(lambda: [e for e in timeline(vigil, second) if e["kind"] == "notify_skipped"], 10,
                       "the skipped call on the timeline")
            [skipped] = [e for e in timeline(vigil, second) if e["kind"] == "notify_skipped"]
            assert "page to alice via webhook not sent: acknowledged at" in skipped["text"], skipped
            assert call.pages(second) == []
            assert vigil.metric("vigil_notifications_skipped_total") == 1

            # The wait is durable: stopped before the call's turn, vigil makes it after the restart.
            third = vigil.trigger(KEY, "rules-3")
            wait_until(lambda: push.pages(third), 5, "push page")
            vigil.stop()
            vigil.start()
            wait_until(lambda: call.pages(third), 15, "call page after the restart")
            assert len(push.pages(third)) == 1 and len(call.pages(third)) == 1
            assert len(call.pages(first)) == 1 and call.pages(second) == []
        finally:
            vigil.stop()
            push.stop()
            call.stop()


if __name__ == "__main__":
    run([test_a_delayed_contact_gets_the_page_later_or_not_at_all])
