"""Authentication and authorisation against the real vigil binary: every route of docs/api.md
called with no credentials, a viewer, a responder, an admin, a forged session cookie, a session
without its CSRF token and an API token, asserting the exact answer of the auth layer (a 404 from
a route still shows the auth layer let the call through). Also: the login page, a wrong password,
the login rate limit, logout, the CLI with VIGIL_TOKEN, HTTPS with a self-signed certificate, and
`vigil config check` refusing a non-loopback listen without users."""
import http.client
import json
import os
import re
import ssl
import subprocess

from harness import VIGIL_BIN, Vigil, Workdir, free_port, run

ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
AM_KEY = "am-secret-key-0123456789"

CONFIG = """server:
  listen: 127.0.0.1:{PORT}
  link_secret: 0123456789abcdef0123456789abcdef
@SERVER@
store:
  sqlite: {DIR}/vigil.db
services:
  - name: web
    checks:
      - name: self
        url: http://127.0.0.1:{PORT}/-/healthy
        interval: 1s
        timeout: 500ms
users:
  - { id: vera, role: viewer, password_hash: "@HASH@", contacts: [ { type: webhook, url: "http://127.0.0.1:9/hook" } ] }
  - { id: rob, role: responder, password_hash: "@HASH@", contacts: [ { type: webhook, url: "http://127.0.0.1:9/hook" } ] }
  - { id: ada, role: admin, password_hash: "@HASH@", contacts: [ { type: webhook, url: "http://127.0.0.1:9/hook" } ] }
integrations:
  - { name: am, type: alertmanager, key: @AMKEY@, service: web }
"""

# Every route of docs/api.md (and the pages), with the role the policy asks for. Routes other
# sessions are building now (postmortems, action items, reports, /status) are listed too: a 404
# from a route not built yet still shows the auth layer let the call through.
ROUTES = [
    ("GET", "/api/v1/services", "viewer"),
    ("GET", "/api/v1/services/web", "viewer"),
    ("GET", "/api/v1/incidents?status=open", "viewer"),
    ("GET", "/api/v1/incidents/1", "viewer"),
    ("POST", "/api/v1/incidents/1/acknowledge", "responder"),
    ("POST", "/api/v1/incidents/1/resolve", "responder"),
    ("POST", "/api/v1/incidents/1/notes", "responder"),
    ("POST", "/api/v1/incidents/1/runbooks/restart", "responder"),
    ("POST", "/api/v1/incidents/1/escalate", "responder"),
    ("POST", "/api/v1/incidents/1/reassign", "responder"),
    ("POST", "/incidents/1/reassign", "responder"),
    ("GET", "/api/v1/stream", "viewer"),
    ("GET", "/api/v1/oncall", "viewer"),
    ("GET", "/api/v1/schedules", "viewer"),
    ("GET", "/api/v1/schedules/none/shifts", "viewer"),
    ("GET", "/api/v1/schedules/none.ics", "viewer"),
    ("GET", "/api/v1/incidents/1/postmortem", "viewer"),
    ("PUT", "/api/v1/incidents/1/postmortem", "responder"),
    ("GET", "/api/v1/action-items", "viewer"),
    ("POST", "/api/v1/action-items", "responder"),
    ("GET", "/api/v1/action-items/1", "viewer"),
    ("PATCH", "/api/v1/action-items/1", "responder"),
    ("DELETE", "/api/v1/action-items/1", "responder"),
    ("GET", "/api/v1/reports", "viewer"),
    ("GET", "/", "viewer"),
    ("GET", "/incidents", "viewer"),
    ("POST", "/-/reload", "admin"),
    ("PUT", "/-/reload", "admin"),
    ("GET", "/metrics", "open"),
    ("GET", "/-/healthy", "open"),
    ("GET", "/-/ready", "open"),
    ("GET", "/status", "open"),
    ("GET", "/a/not-a-token", "open"),
    ("POST", "/a/not-a-token", "open"),
    ("POST", "/v2/enqueue", "open"),
]
RANK = {"open": 0, "viewer": 1, "responder": 2, "admin": 3}


def call(port, method, path, headers=None, body=None, tls=None):
    """(status, headers dict lower-cased, body text). Never follows redirects; a streamed
    answer (SSE) is closed after its headers."""
    if tls:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=tls)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        h = dict(headers or {})
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        text = "" if "text/event-stream" in hdrs.get("content-type", "") else r.read().decode(errors="replace")
        return r.status, hdrs, text
    finally:
        conn.close()


def hash_password(pw):
    out = subprocess.run([VIGIL_BIN, "hash-password"], input=pw + "\n", capture_output=True, text=True, timeout=30,
                         env=ENV)
    assert out.returncode == 0, out
    h = out.stdout.strip()
    assert h.startswith("$argon2id$"), h
    return h


def form(**fields):
    from urllib.parse import urlencode
    return urlencode(fields)


def login(port, user, pw="pw-" + "s3cret", tls=None):
    status, hdrs, body = call(port, "POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"},
                              form(user=user, password=pw, next="/incidents"), tls=tls)
    assert status == 303, (status, body)
    assert hdrs["location"] == "/incidents", hdrs
    cookie = hdrs["set-cookie"]
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
        assert flag in cookie, cookie
    return cookie.split(";")[0].split("=", 1)[1], cookie


def csrf_of(port, cookie):
    """The session's CSRF token, as the pages put it in their forms."""
    status, _, body = call(port, "GET", "/incidents", {"Cookie": "vigil_session=" + cookie, "Accept": "text/html"})
    assert status == 200, (status, body[:300])
    m = re.search(r'name="csrf" value="([^"]+)"', body) or re.search(r'value="([^"]+)" name="csrf"', body)
    assert m, "no csrf field in the incidents page"
    return m.group(1)


PW = "pw-" + "s3cret"


def make_config(d, server_extra=""):
    h = hash_password(PW)
    return (CONFIG.replace("@HASH@", h).replace("@AMKEY@", AM_KEY).replace("@SERVER@", server_extra))


def body_for(method):
    return {"text": "x"} if method in ("POST", "PUT", "PATCH") else None


def expect_matrix(v, who, headers, role_rank, csrf=None, via_token=False, forged=False):
    """Asserts the auth layer's answer for every route for one kind of caller."""
    failures = []
    for method, path, need in ROUTES:
        h = dict(headers)
        mutating = method not in ("GET", "HEAD")
        if csrf and mutating:
            h["X-CSRF-Token"] = csrf
        status, hdrs, text = call(v.port, method, path, h, body_for(method))
        if need == "open":
            ok = status not in (401, 403) or path.startswith("/a/")  # /a/ refuses a bad link with 403 itself
        elif forged or role_rank is None:
            ok = status == 401 and "bearer" in hdrs.get("www-authenticate", "").lower()
        elif RANK[need] > role_rank:
            ok = status == 403 and "role" in text
        elif mutating and not via_token and not csrf:
            ok = status == 403 and "csrf token missing or wrong" in text
        else:
            ok = status not in (401, 403)
        if not ok:
            failures.append(f"{who}: {method} {path} (needs {need}) -> {status} {text[:120]}")
    assert not failures, "\n".join(failures)


def test_authorisation_matrix_and_login_flow():
    with Workdir() as d:
        v = Vigil(d, make_config(d))
        v.start()
        try:
            out = v.output()
            assert "authentication is on" in out, out

            # No credentials: API calls 401, pages redirect to the login page.
            expect_matrix(v, "anonymous", {}, None)
            status, hdrs, _ = call(v.port, "GET", "/incidents?status=open", {"Accept": "text/html"})
            assert status == 303 and hdrs["location"] == "/login?next=/incidents%3Fstatus%3Dopen", (status, hdrs)

            # The login page itself: a form, nothing fetched from elsewhere.
            status, hdrs, page = call(v.port, "GET", "/login?next=/incidents")
            assert status == 200 and 'name="password"' in page and 'value="/incidents"' in page, page
            assert "http://" not in page and "https://" not in page

            # A wrong password: 401 with the page again; nothing set.
            status, hdrs, page = call(v.port, "POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"},
                                      form(user="rob", password="wrong", next="/"))
            assert status == 401 and "Wrong user or password" in page and "set-cookie" not in hdrs, (status, hdrs)

            # A login never redirects off the site.
            status, hdrs, _ = call(v.port, "POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"},
                                   form(user="vera", password=PW, next="//evil.example/"))
            assert status == 303 and hdrs["location"] == "/", hdrs

            viewer, _ = login(v.port, "vera")
            responder, _ = login(v.port, "rob")
            admin, _ = login(v.port, "ada")
            expect_matrix(v, "viewer", {"Cookie": "vigil_session=" + viewer}, 1, csrf=csrf_of(v.port, viewer))
            expect_matrix(v, "responder", {"Cookie": "vigil_session=" + responder}, 2, csrf=csrf_of(v.port, responder))
            expect_matrix(v, "admin", {"Cookie": "vigil_session=" + admin}, 3, csrf=csrf_of(v.port, admin))
            expect_matrix(v, "forged cookie", {"Cookie": "vigil_session=" + "A" * 43}, None, forged=True)
            expect_matrix(v, "responder without csrf", {"Cookie": "vigil_session=" + responder}, 2)

            # An API token (shown once by the CLI) acts as its user, without CSRF.
            out = subprocess.run([VIGIL_BIN, "token", "create", "--user", "rob", "--name", "e2e", "-c", v.config],
                                 capture_output=True, text=True, timeout=30, env=ENV)
            assert out.returncode == 0, out
            token = out.stdout.strip()
            assert re.fullmatch(r"vgl_[A-Za-z0-9_-]{43}", token), out.stdout
            expect_matrix(v, "token", {"Authorization": "Bearer " + token}, 2, via_token=True)
            expect_matrix(v, "revoked-looking token", {"Authorization": "Bearer vgl_" + "B" * 43}, None, forged=True)

            # The CLI sends the token from VIGIL_TOKEN or a token file.
            base = v.base()
            env = dict(ENV, VIGIL_TOKEN=token)
            ok = subprocess.run([VIGIL_BIN, "incidents", "--server", base], capture_output=True, text=True, env=env,
                                timeout=30)
            assert ok.returncode == 0, ok
            denied = subprocess.run([VIGIL_BIN, "incidents", "--server", base], capture_output=True, text=True,
                                    env=ENV, timeout=30)
            assert denied.returncode != 0 and "401" in denied.stderr, denied
            token_file = os.path.join(d, "token")
            with open(token_file, "w") as f:
                f.write(token + "\n")
            ok = subprocess.run([VIGIL_BIN, "incidents", "--server", base, "--token-file", token_file],
                                capture_output=True, text=True, env=ENV, timeout=30)
            assert ok.returncode == 0, ok
            listed = subprocess.run([VIGIL_BIN, "token", "list", "-c", v.config], capture_output=True, text=True,
                                    env=ENV, timeout=30)
            assert listed.returncode == 0 and "e2e" in listed.stdout and token not in listed.stdout, listed
            tid = re.search(r"^\s*(\d+)\s+rob\s+e2e", listed.stdout, re.M).group(1)
            assert subprocess.run([VIGIL_BIN, "token", "revoke", tid, "-c", v.config], capture_output=True,
                                  env=ENV, timeout=30).returncode == 0
            assert call(v.port, "GET", "/api/v1/incidents", {"Authorization": "Bearer " + token})[0] == 401

            # Alertmanager authenticates with its integration key, not a user's token.
            am = "/api/v1/integrations/am/alertmanager"
            assert call(v.port, "POST", am, {}, {"version": "4", "alerts": []})[0] == 401
            assert call(v.port, "POST", am, {"Authorization": "Bearer " + AM_KEY},
                        {"version": "4", "status": "firing", "alerts": []})[0] not in (401, 403)

            # Logout needs the CSRF token, then the session is gone.
            csrf = csrf_of(v.port, responder)
            status, _, _ = call(v.port, "POST", "/logout", {"Cookie": "vigil_session=" + responder})
            assert status == 403, status
            status, hdrs, _ = call(v.port, "POST", "/logout", {"Cookie": "vigil_session=" + responder,
                                                                "Content-Type": "application/x-www-form-urlencoded"},
                                   form(csrf=csrf))
            assert status == 303 and hdrs["location"] == "/login" and "Max-Age=0" in hdrs["set-cookie"], hdrs
            assert call(v.port, "GET", "/api/v1/incidents", {"Cookie": "vigil_session=" + responder})[0] == 401

            # A restart keeps people logged in (sessions live in the store).
            v.stop()
            v.start()
            assert call(v.port, "GET", "/api/v1/incidents", {"Cookie": "vigil_session=" + viewer})[0] == 200

            # Rate limit: five failures for a user, then 429 with Retry-After, even with the right password.
            for _ in range(5):
                status, _, _ = call(v.port, "POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"},
                                    form(user="ada", password="guess", next="/"))
                assert status == 401, status
            status, hdrs, page = call(v.port, "POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"},
                                      form(user="ada", password=PW, next="/"))
            assert status == 429 and 250 <= int(hdrs["retry-after"]) <= 300 and "Too many" in page, (status, hdrs)
        finally:
            v.stop()


def test_https_listener_with_a_self_signed_certificate():
    with Workdir() as d:
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        out = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                              "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out
        v = Vigil(d, make_config(d, f"  tls_cert: {cert}\n  tls_key: {key}\n"))
        v.start(wait=False)
        tls = ssl.create_default_context(cafile=cert)
        from harness import wait_until

        def ready():
            try:
                return call(v.port, "GET", "/-/ready", tls=tls)[0] == 200
            except OSError:
                return False
        try:
            wait_until(ready, 20, "vigil https /-/ready")
            cookie, set_cookie = login(v.port, "rob", tls=tls)
            assert "Secure" in set_cookie, set_cookie
            # Live updates (Server-Sent Events) stream through TLS too.
            conn = http.client.HTTPSConnection("127.0.0.1", v.port, timeout=10, context=tls)
            try:
                conn.request("GET", "/api/v1/stream", headers={"Cookie": "vigil_session=" + cookie})
                r = conn.getresponse()
                assert r.status == 200 and "text/event-stream" in r.getheader("content-type", ""), r.status
                assert r.read1(4096).startswith(b"retry:")
            finally:
                conn.close()
            assert call(v.port, "GET", "/api/v1/incidents", tls=tls)[0] == 401
            # Plain HTTP on the TLS port is not answered as HTTP.
            try:
                status = call(v.port, "GET", "/-/healthy")[0]
            except (OSError, http.client.HTTPException):
                status = None
            assert status != 200, status
        finally:
            v.stop()


def test_config_check_refuses_open_remote_listen():
    with Workdir() as d:
        path = os.path.join(d, "vigil.yaml")
        port = free_port()
        text = (f"server:\n  listen: 0.0.0.0:{port}\nservices:\n  - name: web\n    checks:\n"
                f"      - name: home\n        url: http://127.0.0.1:{port}/\n")
        with open(path, "w") as f:
            f.write(text)
        out = subprocess.run([VIGIL_BIN, "config", "check", "-c", path], capture_output=True, text=True, env=ENV,
                             timeout=30)
        assert out.returncode == 1, out
        assert re.search(re.escape(path) + r":2:11: server\.listen: .*allow_unauthenticated_remote", out.stderr), out.stderr
        with open(path, "w") as f:
            f.write(text.replace("server:\n", "server:\n  allow_unauthenticated_remote: true\n"))
        out = subprocess.run([VIGIL_BIN, "config", "check", "-c", path], capture_output=True, text=True, env=ENV,
                             timeout=30)
        assert out.returncode == 0, out
        # A plain password where the hash belongs is caught, and not echoed.
        with open(path, "w") as f:
            f.write(text + "users:\n  - { id: a, role: boss, password_hash: hunter2, contacts: [ { type: webhook, "
                           "url: 'http://127.0.0.1:9/' } ] }\n")
        out = subprocess.run([VIGIL_BIN, "config", "check", "-c", path], capture_output=True, text=True, env=ENV,
                             timeout=30)
        assert out.returncode == 1 and "argon2id" in out.stderr and "hunter2" not in out.stderr, out.stderr
        assert "expected one of" in out.stderr and "viewer" in out.stderr, out.stderr


if __name__ == "__main__":
    run([test_config_check_refuses_open_remote_listen, test_authorisation_matrix_and_login_flow,
         test_https_listener_with_a_self_signed_certificate])
