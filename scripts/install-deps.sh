#!/usr/bin/env bash
# Installs the Debian 12 packages vigil builds, tests and benchmarks with.
# Idempotent: only missing packages are installed, so a second run is a no-op.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcurl4-openssl-dev libsqlite3-dev libyaml-cpp-dev libfmt-dev libspdlog-dev
  libcli11-dev libhowardhinnant-date-dev libre2-dev libssl-dev
  libsodium-dev            # web auth: argon2id password hashes (crypto_pwhash_str), session ids
  libjemalloc-dev          # the daemon's malloc (cross-thread frees of an event storm)
  openssl                  # e2e: a self-signed certificate for the HTTPS listener (tests/e2e/test_authz.py)
  libcmark-gfm-dev libcmark-gfm-extensions-dev  # postmortem HTML: GitHub-flavoured Markdown
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev # tests/fuzz: libFuzzer targets of the input parsers (make test)
  libxml2-dev              # tests: the postmortem SVGs are parsed as XML
  libc-ares-dev            # dns checks: asynchronous DNS queries (c-ares)
  libpq-dev                # the store on PostgreSQL (libpq)
  postgresql               # tests: a real PostgreSQL server on loopback, started from a temp data dir
  dnsmasq-base             # tests: a real DNS server on loopback for the dns check (no system service)
  nginx-light curl sqlite3 procps python3
  prometheus-alertmanager  # e2e: a real Alertmanager pages vigil (tests/e2e/test_alertmanager.py)
  apache2 diffutils        # `vigil demo` and e2e: a real Apache2 (mod_status, mod_rewrite), run as the
                           # current user from its own config, never the system service; `diff -u` for config evidence
  chromium nodejs npm      # browser tests: playwright-core (tests/browser) drives Debian's chromium
  systemd                  # e2e: `systemd-analyze verify` of the unit we install (tests/e2e/test_systemd_unit.py)
)
# Benchmark peers: only `make bench` needs them.
if [[ "${1:-}" == "--bench" ]]; then
  PACKAGES+=(prometheus-blackbox-exporter wrk goaccess prometheus-pushgateway)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  # A Node.js from elsewhere (e.g. NodeSource's nodejs, which bundles npm and conflicts with
  # Debian's npm package) serves as well: only a missing command makes us install Debian's.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Browser tests: playwright-core from npm, pinned by tests/browser/package-lock.json. It drives
# Debian's chromium, so no browser is downloaded; `npm ci` runs only when the lock file changed.
browser_deps() {
  local dir
  dir="$(cd "$(dirname "$0")/../tests/browser" && pwd)"
  if [[ ! -f "$dir/node_modules/.package-lock.json" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
}
[[ ${#missing[@]} -eq 0 ]] && { browser_deps; exit 0; }

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts nginx and Apache on :80, Alertmanager on :9093/:9094 and the Pushgateway on :9091 after install; vigil's tests run
# their own on loopback.
for svc in nginx prometheus-alertmanager prometheus-pushgateway apache2; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $SUDO systemctl stop "$svc" || true
    $SUDO systemctl disable "$svc" >/dev/null 2>&1 || true
  fi
done
browser_deps
