"""A webhook receiver that is down (or failing) delays delivery but never loses it, and never
slows probing down."""
import time

from harness import Nginx, Receiver, Vigil, Workdir, run, wait_until

CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
defaults: {{ interval: 1s, timeout: 1s, failure_threshold: 1, success_threshold: 1 }}
channels:
  - {{ name: hook, type: webhook, url: "{hook}" }}
services:
  - name: web
    notify: [hook]
    checks:
      - name: home
        url: "{url}"
"""


def test_receiver_down_then_up_gets_every_message():
    with Workdir() as d:
        nginx = Nginx(d)
        nginx.start()
        hook = Receiver()  # not started: its port refuses connections
        vigil = Vigil(d, CONFIG.format(hook=hook.url(), url=nginx.url("/")))
        vigil.start()
        try:
            nginx.stop()
            inc = wait_until(lambda: vigil.incidents("open"), 10, "incident")[0]
            wait_until(lambda: (vigil.metric("vigil_notification_failures_total") or 0) >= 2, 15,
                       "failed delivery attempts")
            assert (vigil.metric("vigil_outbox_pending") or 0) >= 1

            # Probing goes on at its cadence while deliveries fail.
            p0 = vigil.metric("vigil_check_probes_total", '{service="web",check="home"}')
            time.sleep(3)
            p1 = vigil.metric("vigil_check_probes_total", '{service="web",check="home"}')
            assert p1 - p0 >= 2, f"probing stalled while the receiver was down ({p0} -> {p1})"

            # The receiver comes back but answers 500: still retried, still not lost.
            hook.status = 500
            hook.start()
            wait_until(lambda: len(hook.requests) >= 1, 20, "a delivery attempt to the failing receiver")
            hook.status = 200
            got = wait_until(lambda: hook.accepted("triggered"), 30, "triggered delivered after recovery")
            assert got[0]["body"]["incident"]["id"] == inc["id"]
            ids = {r["id"] for r in hook.requests if r["body"]["event"] == "triggered"}
            assert len(ids) == 1, f"retries must reuse the same message id: {ids}"
            wait_until(lambda: vigil.metric("vigil_outbox_pending") == 0, 10, "empty outbox")
        finally:
            vigil.stop()
            hook.stop()


if __name__ == "__main__":
    run([test_receiver_down_then_up_gets_every_message])
