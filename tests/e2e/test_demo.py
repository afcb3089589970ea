"""`vigil demo`, shortened (--speed 10): a real Apache2 started by the demo breaks the way the
seed outage did, vigil pages the primary, escalates to the secondary who acknowledges from the
page's link, the rollback runbook fixes it, the incident is resolved, and the postmortem README
is written with its five sections and impact numbers. Afterwards nothing of it runs. A second
run is cut short with Ctrl-C (SIGINT) mid-story: it still stops its Apache."""
import os
import re
import signal
import subprocess
import tempfile
import shutil
import time

from harness import VIGIL_BIN, free_port, port_open, run, wait_until

SOURCE_DIR = os.environ.get("VIGIL_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SECTIONS = ["## Issue Summary", "## Timeline", "## Root Cause and Resolution",
            "## Corrective and Preventative Measures", "## Lessons Learned"]


def demo_argv(data, port, *extra):
    return [VIGIL_BIN, "demo", "--speed", "10", "--listen", f"127.0.0.1:{port}", "--data", data, *extra]


def data_dir():
    d = tempfile.mkdtemp(prefix="vigil-e2e-demo-")
    os.chmod(d, 0o755)  # as root, the demo's Apache workers (nobody) read its pages
    return d


def apache_of(output):
    """The Apache the demo says it started: (pid, port)."""
    m = re.search(r"Apache2 started: http://127\.0\.0\.1:(\d+)/ \(pid (\d+)", output)
    assert m, f"no 'Apache2 started' line in:\n{output}"
    return int(m.group(2)), int(m.group(1))


def gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] == "Z"  # a zombie is dead, only not reaped by its parent yet
    except OSError:
        return True


def section(text, title):
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start:end if end >= 0 else len(text)]


def test_story_plays_to_the_postmortem():
    data = data_dir()
    port = free_port()
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1")
    start = time.monotonic()
    out = None
    try:
        out = subprocess.run(demo_argv(data, port, "--exit-when-done"), cwd=SOURCE_DIR, env=env,
                             capture_output=True, text=True, timeout=150)
    except subprocess.TimeoutExpired as e:
        print(f"kept {data} for inspection")
        raise AssertionError(f"vigil demo did not finish within 150s:\n{e.stdout}\n{e.stderr}")
    took = time.monotonic() - start
    log = f"--- stdout\n{out.stdout}\n--- stderr\n{out.stderr}"
    try:
        assert out.returncode == 0, f"exit {out.returncode}\n{log}"
        assert took < 90, f"took {took:.0f}s at --speed 10\n{log}"

        pid, apache_port = apache_of(out.stdout)
        assert gone(pid), f"apache2 (pid {pid}) still runs after the demo\n{log}"
        assert not port_open(apache_port), "the demo's Apache port still accepts connections"
        assert not port_open(port), "vigil's port still accepts connections"

        # Paged the primary, then (no ack) the secondary; both engineers, by name.
        pages = re.findall(r"PAGE to (.+?) \(rule (\d)\): #(\d+)", out.stdout)
        assert {(name, rule) for name, rule, _ in pages} >= {(pages[0][0], "1")}, log
        names = {name for name, _, _ in pages}
        assert names == {"Ama Owusu", "Kwame Mensah"}, f"paged {names}\n{log}"
        assert any(rule == "2" for _, rule, _ in pages), log
        incident = pages[0][2]
        assert re.search(rf"taps Acknowledge in the page: incident #{incident} acknowledged", out.stdout), log
        assert re.search(rf"runs the rollback-config runbook: .*succeeded", out.stdout), log
        assert re.search(rf"resolves incident #{incident} with the root cause", out.stdout), log

        readme = os.path.join(data, "postmortems", incident, "README.md")
        assert os.path.exists(readme), f"no postmortem at {readme}\n{log}"
        with open(readme) as f:
            text = f.read()
        for title in SECTIONS:
            assert title in text, f"{title} missing from {readme}:\n{text}"
        summary = section(text, "## Issue Summary")
        down = re.search(r"(\d+ ?(?:s|seconds?|min|minutes?|h)\b[^\n]*) of downtime", summary)
        assert down, f"no downtime figure in the Issue Summary:\n{summary}"
        failed = re.search(r"([\d,]+) of ([\d,]+) requests failed", summary)
        assert failed and int(failed.group(1).replace(",", "")) > 0, f"no failed requests in:\n{summary}"
        assert "AH00124" in text or "RewriteRule" in text, f"the root cause is not in the report:\n{text}"
        assert os.path.isdir(os.path.join(data, "postmortems", incident, "images")), "no images/ next to README.md"
    finally:
        if out.returncode == 0:
            shutil.rmtree(data, ignore_errors=True)
        else:
            print(f"kept {data} for inspection")


def test_ctrl_c_mid_story_stops_apache():
    data = data_dir()
    port = free_port()
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1")
    proc = subprocess.Popen(demo_argv(data, port), cwd=SOURCE_DIR, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # read until the bad deploy is out: Apache is serving 500s
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "A change goes out" in line:
                break
        output = "".join(lines)
        pid, apache_port = apache_of(output)
        assert not gone(pid), f"apache2 is not running mid-story\n{output}"
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
        output += rest
        assert proc.returncode == 130, f"exit {proc.returncode}\n{output}"
        wait_until(lambda: gone(pid), 5, f"apache2 pid {pid} to exit")
        assert not port_open(apache_port)
        assert not port_open(port)
        assert "Nothing of the demo is left running" in output, output
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    run([test_story_plays_to_the_postmortem, test_ctrl_c_mid_story_stops_apache])
