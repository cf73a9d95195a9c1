#!/usr/bin/env bash
# Stops exactly what deploy/local/up.sh started, by pid: the three services, RabbitMQ
# (and its epmd, on a port of its own) and PostgreSQL. Data in .local/ is kept.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=lib.sh
source deploy/local/lib.sh

state="$root/.local"
RABBIT_PORT=${R2P_RABBIT_PORT:-25672}

for name in gateway notifications commitments; do
  pidfile="$state/pids/$name.pid"
  [ -s "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
done

if [ -s "$state/maildev/maildev.pid" ]; then
  say "stopping maildev"
  maildev_stop "$state/maildev"
fi

if [ -d "$state/rabbitmq" ]; then
  say "stopping RabbitMQ"
  rabbit_stop "$state/rabbitmq" "$RABBIT_PORT"
fi

if [ -s "$state/pgdata.path" ]; then
  say "stopping PostgreSQL"
  pg_stop "$(cat "$state/pgdata.path")"
fi
say "stopped"
