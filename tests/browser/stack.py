"""The browser test's servers: a real nginx and the real vigil (tests/e2e/harness.py), driven
over stdin by tests/browser/ui_test.js. Prints one JSON line when ready, then obeys one
command per line: `stop-nginx`, `start-nginx`, `quit`. Everything it started is stopped by PID.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import VIGIL_BIN, Nginx, Vigil, Workdir  # noqa: E402

PASSWORD = "correct horse battery staple"


def password_hash(password):
    out = subprocess.run([VIGIL_BIN, "hash-password"], input=password + "\n", capture_output=True, text=True,
                         timeout=60)
    if out.returncode != 0:
        return None  # no auth in this build: the test runs without login
    return out.stdout.strip()


CONFIG = """
server: {{ listen: "127.0.0.1:{{PORT}}", external_url: "http://127.0.0.1:{{PORT}}" }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
defaults: {{ interval: 1s, timeout: 1s, failure_threshold: 2, success_threshold: 1 }}
users:
  - {{ id: alice, name: Alice Responder, role: responder{alice_hash},
      contacts: [ {{ type: webhook, url: "http://127.0.0.1:9/page" }} ] }}
  - {{ id: victor, name: Victor Viewer, role: viewer{victor_hash},
      contacts: [ {{ type: webhook, url: "http://127.0.0.1:9/page" }} ] }}
schedules:
  - name: web-primary
    time_zone: UTC
    layers:
      - {{ start: "2024-01-01T00:00:00", rotation: daily, users: [alice, victor] }}
escalation_policies:
  - {{ name: web-oncall, rules: [ {{ after: 0m, notify: [ "schedule:web-primary" ] }}, {{ after: 30m, notify: [ "user:alice" ] }} ] }}
services:
  - name: webserver-01
    description: The login page of the public website
    public: true
    public_name: Website
    escalation_policy: web-oncall
    checks:
      - {{ name: login, type: http, url: "{nginx_url}", conditions: [ 'status == 200', 'body contains "Sign in"' ] }}
  - name: internal-api
    description: Not on the status page
    checks:
      - {{ name: health, type: http, url: "http://127.0.0.1:{{PORT}}/-/healthy" }}
"""


def main():
    with Workdir() as work:
        nginx = Nginx(work)
        nginx.start()
        h = password_hash(PASSWORD)
        cfg = CONFIG.format(nginx_url=nginx.url("/login"),
                            alice_hash=f', password_hash: "{h}"' if h else "",
                            victor_hash=f', password_hash: "{h}"' if h else "")
        vigil = Vigil(work, cfg)
        try:
            vigil.start()
            print(json.dumps({"base": vigil.base(), "auth": bool(h), "password": PASSWORD, "users": ["alice", "victor"],
                              "workdir": work}), flush=True)
            for line in sys.stdin:
                cmd = line.strip()
                if cmd == "stop-nginx":
                    nginx.stop()
                elif cmd == "start-nginx":
                    nginx.start()
                elif cmd == "quit":
                    break
                print(json.dumps({"done": cmd}), flush=True)
        finally:
            vigil.stop()
            if nginx.proc:
                nginx.stop()


if __name__ == "__main__":
    main()
