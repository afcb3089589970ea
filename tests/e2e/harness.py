"""Real-component harness for vigil's end-to-end tests.

Starts a real nginx (Debian's package) and the real vigil binary on loopback ports with
their own temp configs, and a webhook receiver; everything is stopped by the PID we started.
Standard library only, so `make test` needs nothing from PyPI.
"""
import hashlib
import hmac
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

VIGIL_BIN = os.environ.get("VIGIL_BIN", "build/asan/vigil")
NGINX_BIN = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what, interval=0.1):
    """Polls `predicate` until it returns a truthy value; fails the test with `what` on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Nginx:
    """A real nginx on 127.0.0.1:<port> serving / (200 "Sign in"), stopped by its PID."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "nginx")
        os.makedirs(os.path.join(self.dir, "logs"), exist_ok=True)
        self.port = free_port()
        self.proc = None
        conf = f"""
daemon off;
master_process on;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {self.dir}/logs/access.log;
  client_body_temp_path {self.dir}/body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
  server {{
    listen 127.0.0.1:{self.port};
    location = / {{ default_type text/html; return 200 "<h1>Sign in</h1>"; }}
    location = /login {{ default_type text/html; return 200 "<form>Sign in</form>"; }}
  }}
}}
"""
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)

    def start(self):
        self.proc = subprocess.Popen([NGINX_BIN, "-c", self.conf, "-p", self.dir, "-e", f"{self.dir}/logs/error.log"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: port_open(self.port), 10, f"nginx on port {self.port}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT if False else signal.SIGTERM)
            self.proc.wait(timeout=10)
        self.proc = None
        wait_until(lambda: not port_open(self.port), 10, "nginx port to close")

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"


class Receiver:
    """Webhook receiver: records every POST (headers, body, signature validity).
    `status` is what it answers; stop()/start() take it down and up on the same port."""

    def __init__(self, secret=None):
        self.port = free_port()
        self.secret = secret
        self.requests = []
        self.status = 200
        self.lock = threading.Lock()
        self.server = None
        self.thread = None

    def start(self):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sig = self.headers.get("X-Vigil-Signature", "")
                valid = None
                if outer.secret is not None:
                    want = "sha256=" + hmac.new(outer.secret.encode(), body, hashlib.sha256).hexdigest()
                    valid = hmac.compare_digest(sig, want)
                with outer.lock:
                    outer.requests.append({"id": self.headers.get("X-Vigil-Message-Id"), "body": json.loads(body),
                                           "signature_valid": valid, "status": outer.status})
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def accepted(self, event=None):
        with self.lock:
            return [r for r in self.requests if r["status"] < 300 and (event is None or r["body"]["event"] == event)]

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"


class Vigil:
    """The real vigil binary with a config written to a temp dir."""

    def __init__(self, workdir, config_text):
        self.dir = workdir
        self.port = free_port()
        self.config = os.path.join(workdir, "vigil.yaml")
        self.write_config(config_text)
        self.proc = None
        self.log = os.path.join(workdir, "vigil.log")

    def write_config(self, text):
        with open(self.config, "w") as f:
            f.write(text.replace("{PORT}", str(self.port)).replace("{DIR}", self.dir))

    def start(self, wait=True):
        self.logf = open(self.log, "ab")
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1")
        self.proc = subprocess.Popen([VIGIL_BIN, "run", "-c", self.config], stdout=self.logf, stderr=subprocess.STDOUT,
                                     env=env)
        if wait:
            wait_until(lambda: self.ready(), 20, "vigil /-/ready")

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"vigil exited with {self.proc.returncode}:\n{self.output()}")
        try:
            return self.get("/-/ready", raw=True)[0] == 200
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            code = self.proc.wait(timeout=20)
            assert code == 0, f"vigil exited with {code} on SIGTERM:\n{self.output()}"
        self.proc = None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    def output(self):
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, raw=False):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base() + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if raw:
            return status, text
        return status, (json.loads(text) if text.strip() else None)

    def get(self, path, raw=False):
        return self.request("GET", path, raw=raw)

    def post(self, path, body=None):
        return self.request("POST", path, body)

    def incidents(self, status="all"):
        code, body = self.get(f"/api/v1/incidents?status={status}")
        assert code == 200, body
        return body["incidents"]

    def cli(self, *args):
        return subprocess.run([VIGIL_BIN, *args, "--server", self.base()], capture_output=True, text=True, timeout=30,
                              env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))

    def metric(self, name, labels=""):
        _, text = self.get("/metrics", raw=True)
        for line in text.splitlines():
            if line.startswith(name + labels + " ") or (not labels and line.startswith(name + " ")):
                return float(line.rsplit(" ", 1)[1])
        return None


class Workdir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="vigil-e2e-")
        return self.path

    def __exit__(self, *exc):
        if exc[0] is None:
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            print(f"kept {self.path} for inspection")
        return False


def run(tests):
    """Runs each test function, printing a ctest-friendly summary; exit code 1 on any failure."""
    import sys
    import traceback
    failed = 0
    for t in tests:
        start = time.monotonic()
        try:
            t()
            print(f"PASS {t.__name__} ({time.monotonic() - start:.1f}s)")
        except Exception:
            failed += 1
            print(f"FAIL {t.__name__}")
            traceback.print_exc()
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
