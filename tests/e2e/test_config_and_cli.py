"""`vigil config check`, a bad config never starting or breaking the daemon, /-/reload, and
`vigil check URL` against a real nginx."""
import os
import re
import subprocess

from harness import VIGIL_BIN, Nginx, Vigil, Workdir, free_port, run, wait_until

ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")

BAD = """server:
  listen: 127.0.0.1:8080
  colour: blue
defaults:
  interval: 10 seconds
services:
  - name: web
    checks:
      - name: home
        url: "not a url"
        conditions: ['status == 200', 'response_time < < 800ms']
      - name: home
        url: http://127.0.0.1:1/
"""


def vigil(*args):
    return subprocess.run([VIGIL_BIN, *args], capture_output=True, text=True, timeout=60, env=ENV)


def test_config_check_prints_every_error_with_position():
    with Workdir() as d:
        path = os.path.join(d, "bad.yaml")
        with open(path, "w") as f:
            f.write(BAD)
        out = vigil("config", "check", "-c", path)
        assert out.returncode == 1, out
        lines = [l for l in out.stderr.splitlines() if l.startswith(path + ":")]
        for l in lines:
            assert re.match(re.escape(path) + r":\d+:\d+: \S+: .+", l), l
        text = "\n".join(lines)
        assert f"{path}:3:3: server.colour:" in text, text
        assert f"{path}:5:13: defaults.interval:" in text, text
        assert "services[0].checks[0].url" in text, text
        # The bad condition's column points into the file at the second '<'.
        cond_line = BAD.splitlines()[10]
        col = cond_line.index("< <") + 3
        assert f"{path}:11:{col}: services[0].checks[0].conditions[1]:" in text, text
        assert "services[0].checks[1].name" in text and "duplicate" in text, text

        # The daemon refuses to start on it, with the same errors.
        out = vigil("run", "-c", path)
        assert out.returncode == 1 and "server.colour" in out.stderr

        good = os.path.join(os.environ.get("VIGIL_SOURCE_DIR", "."), "vigil.yaml")
        out = vigil("config", "check", "-c", good)
        assert out.returncode == 0 and "SUCCESS" in out.stdout, out


def test_reload_keeps_running_config_on_error_and_applies_a_good_one():
    with Workdir() as d:
        nginx = Nginx(d)
        nginx.start()
        base = f"""
server: {{ listen: 127.0.0.1:{{PORT}} }}
store: {{ sqlite: "{{DIR}}/vigil.db" }}
defaults: {{ interval: 1s, timeout: 1s }}
services:
  - name: web
    checks:
      - {{ name: home, url: "{nginx.url('/')}" }}
"""
        v = Vigil(d, base)
        v.start()
        try:
            # Every thread says what it is (top -H, perf, gdb).
            task = f"/proc/{v.proc.pid}/task"
            names = {open(f"{task}/{t}/comm").read().strip() for t in os.listdir(task)}
            want = {"vigil-http", "vigil-commit", "vigil-checkpt", "vigil-store", "vigil-probe-0", "vigil-respond"}
            assert want <= names, names
            v.write_config(base + "      - { name: broken, url: http://127.0.0.1:1/, interval: nope }\n")
            code, body = v.post("/-/reload")
            assert code == 400 and any("interval" in e for e in body["errors"]), body
            assert v.ready()
            _, svc = v.get("/api/v1/services/web")
            assert [c["name"] for c in svc["checks"]] == ["home"]

            v.write_config(base + f"      - {{ name: login, url: \"{nginx.url('/login')}\" }}\n")
            code, body = v.post("/-/reload")
            assert code == 200, body
            _, svc = v.get("/api/v1/services/web")
            assert [c["name"] for c in svc["checks"]] == ["home", "login"]
            wait_until(lambda: v.metric("vigil_check_up", '{service="web",check="login"}') == 1, 10,
                       "the reloaded check runs")

            # API errors are JSON with a 4xx.
            code, body = v.get("/api/v1/incidents/abc")
            assert code == 400 and body["field"] == "id"
            code, body = v.request("POST", "/api/v1/incidents/1/notes", None)
            assert code == 400 and body["field"] == "text"
            code, body = v.get("/api/v1/nope")
            assert code == 404 and "error" in body
            code, body = v.request("DELETE", "/api/v1/incidents")
            assert code == 405
            code, text = v.get("/-/healthy", raw=True)
            assert code == 200
        finally:
            v.stop()
            nginx.stop()


def test_check_command_prints_timings_and_exit_status():
    with Workdir() as d:
        nginx = Nginx(d)
        nginx.start()
        try:
            out = vigil("check", nginx.url("/login"), "--condition", 'body contains "Sign in"')
            assert out.returncode == 0, out
            for word in ("200", "DNS", "Connect", "TTFB", "Total"):
                assert word.lower() in out.stdout.lower(), (word, out.stdout)
            out = vigil("check", nginx.url("/login"), "--condition", "status == 404")
            assert out.returncode == 1 and "status" in out.stdout
        finally:
            nginx.stop()
        out = vigil("check", f"http://127.0.0.1:{free_port()}/", "--timeout", "2s")
        assert out.returncode == 1, out
        out = vigil("check", "tcp://127.0.0.1:1")
        assert out.returncode == 1


if __name__ == "__main__":
    run([test_config_check_prints_every_error_with_position, test_reload_keeps_running_config_on_error_and_applies_a_good_one,
         test_check_command_prints_timings_and_exit_status])
