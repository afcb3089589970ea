"""On-call hand-off notifications (users[].handoff_notifications): when a shift of a user who
asked for them starts, a real webhook receiver of theirs gets a "handoff" message with the
schedule, the shift and its times in the user's zone; a shift that starts while vigil is stopped
is told at the next start, and nothing is told twice; users who did not ask get nothing."""
import time
from datetime import datetime, timedelta, timezone

from harness import Receiver, Vigil, Workdir, run, wait_until

CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}}, external_url: "http://vigil.example" }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
services:
  - name: web
integrations:
  - {{ name: events, type: pagerduty_events_v2, key: 0123456789abcdef0123456789abcdef, service: web }}
users:
  - {{ id: alice, name: Alice, handoff_notifications: true,
      contacts: [ {{ type: webhook, url: "{alice}", secret: "alice-secret-0123" }} ] }}
  - {{ id: bob, name: Bob, time_zone: America/New_York, handoff_notifications: true,
      contacts: [ {{ type: webhook, url: "{bob}" }} ] }}
  - {{ id: carol, name: Carol, contacts: [ {{ type: webhook, url: "{carol}" }} ] }}
schedules:
  - name: primary
    time_zone: Europe/Berlin
    layers:
      - {{ name: weekly, start: "2024-01-01T09:00:00", rotation: weekly, users: [alice] }}
"""


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def override(vigil, user, start, end):
    code, made = vigil.post("/api/v1/schedules/primary/overrides", {"user": user, "start": iso(start), "end": iso(end)})
    assert code == 201, made
    return made["id"]


def test_handoffs_reach_the_users_who_asked_once():
    with Workdir() as d:
        alice, bob, carol = Receiver(secret="alice-secret-0123"), Receiver(), Receiver()
        for r in (alice, bob, carol):
            r.start()
        vigil = Vigil(d, CONFIG.format(alice=alice.url(), bob=bob.url(), carol=carol.url()))
        vigil.start()
        try:
            # alice's shift began long before vigil started: nobody's news.
            now = datetime.now(timezone.utc).replace(microsecond=0)
            start, end = now + timedelta(seconds=3), now + timedelta(hours=2)
            override(vigil, "bob", start, end)
            wait_until(lambda: bob.accepted("handoff"), 15, "bob told of his shift")
            [msg] = bob.accepted("handoff")
            h = msg["body"]["handoff"]
            assert h["schedule"] == "primary" and h["user"] == "bob" and h["name"] == "Bob", h
            assert h["start"] == start.strftime("%Y-%m-%dT%H:%M:%S.000Z"), h
            assert h["end"] == end.strftime("%Y-%m-%dT%H:%M:%S.000Z"), h
            assert h["time_zone"] == "America/New_York" and h["start_local"].endswith(("EST", "EDT")), h
            assert h["layer"] == "override", h
            assert msg["body"]["url"] == "http://vigil.example/oncall", msg
            assert msg["id"] == msg["body"]["id"] == f"vigil-handoff-primary-{int(start.timestamp() * 1000)}-bob-user:bob:0"

            # carol (who did not ask) takes the pager for two seconds inside bob's shift, while
            # vigil is stopped: at the next start bob is told it came back to him (his shift is
            # still running), the first message is not repeated, and carol is told nothing.
            now = datetime.now(timezone.utc).replace(microsecond=0)
            c_start, c_end = now + timedelta(seconds=2), now + timedelta(seconds=4)
            override(vigil, "carol", c_start, c_end)
            vigil.stop()
            time.sleep(max(0.0, (c_end - datetime.now(timezone.utc)).total_seconds()) + 0.5)
            vigil.start()
            wait_until(lambda: len(bob.accepted("handoff")) >= 2, 15, "bob told the pager came back")
            told = bob.accepted("handoff")
            assert told[1]["body"]["handoff"]["start"] == c_end.strftime("%Y-%m-%dT%H:%M:%S.000Z"), told[1]
            assert told[1]["id"] != told[0]["id"]
            time.sleep(1)  # anything sent twice would be here by now
            assert len(bob.accepted("handoff")) == 2, bob.accepted("handoff")
            assert carol.accepted() == [], carol.accepted()
            # alice's turn comes back when bob's ends, two hours from now: not during this test.
            assert alice.accepted() == [], alice.accepted()
        finally:
            vigil.stop()
            for r in (alice, bob, carol):
                r.stop()


def test_alice_is_told_when_an_override_hands_back_to_her():
    with Workdir() as d:
        alice, bob = Receiver(secret="alice-secret-0123"), Receiver()
        alice.start()
        bob.start()
        vigil = Vigil(d, CONFIG.format(alice=alice.url(), bob=bob.url(), carol=bob.url()))
        vigil.start()
        try:
            now = datetime.now(timezone.utc).replace(microsecond=0)
            back = now + timedelta(seconds=3)
            override(vigil, "bob", now - timedelta(minutes=10), back)  # already running: no news to bob
            wait_until(lambda: alice.accepted("handoff"), 15, "alice told the pager is back")
            [msg] = alice.accepted("handoff")
            assert msg["signature_valid"] is True, msg
            h = msg["body"]["handoff"]
            assert h["user"] == "alice" and h["start"] == back.strftime("%Y-%m-%dT%H:%M:%S.000Z"), h
            assert h["end"] is None and h["end_local"] is None, h  # one user, no rotation: no end in sight
            assert bob.accepted("handoff") == [], bob.accepted()
            # Delivered is delivered: nothing more in the outbox.
            wait_until(lambda: vigil.metric("vigil_outbox_pending") == 0, 10, "outbox drained")
        finally:
            vigil.stop()
            alice.stop()
            bob.stop()


if __name__ == "__main__":
    run([test_handoffs_reach_the_users_who_asked_once, test_alice_is_told_when_an_override_hands_back_to_her])
