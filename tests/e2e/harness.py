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
import random
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


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_port():
    """A free port below the kernel's ephemeral range. A port from bind(0) is an ephemeral one:
    between this check and the server's own bind, an outgoing connection (a probe, a webhook
    delivery) may take it as its source port. Ports below the range are never chosen that way,
    so only another test picking the same one at random could take it."""
    low, _ = _ephemeral_range()
    top = min(low, 32768)
    if top - 1024 >= 4096:
        for _ in range(200):
            port = random.randrange(max(1024, top - 16384), top)
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
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
    `status` is what it answers; stop()/start() take it down and up on the same port.
    Its socket is bound when it is made (port 0: the kernel's choice) but listens only from
    start(): until then connections are refused, and no other process can take the port in
    between (a port found free and bound later can meanwhile become someone's source port)."""

    def __init__(self, secret=None):
        self.secret = secret
        self.requests = []
        self.status = 200
        self.lock = threading.Lock()
        self.thread = None
        self.server = self._bind(0)
        self.port = self.server.server_address[1]

    def start(self):
        if self.server is None:
            self.server = self._bind(self.port)
        self.server.server_activate()  # listen
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _bind(self, port):
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
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler, bind_and_activate=False)
        try:
            server.server_bind()
        except OSError:
            server.server_close()
            raise
        return server

    def stop(self):
        if self.server:
            if self.thread:  # serving: shutdown() waits for serve_forever to return
                self.server.shutdown()
                self.thread = None
            self.server.server_close()
            self.server = None

    def accepted(self, event=None):
        with self.lock:
            return [r for r in self.requests if r["status"] < 300 and (event is None or r["body"]["event"] == event)]

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def pages(self, incident_id):
        """The pages (event "page") this receiver accepted for one incident."""
        return [r for r in self.accepted("page") if r["body"]["incident"]["id"] == incident_id]


class Vigil:
    """The real vigil binary with a config written to a temp dir."""

    def __init__(self, workdir, config_text):
        self.dir = workdir
        self.port = free_port()
        self.config = os.path.join(workdir, "vigil.yaml")
        self.write_config(config_text)
        self.proc = None
        self.log = os.path.join(workdir, "vigil.log")
        self.started_once = False

    def write_config(self, text):
        self.config_text = text
        with open(self.config, "w") as f:
            f.write(text.replace("{PORT}", str(self.port)).replace("{DIR}", self.dir))

    def start(self, wait=True):
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1")
        for attempt in range(3):
            self.logf = open(self.log, "ab")
            self.proc = subprocess.Popen([VIGIL_BIN, "run", "-c", self.config], stdout=self.logf,
                                         stderr=subprocess.STDOUT, env=env)
            if not wait:
                return
            try:
                wait_until(lambda: self.ready(), 20, "vigil /-/ready")
                self.started_once = True
                return
            except AssertionError:
                # free_port() chose the port earlier; an outgoing connection may have taken it as its
                # source port since. Before the first start nothing knows the port yet: pick another.
                if self.started_once or attempt == 2 or "Address already in use" not in self.output():
                    raise
                self.logf.close()
                self.port = free_port()
                self.write_config(self.config_text)

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

    def trigger(self, routing_key, dedup_key, severity="critical"):
        """A PagerDuty Events API v2 trigger (202 expected); the id of the open incident it made."""
        code, body = self.post("/v2/enqueue", {"routing_key": routing_key, "event_action": "trigger",
                                               "dedup_key": dedup_key,
                                               "payload": {"summary": dedup_key, "source": "e2e", "severity": severity}})
        assert code == 202, body
        return next(i["id"] for i in self.incidents("open") if i["dedup_key"] == dedup_key)

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


class Postgres:
    """A real PostgreSQL server (Debian's postgresql) on 127.0.0.1:<port> from its own temp data
    directory (tests/support/postgres.sh), stopped by its PID. Database `vigil`, user `vigil`."""

    SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "postgres.sh")

    def __init__(self, workdir):
        # Its own folder outside the workdir: under root the cluster belongs to user postgres.
        self.dir = tempfile.mkdtemp(prefix="vigil-e2e-pg-")

    def _run(self, cmd):
        subprocess.run(["bash", self.SCRIPT, cmd, self.dir], check=True, timeout=120)

    def start(self):
        self._run("start")
        with open(os.path.join(self.dir, "port")) as f:
            self.port = int(f.read())

    def restart(self):
        self._run("restart")

    def stop(self):
        self._run("stop")

    def uri(self):
        return f"postgresql://vigil@127.0.0.1:{self.port}/vigil"

    def query(self, sql):
        """One value per row, through psql (the client of the same package)."""
        out = subprocess.run(["psql", "-X", "-A", "-t", "-c", sql, self.uri()], capture_output=True, text=True,
                             timeout=30, check=True)
        return out.stdout.split()


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


APACHE_BIN = shutil.which("apache2") or "/usr/sbin/apache2"
APACHE_MODULES = "/usr/lib/apache2/modules"


class Apache:
    """A real Apache 2.4 (Debian's apache2) on 127.0.0.1:<port> from its own temp dir: mod_status
    at /server-status, mod_rewrite on, / and /login pages, a slow CGI at /slow, access log with
    %D. start() daemonizes it (`apache2 -f CONF -k start`, as a runbook would); stop() signals
    the PID in its pid file. As root its workers run as nobody (Apache refuses root workers)."""

    LOG_FORMAT = '%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D'

    def __init__(self, workdir, mpm="event", max_workers=10, extra=""):
        self.dir = os.path.join(workdir, "apache")
        for sub in ("html", "cgi-bin", "run", "logs"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.port = free_port()
        self.mpm, self.max_workers, self.extra = mpm, max_workers, extra
        self.conf = os.path.join(self.dir, "apache2.conf")
        self.pidfile = os.path.join(self.dir, "run", "apache2.pid")
        self.access_log = os.path.join(self.dir, "logs", "access.log")
        self.error_log = os.path.join(self.dir, "logs", "error.log")
        with open(os.path.join(self.dir, "html", "index.html"), "w") as f:
            f.write("<h1>WebServer-01</h1>\n")
        with open(os.path.join(self.dir, "html", "login.html"), "w") as f:
            f.write("<form>Sign in</form>\n")
        slow = os.path.join(self.dir, "cgi-bin", "slow")
        with open(slow, "w") as f:
            f.write("#!/bin/sh\nsleep 4\nprintf 'Content-Type: text/plain\\r\\n\\r\\nslow\\n'\n")
        os.chmod(slow, 0o755)
        open(os.path.join(self.dir, "mime.types"), "w").close()
        for root, dirs, files in os.walk(workdir):
            os.chmod(root, 0o755)
        self.write_config()

    def write_config(self):
        user = ""
        if os.geteuid() == 0:
            import grp
            import pwd
            pw = pwd.getpwnam("nobody")
            user = f"User nobody\nGroup {grp.getgrgid(pw.pw_gid).gr_name}\n"
        mods = "".join(f'LoadModule {m}_module "{APACHE_MODULES}/mod_{m}.so"\n'
                       for m in ("authz_core", "mime", "dir", "status", "rewrite", "alias", "cgid"))
        w = max(1, self.max_workers)
        if self.mpm == "prefork":
            limits = f"StartServers 1\nMinSpareServers 1\nMaxSpareServers {w}\nServerLimit {w}\nMaxRequestWorkers {w}\n"
        else:
            limits = (f"StartServers 1\nServerLimit 2\nThreadLimit {w}\nThreadsPerChild {w}\nMinSpareThreads 1\n"
                      f"MaxSpareThreads {w}\nMaxRequestWorkers {w}\n")
        d = self.dir
        log_format = self.LOG_FORMAT.replace('"', '\\"')
        text = f'''ServerRoot "{d}"
ServerName 127.0.0.1
Listen 127.0.0.1:{self.port}
PidFile "{self.pidfile}"
DefaultRuntimeDir "{d}/run"
LoadModule mpm_{self.mpm}_module "{APACHE_MODULES}/mod_mpm_{self.mpm}.so"
{mods}{user}ErrorLog "{self.error_log}"
LogLevel info
LogFormat "{log_format}" vigil
CustomLog "{self.access_log}" vigil
TypesConfig "{d}/mime.types"
DocumentRoot "{d}/html"
DirectoryIndex index.html
ScriptSock "{d}/run/cgid.sock"
<Directory />
  Require all denied
</Directory>
<Directory "{d}/html">
  Require all granted
</Directory>
<Directory "{d}/cgi-bin">
  Require all granted
</Directory>
ExtendedStatus On
<Location "/server-status">
  SetHandler server-status
</Location>
AliasMatch "^/login$" "{d}/html/login.html"
ScriptAliasMatch "^/slow$" "{d}/cgi-bin/slow"
RewriteEngine On
{limits}{self.extra}
'''
        with open(self.conf, "w") as f:
            f.write(text)

    def start_argv(self):
        return [APACHE_BIN, "-f", self.conf, "-k", "start"]

    def start(self):
        out = subprocess.run(self.start_argv(), capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        wait_until(lambda: port_open(self.port), 15, f"apache on port {self.port}")

    def pid(self):
        try:
            with open(self.pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def signal(self, sig):
        pid = self.pid()
        assert pid, "apache is not running"
        os.kill(pid, sig)

    def stop(self):
        pid = self.pid()
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            wait_until(lambda: not port_open(self.port), 15, "apache to stop")
            wait_until(lambda: not os.path.exists(f"/proc/{pid}"), 15, "apache parent to exit")

    def graceful(self):
        self.signal(signal.SIGUSR1)
        time.sleep(1.0)
        wait_until(lambda: port_open(self.port), 15, "apache after graceful")

    def get(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"
