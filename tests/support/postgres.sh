#!/usr/bin/env bash
# A real PostgreSQL server for tests, from Debian's `postgresql` package, never the system
# service: `start DIR` makes a cluster in DIR (superuser `vigil`, trust auth, listening on
# 127.0.0.1 only, on a free port, socket in DIR), creates database `vigil` and writes DIR/port
# and DIR/pid; `restart DIR` stops that server by its PID and starts it again on the same data
# and port (what a database restart looks like to its clients); `stop DIR` stops it by its PID
# and removes DIR. PostgreSQL refuses to run as root, so under root the cluster belongs to the
# package's `postgres` user.
set -euo pipefail
cmd="${1:?usage: postgres.sh start|stop DIR}"
dir="${2:?usage: postgres.sh start|stop DIR}"

halt() {  # the server of $dir, by its PID
  [[ -f "$dir/pid" ]] || return 0
  local pid
  pid="$(cat "$dir/pid")"
  kill -INT "$pid" 2>/dev/null || true  # fast shutdown: running transactions are rolled back
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
as=()
[[ $(id -u) -eq 0 ]] && as=(setpriv --reuid=postgres --regid=postgres --clear-groups)

serve() {  # on port $1, until ready
  # Durable like production (fsync on), small like a test: few connections, little memory.
  "${as[@]}" "$bin/postgres" -D "$dir/data" -h 127.0.0.1 -p "$1" -k "$dir" -c max_connections=60 \
    -c shared_buffers=16MB -c logging_collector=off </dev/null >>"$dir/postgres.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 300); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$1" && return 0
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "postgres.sh: the server did not start:" >&2
  cat "$dir/postgres.log" >&2
  exit 1
}

case "$cmd" in
  stop) halt; rm -rf "$dir"; exit 0 ;;
  restart) halt; serve "$(cat "$dir/port")"; exit 0 ;;
  start) ;;
  *) echo "postgres.sh: unknown command $cmd" >&2; exit 2 ;;
esac

[[ -x "$bin/postgres" ]] || { echo "postgres.sh: no PostgreSQL server (Debian package postgresql)" >&2; exit 1; }
halt
rm -rf "$dir"
mkdir -p "$dir"
[[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
"${as[@]}" "$bin/initdb" -D "$dir/data" -U vigil --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
serve "$port"
"$bin/createdb" -h 127.0.0.1 -p "$port" -U vigil vigil
echo "$port" >"$dir/port"
