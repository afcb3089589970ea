"""The systemd unit that `cmake --install` writes (contrib/systemd/vigil.service.in): systemd
accepts it, and its start, reload and stop commands do what docs/operations.md says. No systemd
runs here: the commands are read from the installed unit and run the way systemd runs them
(ExecStart in WorkingDirectory, ExecReload lines in order until one fails, KillMode=mixed's
SIGTERM to the main process alone)."""
import os
import shlex
import shutil
import signal
import subprocess

from harness import VIGIL_BIN, Workdir, free_port, run, wait_until
import harness

BUILD_DIR = os.path.dirname(os.path.abspath(VIGIL_BIN))
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1")


def install(prefix):
    out = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", prefix], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out
    assert os.access(os.path.join(prefix, "bin", "vigil"), os.X_OK), out.stdout
    return os.path.join(prefix, "lib", "systemd", "system", "vigil.service")


def service_section(unit_path):
    """The [Service] section's (key, value) pairs in file order (ExecReload repeats)."""
    pairs, section = [], None
    with open(unit_path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line
            elif section == "[Service]":
                key, value = line.split("=", 1)
                pairs.append((key, value))
    return pairs


def seconds(value):
    units = {"s": 1, "min": 60, "h": 3600}
    for suffix, mult in sorted(units.items(), key=lambda kv: -len(kv[0])):
        if value.endswith(suffix):
            return float(value[: -len(suffix)]) * mult
    return float(value)


def test_systemd_accepts_the_installed_unit():
    systemd_analyze = shutil.which("systemd-analyze")
    assert systemd_analyze, "systemd-analyze is missing: scripts/install-deps.sh installs systemd"
    with Workdir() as d:
        unit = install(os.path.join(d, "prefix"))
        service = dict(service_section(unit))
        assert service["ExecStart"].split()[0] == os.path.join(d, "prefix", "bin", "vigil"), service
        # This machine has no `vigil` user; everything else is checked as systemd would load it.
        checked = os.path.join(d, "vigil.service")
        with open(unit) as src, open(checked, "w") as dst:
            dst.writelines(l for l in src if not l.startswith(("User=", "Group=")))
        out = subprocess.run([systemd_analyze, "verify", "--man=no", checked], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0 and not out.stderr.strip(), out


def test_unit_commands_start_reload_and_stop():
    with Workdir() as d:
        service = service_section(install(os.path.join(d, "prefix")))
        values = dict(service)
        state = os.path.join(d, "state")  # stands in for StateDirectory=, /var/lib/vigil
        os.makedirs(state)
        config = os.path.join(d, "vigil.yaml")
        port = free_port()

        def write_config(services, extra=""):
            """Services fed by Events API integrations (a service needs a check or one)."""
            with open(config, "w") as f:
                f.write(f"server: {{ listen: 127.0.0.1:{port} }}\nservices:\n" +
                        "".join(f"  - name: {s}\n" for s in services) + "integrations:\n" +
                        "".join(f"  - {{ name: {s}-events, type: pagerduty_events_v2, key: {i:032d}, service: {s} }}\n"
                                for i, s in enumerate(services)) + extra)

        def ours(command):
            return command.replace("/etc/vigil/vigil.yaml", config)

        assert values["WorkingDirectory"] == "/var/lib/vigil" and values["StateDirectory"] == "vigil", values
        write_config(["web"])
        log = open(os.path.join(d, "vigil.log"), "wb")
        proc = subprocess.Popen(shlex.split(ours(values["ExecStart"])), cwd=state, stdout=log,
                                stderr=subprocess.STDOUT, env=ENV)
        v = harness.Vigil.__new__(harness.Vigil)  # only for its HTTP helpers
        v.port, v.proc, v.log = port, proc, os.path.join(d, "vigil.log")
        try:
            wait_until(v.ready, 20, "vigil /-/ready")
            # The config's relative store path lands in the state directory.
            assert os.path.exists(os.path.join(state, "data", "vigil.db")), os.listdir(state)

            def reload():
                """ExecReload= lines in order; systemd stops at the first that fails."""
                for key, command in service:
                    if key != "ExecReload":
                        continue
                    argv = [str(proc.pid) if a == "$MAINPID" else a for a in shlex.split(ours(command))]
                    out = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=ENV)
                    if out.returncode != 0:
                        return out
                return None

            def services():
                code, body = v.get("/api/v1/services")
                assert code == 200, body
                return sorted(s["name"] for s in body["services"])

            # A config that does not validate: the reload fails with the error, vigil never
            # gets the signal and keeps the running config.
            write_config(["web", "api"], extra="defaults:\n  interval: ten seconds\n")
            failed = reload()
            assert failed is not None and failed.returncode != 0, failed
            assert f"{config}:" in failed.stderr and "interval" in failed.stderr, failed.stderr
            assert proc.poll() is None and services() == ["web"]
            assert "reload" not in open(v.log, errors="replace").read().lower()

            write_config(["web", "api"])
            assert reload() is None
            wait_until(lambda: services() == ["api", "web"], 10, "the reloaded config's services")

            # KillMode=mixed: SIGTERM to vigil alone (a runbook it runs is its child, and must be
            # let finish: tests/e2e/test_crash_restart.py); it exits 0 well within the timeout.
            assert values["KillMode"] == "mixed", values
            timeout = seconds(values["TimeoutStopSec"])
            assert timeout > 60, "shorter than a runbook's default timeout"
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=min(timeout, 30)) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            log.close()


if __name__ == "__main__":
    run([test_systemd_accepts_the_installed_unit, test_unit_commands_start_reload_and_stop])
