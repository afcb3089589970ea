"""A real Alertmanager (Debian's prometheus-alertmanager) pages vigil both ways it can page
PagerDuty: its webhook receiver (POST /api/v1/integrations/{name}/alertmanager, payload v4) and
its pagerduty_configs pointed at vigil's Events API v2 (POST /v2/enqueue). One alert is routed to
both receivers (`continue: true`): vigil opens one incident per path, titled from the alert's
summary, keeps one per path while Alertmanager keeps re-sending it, and resolves both when the
alert ends. A second test drives /v2/enqueue directly with PagerDuty's own request shapes.

repeat_interval is 2s rather than hours on purpose: Alertmanager then re-delivers the identical
notification every 2s while the alert fires, so vigil's deduplication is tested with real
duplicate deliveries (with 1h, posting the same alert again sends nothing and tests nothing).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from harness import Nginx, Vigil, Workdir, free_port, run, wait_until

AM_BIN = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"
KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # a PagerDuty routing key: 32 alphanumeric characters
OTHER_KEY = "ffffffffffffffffffffffffffffffff"

CONFIG = """
server: { listen: 127.0.0.1:{PORT} }
store: { sqlite: "{DIR}/vigil.db" }
defaults: { interval: 1s, timeout: 1s, failure_threshold: 2, success_threshold: 1 }
services:
  - name: web
    checks:
      - name: home
        url: "@URL@"
        conditions: ['status == 200']
integrations:
  - { name: am-pd, type: pagerduty_events_v2, key: @KEY@, service: web }
  - { name: am-hook, type: alertmanager, service: web }
"""

AM_CONFIG = """
route:
  receiver: vigil-hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
  routes:
    - receiver: vigil-hook
      continue: true
    - receiver: vigil-pd
receivers:
  - name: vigil-hook
    webhook_configs:
      - url: http://127.0.0.1:@VIGIL@/api/v1/integrations/am-hook/alertmanager
        send_resolved: true
  - name: vigil-pd
    pagerduty_configs:
      - routing_key: @KEY@
        url: http://127.0.0.1:@VIGIL@/v2/enqueue
        send_resolved: true
        description: '{{ .CommonAnnotations.summary }}'
        severity: critical
"""


def http(method, url, body=None, raw=None):
    """(status, text) of a request; `body` is sent as JSON, `raw` as is."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Alertmanager:
    """The real prometheus-alertmanager on loopback, clustering off, stopped by its PID."""

    def __init__(self, workdir, config_text):
        self.dir = os.path.join(workdir, "alertmanager")
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        self.port = free_port()
        self.config = os.path.join(self.dir, "am.yml")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.log = os.path.join(self.dir, "alertmanager.log")
        self.proc = None

    def start(self):
        assert os.path.exists(AM_BIN), f"{AM_BIN} missing: run scripts/install-deps.sh"
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [AM_BIN, f"--config.file={self.config}", f"--storage.path={self.dir}/data",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address=", "--log.level=debug"],
            stdout=self.logf, stderr=subprocess.STDOUT)
        wait_until(self.ready, 20, f"alertmanager /-/ready on port {self.port}")

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"alertmanager exited with {self.proc.returncode}:\n{self.output()}")
        try:
            return http("GET", self.url("/-/ready"))[0] == 200
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def output(self):
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def post_alerts(self, alerts):
        code, text = http("POST", self.url("/api/v2/alerts"), alerts)
        assert code == 200, f"POST /api/v2/alerts: {code} {text}"

    def alerts(self):
        code, text = http("GET", self.url("/api/v2/alerts"))
        assert code == 200, text
        return json.loads(text)

    def counter(self, name, integration):
        """Sum of `name` over the series with integration="<integration>" (0 when none)."""
        _, text = http("GET", self.url("/metrics"))
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + "{") and f'integration="{integration}"' in line:
                total += float(line.rsplit(" ", 1)[1])
        return total


def rfc3339(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def alert(starts, ends):
    return {
        "labels": {"alertname": "HighErrorRate", "service": "web", "instance": "web-01:80", "job": "apache",
                   "severity": "critical"},
        "annotations": {"summary": "5xx rate above 5% on web-01", "description": "error_rate is 7.2%"},
        "startsAt": rfc3339(starts),
        "endsAt": rfc3339(ends),
        "generatorURL": "http://prometheus.test:9090/graph?g0.expr=job%3Aerrors%3Arate5m",
    }


def web_incidents(vigil, status="all"):
    return [i for i in vigil.incidents(status) if i["service"] == "web"]


def start_all(d):
    nginx = Nginx(d)
    nginx.start()
    vigil = Vigil(d, CONFIG.replace("@URL@", nginx.url("/")).replace("@KEY@", KEY))
    vigil.start()
    return nginx, vigil


def test_alertmanager_pages_vigil_through_webhook_and_events_v2():
    with Workdir() as d:
        nginx, vigil = start_all(d)
        am = Alertmanager(d, AM_CONFIG.replace("@VIGIL@", str(vigil.port)).replace("@KEY@", KEY))
        try:
            am.start()
            # The service is healthy: whatever opens from here on comes from Alertmanager.
            wait_until(lambda: vigil.metric("vigil_check_up", '{service="web",check="home"}') == 1, 10,
                       "first passing probe of web/home")
            assert web_incidents(vigil) == []

            starts = datetime.now(timezone.utc) - timedelta(seconds=30)
            firing = alert(starts, datetime.now(timezone.utc) + timedelta(minutes=5))
            am.post_alerts([firing])
            fingerprint = wait_until(lambda: am.alerts() and am.alerts()[0]["fingerprint"], 10,
                                     "the alert in Alertmanager")

            opened = wait_until(lambda: len(web_incidents(vigil, "open")) == 2 and web_incidents(vigil, "open"), 20,
                                "one incident per path (webhook and Events API v2)")
            hook = [i for i in opened if i["dedup_key"].endswith("am-" + fingerprint)]
            pd = [i for i in opened if re.search(r"[0-9a-f]{64}", i["dedup_key"])]
            assert len(hook) == 1 and len(pd) == 1, f"dedup keys: {[i['dedup_key'] for i in opened]}"
            for inc in opened:
                assert "5xx rate above 5% on web-01" in inc["title"], inc
                assert inc["status"] == "triggered" and inc["severity"] == "critical", inc
            code, detail = vigil.get(f"/api/v1/incidents/{hook[0]['id']}")
            assert code == 200 and "am-hook" in detail["timeline"][0]["actor"], detail
            code, detail = vigil.get(f"/api/v1/incidents/{pd[0]['id']}")
            assert code == 200 and "am-pd" in detail["timeline"][0]["actor"], detail

            # The same alert again, and Alertmanager re-sending it (repeat_interval 2s): deduplicated.
            sent = {i: am.counter("alertmanager_notifications_total", i) for i in ("webhook", "pagerduty")}
            am.post_alerts([firing])
            wait_until(lambda: all(am.counter("alertmanager_notifications_total", i) >= sent[i] + 2 for i in sent),
                       20, "two more deliveries on each path")
            assert len(web_incidents(vigil)) == 2, web_incidents(vigil)
            assert {i["id"] for i in web_incidents(vigil, "open")} == {hook[0]["id"], pd[0]["id"]}
            for integration in ("webhook", "pagerduty"):
                failed = am.counter("alertmanager_notifications_failed_total", integration)
                assert failed == 0, f"{integration}: vigil refused {failed} notification(s)\n{am.output()[-3000:]}"

            # The alert ends: Alertmanager sends resolved on both paths and vigil resolves both.
            am.post_alerts([alert(starts, datetime.now(timezone.utc) - timedelta(seconds=1))])
            wait_until(lambda: web_incidents(vigil, "open") == [], 20, "both incidents resolved")
            for inc in (hook[0], pd[0]):
                code, detail = vigil.get(f"/api/v1/incidents/{inc['id']}")
                assert code == 200 and detail["status"] == "resolved" and detail["resolved_at"], detail
            assert len(web_incidents(vigil)) == 2
            for integration in ("webhook", "pagerduty"):
                assert am.counter("alertmanager_notifications_failed_total", integration) == 0
        except Exception:
            if os.path.exists(am.log):
                print("--- alertmanager log (tail) ---\n" + am.output()[-4000:])
            print("--- vigil log (tail) ---\n" + vigil.output()[-4000:])
            raise
        finally:
            am.stop()
            vigil.stop()
            nginx.stop()


def test_events_v2_endpoint_speaks_pagerduty():
    with Workdir() as d:
        nginx, vigil = start_all(d)
        enqueue = vigil.base() + "/v2/enqueue"
        try:
            # Invalid events: 400 with PagerDuty's error shape, nothing opened.
            code, text = http("POST", enqueue, raw=b"not json")
            assert code == 400, (code, text)
            body = json.loads(text)
            assert body["status"] == "invalid event" and body["message"] == "Event object is invalid", body
            assert body["errors"] and all(isinstance(e, str) for e in body["errors"]), body
            code, text = http("POST", enqueue, {"routing_key": KEY, "event_action": "trigger",
                                                "payload": {"summary": "", "source": "s", "severity": "fatal"}})
            assert code == 400, (code, text)
            assert json.loads(text)["errors"] == [
                "'payload.summary' is missing or blank",
                "'payload.severity' is invalid: \"fatal\" (should be one of critical, error, warning, info)"], text
            # A well-formed event for a routing key no integration has is refused too.
            code, text = http("POST", enqueue, {"routing_key": OTHER_KEY, "event_action": "trigger",
                                                "payload": {"summary": "x", "source": "s", "severity": "info"}})
            assert 400 <= code < 500, (code, text)
            assert web_incidents(vigil) == []

            # A trigger without dedup_key: 202 with a generated key, which then resolves it.
            code, text = http("POST", enqueue, {
                "routing_key": KEY, "event_action": "trigger",
                "payload": {"summary": "Disk 95% full on web-01", "source": "web-01", "severity": "warning",
                            "timestamp": "2024-08-18T10:15:00.000+0000", "custom_details": {"free": "2G"}},
                "links": [{"href": "http://grafana.test/d/disk", "text": "Disk dashboard"}]})
            assert code == 202, (code, text)
            accepted = json.loads(text)
            assert accepted["status"] == "success" and accepted["message"] == "Event processed", accepted
            key = accepted["dedup_key"]
            assert re.fullmatch(r"[0-9a-f]{32}", key), key
            inc = wait_until(lambda: web_incidents(vigil, "open"), 5, "incident from the keyless trigger")
            assert len(inc) == 1 and "Disk 95% full on web-01" in inc[0]["title"] and inc[0]["severity"] == "warning"

            for action in ("acknowledge", "resolve"):
                code, text = http("POST", enqueue, {"routing_key": KEY, "event_action": action, "dedup_key": key})
                assert code == 202, (action, code, text)
                assert json.loads(text) == {"status": "success", "message": "Event processed", "dedup_key": key}
            code, detail = vigil.get(f"/api/v1/incidents/{inc[0]['id']}")
            assert detail["status"] == "resolved" and detail["acknowledged_at"], detail
            # Resolving again, or an unknown key: accepted and nothing changes (as in PagerDuty).
            code, _ = http("POST", enqueue, {"routing_key": KEY, "event_action": "resolve", "dedup_key": key})
            assert code == 202
            assert len(web_incidents(vigil)) == 1

            # The Alertmanager webhook endpoint rejects what is not payload v4, and unknown names.
            hook = vigil.base() + "/api/v1/integrations/am-hook/alertmanager"
            code, text = http("POST", hook, {"version": "1", "alerts": []})
            assert code == 400, (code, text)
            code, text = http("POST", vigil.base() + "/api/v1/integrations/nope/alertmanager",
                              {"version": "4", "alerts": []})
            assert code == 404, (code, text)
            code, text = http("POST", hook, {"version": "4", "alerts": []})
            assert 200 <= code < 300, (code, text)
        except Exception:
            print("--- vigil log (tail) ---\n" + vigil.output()[-4000:])
            raise
        finally:
            vigil.stop()
            nginx.stop()


if __name__ == "__main__":
    run([test_alertmanager_pages_vigil_through_webhook_and_events_v2, test_events_v2_endpoint_speaks_pagerduty])
