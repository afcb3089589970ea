"""A real nginx outage ends in a postmortem: vigil detects it, pages, takes an acknowledgement
and a note, resolves on recovery and writes <dir>/<id>/README.md with the five sections, the
timeline in the configured zone and two SVG pictures. A section a person wrote survives every
regeneration; action items have their own API; `vigil postmortem -o` and `vigil report` give the
same facts from the CLI, and the report's MTTA/MTTR are the incident's own times."""
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from datetime import datetime

import subprocess

from harness import VIGIL_BIN, Nginx, Receiver, Vigil, Workdir, run, wait_until

CONFIG = """
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
defaults: {{ interval: 1s, timeout: 1s, failure_threshold: 2, success_threshold: 2 }}
postmortems: {{ dir: "{{DIR}}/postmortems", min_duration: 0s, time_zone: UTC }}
users:
  - {{ id: alice, name: Alice Ops, contacts: [{{ type: webhook, url: "{hook}" }}] }}
escalation_policies:
  - name: web-oncall
    targets: {{ acknowledge: 5m, resolve: 1h }}
    rules: [{{ after: 0m, notify: [user:alice] }}]
services:
  - name: webserver-01
    description: Apache2 front end (nginx stands in)
    escalation_policy: web-oncall
    checks:
      - name: login
        url: "{login}"
        conditions: ['status == 200', 'body contains "Sign in"']
      - name: access
        type: access_log
        path: "{access_log}"
        conditions: ['error_rate < 50%']
"""

SECTIONS = ["Issue Summary", "Timeline", "Root Cause and Resolution", "Corrective and Preventative Measures",
            "Lessons Learned"]


def seconds_between(a, b):
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (parse(b) - parse(a)).total_seconds()


def cli_with_env(vigil, env, *args):
    return subprocess.run([VIGIL_BIN, *args, "--server", vigil.base()], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0", **env))


def read(path):
    with open(path) as f:
        return f.read()


def test_outage_to_postmortem_and_report():
    with Workdir() as d:
        nginx = Nginx(d)
        nginx.start()
        hook = Receiver()
        hook.start()
        vigil = Vigil(d, CONFIG.format(hook=hook.url(), login=nginx.url("/login"),
                                       access_log=os.path.join(nginx.dir, "logs", "access.log")))
        vigil.start()
        try:
            wait_until(lambda: vigil.metric("vigil_check_up", '{service="webserver-01",check="login"}') == 1, 10,
                       "first passing probe of login")
            nginx.stop()
            inc = wait_until(lambda: vigil.incidents("open"), 15, "an incident")[0]
            iid = inc["id"]
            wait_until(lambda: hook.accepted(), 10, "the page to alice")
            out = vigil.cli("ack", str(iid), "--note", "looking at nginx", "--as", "alice")
            assert out.returncode == 0, out.stderr
            out = vigil.cli("note", str(iid), "upstream config reverted", "--as", "alice")
            assert out.returncode == 0, out.stderr
            nginx.start()
            wait_until(lambda: vigil.incidents("open") == [], 15, "auto-resolve")

            # ---- the README written on resolve -------------------------------------------------
            readme = os.path.join(d, "postmortems", str(iid), "README.md")
            wait_until(lambda: os.path.exists(readme), 15, "README.md written on resolve")
            text = read(readme)
            for title in SECTIONS:
                assert f"## {title}" in text, f"missing section {title}:\n{text}"
            assert re.search(r"\d\d:\d\d \(UTC\) — ", text), text  # timeline lines in the configured zone
            assert "upstream config reverted" in text
            assert "images/system.svg" in text and "images/metrics.svg" in text
            for img in ("system.svg", "metrics.svg"):
                root = ET.parse(os.path.join(d, "postmortems", str(iid), "images", img)).getroot()
                assert root.tag.endswith("svg"), root.tag
            assert not [f for f in os.listdir(os.path.dirname(readme)) if ".tmp" in f], "no temp files left"

            # ---- the API: json, md, html, images ----------------------------------------------
            base = f"/api/v1/incidents/{iid}/postmortem"
            code, pm = vigil.get(base)
            assert code == 200, pm
            assert [s["title"] for s in pm["sections"]] == SECTIONS
            assert not any(s["edited"] for s in pm["sections"])
            assert pm["measures"]["pages"] >= 1 and pm["measures"]["time_to_acknowledge_seconds"] is not None
            code, md = vigil.get(base + "?format=md", raw=True)
            assert code == 200 and "## Root Cause and Resolution" in md
            code, html = vigil.get(base + "?format=html", raw=True)
            assert code == 200 and "<svg" in html and "<html" in html.lower()
            code, svg = vigil.get(base + "/images/metrics.svg", raw=True)
            assert code == 200
            ET.fromstring(svg)
            # The access_log check's figures went probe → store → chart.
            assert "error rate" in svg, "no error-rate panel: figures were not stored with the results"
            code, err = vigil.get(base + "?format=pdf")
            assert code == 400 and err["field"] == "format"
            assert vigil.get("/api/v1/incidents/999/postmortem")[0] == 404

            # ---- a person's section survives regeneration -------------------------------------
            mine = "A config push broke /login; the rollback fixed it. (written by hand)"
            code, pm = vigil.request("PUT", base, {"sections": {"root_cause": mine}})
            assert code == 200, pm
            rc = next(s for s in pm["sections"] if s["key"] == "root_cause")
            assert rc["edited"] and rc["edited_by"] == "api" and rc["markdown"] == mine
            code, err = vigil.request("PUT", base, {"sections": {"rootcause": "x"}})
            assert code == 400 and err["field"] == "sections.rootcause", err
            out = vigil.cli("note", str(iid), "postmortem review booked", "--as", "alice")
            assert out.returncode == 0, out.stderr
            wait_until(lambda: "postmortem review booked" in read(readme), 15, "README regenerated after the note")
            assert mine in read(readme), "the hand-written section was overwritten"
            code, pm = vigil.get(base)
            rc = next(s for s in pm["sections"] if s["key"] == "root_cause")
            assert rc["markdown"] == mine and rc["edited"]
            timeline = next(s for s in pm["sections"] if s["key"] == "timeline")
            assert "postmortem review booked" in timeline["markdown"] and not timeline["edited"]
            # null gives a section back to the generator.
            code, pm = vigil.request("PUT", base, {"sections": {"root_cause": None}})
            rc = next(s for s in pm["sections"] if s["key"] == "root_cause")
            assert code == 200 and not rc["edited"] and rc["markdown"] != mine

            # `vigil postmortem ID --edit`: $EDITOR changes Lessons Learned only.
            editor = os.path.join(d, "edit.py")
            with open(editor, "w") as f:
                f.write("import sys, re\np = sys.argv[1]\nt = open(p).read()\n"
                        "t = re.sub(r'(## Lessons Learned\\n)(.*)', r'\\1\\nWe test config pushes now.\\n', t, flags=re.S)\n"
                        "open(p, 'w').write(t)\n")
            out = cli_with_env(vigil, {"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""},
                               "postmortem", str(iid), "--edit", "--as", "bob")
            assert out.returncode == 0, out.stderr
            assert "saved 1 section" in out.stdout, out.stdout
            code, pm = vigil.get(base)
            lessons = next(s for s in pm["sections"] if s["key"] == "lessons")
            assert lessons["edited"] and lessons["edited_by"] == "bob" and lessons["markdown"] == "We test config pushes now."
            assert sum(s["edited"] for s in pm["sections"]) == 1

            # ---- action items ------------------------------------------------------------------
            code, item = vigil.post("/api/v1/action-items", {"text": "Add a check on /login's form", "owner": "alice",
                                                             "due": "2030-01-15", "incident_id": iid})
            assert code == 201 and item["status"] == "open", item
            code, other = vigil.post("/api/v1/action-items", {"text": "Review deploy process"})
            assert code == 201 and other["incident_id"] is None
            for body, field in [({"owner": "x"}, "text"), ({"text": "x", "due": "2030-02-30"}, "due"),
                                ({"text": "x", "status": "later"}, "status"), ({"text": "x", "incident_id": 999}, "incident_id"),
                                ({"text": "x", "color": "red"}, "color")]:
                code, err = vigil.post("/api/v1/action-items", body)
                assert code == 400 and err["field"] == field, (body, code, err)
            code, lst = vigil.get(f"/api/v1/action-items?incident={iid}")
            assert code == 200 and [i["id"] for i in lst["action_items"]] == [item["id"]]
            wait_until(lambda: "Add a check on /login's form" in read(readme), 15, "README lists the action item")
            code, done = vigil.request("PATCH", f"/api/v1/action-items/{item['id']}", {"status": "done"})
            assert code == 200 and done["status"] == "done"
            code, err = vigil.request("PATCH", f"/api/v1/action-items/{item['id']}", {"due": "tomorrow"})
            assert code == 400 and err["field"] == "due"
            assert vigil.get("/api/v1/action-items?status=open")[1]["action_items"][0]["id"] == other["id"]
            assert vigil.request("DELETE", f"/api/v1/action-items/{other['id']}", raw=True)[0] == 204
            assert vigil.get(f"/api/v1/action-items/{other['id']}")[0] == 404
            out = vigil.cli("action-items", "add", "Page on 5xx share", "--incident", str(iid), "--owner", "bob")
            assert out.returncode == 0 and "added action item" in out.stdout, out.stderr
            out = vigil.cli("action-items", "--status", "open")
            assert out.returncode == 0 and "Page on 5xx share" in out.stdout, out.stdout + out.stderr

            # ---- the CLI writes the folder -----------------------------------------------------
            outdir = os.path.join(d, "report-out")
            out = vigil.cli("postmortem", str(iid), "-o", outdir)
            assert out.returncode == 0, out.stderr
            text = read(os.path.join(outdir, "README.md"))
            assert all(f"## {t}" in text for t in SECTIONS) and "We test config pushes now." in text
            for img in ("system.svg", "metrics.svg"):
                ET.parse(os.path.join(outdir, "images", img))
            out = vigil.cli("postmortem", str(iid))
            assert out.returncode == 0 and "## Timeline" in out.stdout
            out = vigil.cli("postmortem", "999")
            assert out.returncode == 1 and "404" in out.stderr

            # ---- report: MTTA/MTTR are the incident's own times --------------------------------
            code, inc = vigil.get(f"/api/v1/incidents/{iid}")
            mtta = seconds_between(inc["detected_at"], inc["acknowledged_at"])
            mttr = seconds_between(inc["detected_at"], inc["resolved_at"])
            out = vigil.cli("report", "--since", "1d", "--json")
            assert out.returncode == 0, out.stderr
            rep = json.loads(out.stdout)
            svc = next(s for s in rep["services"] if s["service"] == "webserver-01")
            assert svc["incidents"] == 1 and svc["acknowledged"] == 1 and svc["resolved"] == 1, svc
            assert abs(svc["mtta_seconds"] - mtta) < 0.01 and abs(svc["mttr_seconds"] - mttr) < 0.01, (svc, mtta, mttr)
            assert svc["pages"] >= 1 and svc["action_items_open"] == 1, svc
            assert 0 < svc["availability"] < 1
            out = vigil.cli("report", "--since", "1d")
            assert out.returncode == 0 and "webserver-01" in out.stdout and "MTTA" in out.stdout, out.stdout
            code, err = vigil.get("/api/v1/reports?since=soon")
            assert code == 400 and err["field"] == "since"
            label = '{service="webserver-01"}'
            wait_until(lambda: vigil.metric("vigil_report_incidents", label) == 1, 10, "report metrics")
            assert abs(vigil.metric("vigil_report_mttr_seconds", label) - mttr) < 0.01
            assert abs(vigil.metric("vigil_report_mtta_seconds", label) - mtta) < 0.01
            wait_until(lambda: vigil.metric("vigil_action_items_open", label) == 1, 10, "open action items metric")
            assert vigil.metric("vigil_report_pages", label) >= 1
        finally:
            vigil.stop()
            hook.stop()
            nginx.stop() if nginx.proc else None


if __name__ == "__main__":
    run([test_outage_to_postmortem_and_report])
