#!/usr/bin/env bash
# Command 1: installs what is missing (PostgreSQL, RabbitMQ from Debian packages), starts them
# on data directories and ports of the project's own under .local/, builds, starts the three
# services (gateway 8080, commitments 8081, notifications 8082), seeds the pledges and writes a
# development staff token to .local/staff-token. Running it again while up is a quick no-op.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=lib.sh
source deploy/local/lib.sh

state="$root/.local"
PG_PORT=${R2P_PG_PORT:-25432}
RABBIT_PORT=${R2P_RABBIT_PORT:-25672}
GATEWAY_PORT=8080 COMMITMENTS_PORT=8081 NOTIFICATIONS_PORT=8082
MAILDEV_SMTP_PORT=1025 MAILDEV_WEB_PORT=1080   # maildev's default ports (notifications' e-mail)
mkdir -p "$state/logs" "$state/pids"

all_ready() {
  for port in $GATEWAY_PORT $COMMITMENTS_PORT $NOTIFICATIONS_PORT; do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready" 2>/dev/null || return 1
  done
}

print_urls() {
  cat <<MSG

R2P Tracker is up.
  dashboard                   http://127.0.0.1:$GATEWAY_PORT/
  API (gateway)               http://127.0.0.1:$GATEWAY_PORT/api/pledges
  commitments (internal)      http://127.0.0.1:$COMMITMENTS_PORT
  notifications (internal)    http://127.0.0.1:$NOTIFICATIONS_PORT
  mail (maildev)              http://127.0.0.1:$MAILDEV_WEB_PORT  (SMTP 127.0.0.1:$MAILDEV_SMTP_PORT)
  staff token (admin)         $state/staff-token
  log checkpoint              http://127.0.0.1:$GATEWAY_PORT/api/log/checkpoint  (verifier key: $state/log-verifier-key)
  logs                        $state/logs/
Stop everything with deploy/local/down.sh
MSG
}

if all_ready && [ -s "$state/staff-token" ]; then
  say "already up"
  print_urls
  exit 0
fi

ensure_servers_installed

# PostgreSQL runs as the 'postgres' user, which must be able to reach its data directory.
pgdata="$state/pgdata"
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$state" 2>/dev/null; then
  pgdata="/var/tmp/r2p-$(echo "$root" | sha1sum | cut -c1-12)/pgdata"
fi
echo "$pgdata" > "$state/pgdata.path"

if [ -f "$pgdata/postmaster.pid" ] && kill -0 "$(head -n 1 "$pgdata/postmaster.pid")" 2>/dev/null; then
  say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
else
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT ($pgdata)"
  pg_start "$pgdata" "$PG_PORT" "$state/logs/postgresql.log"
fi
pg_create_db "$pgdata" "$PG_PORT" r2p
# Each service connects as a role of its own that owns its schema and reaches no other (passwords in
# .local/postgres-SERVICE.password, made once, mode 600).
pg_service_roles "$pgdata" "$PG_PORT" r2p r2p "$state"

rabbit_env_check() { ( rabbit_env "$state/rabbitmq" "$RABBIT_PORT"; [ -s "$RABBITMQ_PID_FILE" ] && kill -0 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null ); }
if rabbit_env_check; then
  say "RabbitMQ already running on 127.0.0.1:$RABBIT_PORT"
else
  say "starting RabbitMQ on 127.0.0.1:$RABBIT_PORT"
  rabbit_start "$state/rabbitmq" "$RABBIT_PORT"
fi
# …and a broker user of its own (.local/rabbitmq-SERVICE.password); the default guest account is deleted.
rabbit_service_users "$state/rabbitmq" "$RABBIT_PORT" / r2p "$state" --delete-guest
# The services' queues are quorum queues; a broker from a version before them holds classic ones.
rabbit_quorum_migrate "$state/rabbitmq" "$RABBIT_PORT" /

# --- notifications: maildev as the SMTP server (its web UI and REST API on $MAILDEV_WEB_PORT) ---
ensure_maildev_installed
if [ -s "$state/maildev/maildev.pid" ] && kill -0 "$(cat "$state/maildev/maildev.pid")" 2>/dev/null; then
  say "maildev already running"
else
  say "starting maildev (SMTP $MAILDEV_SMTP_PORT, web $MAILDEV_WEB_PORT)"
  maildev_start "$state/maildev" "$MAILDEV_SMTP_PORT" "$MAILDEV_WEB_PORT"
fi

# The key with which the gateway signs the staff identity it passes on; local to this machine.
if [ ! -s "$state/internal-signing-key" ]; then
  (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n' > "$state/internal-signing-key")
fi

# Each service's settings in a file of its own, holding only what that service reads: its own database
# role and broker user, and the internal key only where it is used (the gateway signs with it,
# commitments checks it; notifications and the seed never see it). Created readable by their owner only
# (umask 077), not chmod'ed after they were written.
postgres_of() { pg_service_connection "$PG_PORT" r2p r2p "$state" "$1"; }
rabbit_of() { rabbit_service_uri "$RABBIT_PORT" / r2p "$state" "$1"; }

(umask 077; cat > "$state/commitments.env") <<ENV
ConnectionStrings__Postgres='$(postgres_of commitments)'
ConnectionStrings__RabbitMq='$(rabbit_of commitments)'
InternalAuth__SigningKey='$(cat "$state/internal-signing-key")'
# links in its feeds point at the gateway
PublicBaseUrl='http://127.0.0.1:$GATEWAY_PORT'
ENV

(umask 077; cat > "$state/notifications.env") <<ENV
ConnectionStrings__Postgres='$(postgres_of notifications)'
ConnectionStrings__RabbitMq='$(rabbit_of notifications)'
# local webhook receivers are on loopback (refused by default: SSRF guard); mail to maildev; links in mails
# point at the gateway.
Webhooks__AllowLoopback=true
Email__SmtpHost=127.0.0.1
Email__SmtpPort=$MAILDEV_SMTP_PORT
Email__Security=None
Email__PublicBaseUrl='http://127.0.0.1:$GATEWAY_PORT'
ENV

(umask 077; cat > "$state/gateway.env") <<ENV
ConnectionStrings__Postgres='$(postgres_of gateway)'
ConnectionStrings__RabbitMq='$(rabbit_of gateway)'
InternalAuth__SigningKey='$(cat "$state/internal-signing-key")'
ReverseProxy__Clusters__commitments__Destinations__primary__Address='http://127.0.0.1:$COMMITMENTS_PORT/'
ReverseProxy__Clusters__notifications__Destinations__primary__Address='http://127.0.0.1:$NOTIFICATIONS_PORT/'
ENV
# (An earlier version kept every setting in one shared .local/env.)
rm -f "$state/env"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

say "building (Release)"
dotnet build R2PTracker.sln -c Release -nologo -v quiet -clp:ErrorsOnly >"$state/logs/build.log" 2>&1 \
  || { tail -n 30 "$state/logs/build.log" >&2; die "build failed (see $state/logs/build.log)"; }

dll() { echo "$root/services/$1/src/R2PTracker.$2/bin/Release/net10.0/R2PTracker.$2.dll"; }

# The transparency log's signing key (Ed25519, signed-note signer form), made once by the verifier's keygen;
# only commitments is given it (below), and it is not the internal key above.
LOG_ORIGIN=${R2P_LOG_ORIGIN:-r2p-tracker.example/log}
if [ ! -s "$state/log-signing-key" ]; then
  say "generating the log's signing key ($state/log-signing-key)"
  dotnet exec "$root/tools/R2PTracker.Verify/bin/Release/net10.0/r2p-verify.dll" keygen "$LOG_ORIGIN" --out "$state/log-signing-key" \
    > "$state/log-verifier-key" || die "could not generate the log's signing key"
fi

start_service() {
  local name=$1 project=$2 port=$3 pidfile="$state/pids/$1.pid"
  shift 3   # the rest: settings for this service alone (NAME=value), over those of .local/NAME.env
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "$name already running (pid $(cat "$pidfile"))"
    return
  fi
  say "starting $name on 127.0.0.1:$port"
  (
    cd "$(dirname "$(dll "$name" "$project")")" || exit 1
    set -a; source "$state/$name.env"; set +a
    env "$@" Urls="http://127.0.0.1:$port" nohup dotnet exec "$(dll "$name" "$project")" >>"$state/logs/$name.log" 2>&1 </dev/null &
    echo $! > "$pidfile"
  )
}

start_service commitments Commitments $COMMITMENTS_PORT Log__SigningKeyFile="$state/log-signing-key" Log__Origin="$LOG_ORIGIN"
start_service notifications Notifications $NOTIFICATIONS_PORT
start_service gateway Gateway $GATEWAY_PORT

for svc in commitments:$COMMITMENTS_PORT notifications:$NOTIFICATIONS_PORT gateway:$GATEWAY_PORT; do
  say "waiting for ${svc%%:*} to be ready"
  wait_http "http://127.0.0.1:${svc##*:}/health/ready" 120 \
    || { tail -n 40 "$state/logs/${svc%%:*}.log" >&2; die "${svc%%:*} did not become ready"; }
done

say "seeding the pledges"
# The seed runs as commitments' role, without the internal key (it takes no requests).
(cd "$(dirname "$(dll commitments Commitments)")" && set -a && source "$state/commitments.env" && set +a \
  && env -u InternalAuth__SigningKey dotnet exec "$(dll commitments Commitments)" seed) >>"$state/logs/seed.log" 2>&1 \
  || { tail -n 20 "$state/logs/seed.log" >&2; die "seeding failed"; }
tail -n 1 "$state/logs/seed.log" >&2

if [ ! -s "$state/staff-token" ]; then
  say "creating the development staff account 'Local Admin' (admin)"
  (cd "$(dirname "$(dll gateway Gateway)")" && set -a && source "$state/gateway.env" && set +a && umask 077 \
    && dotnet exec "$(dll gateway Gateway)" staff add "Local Admin" --role admin > "$state/staff-token.tmp") \
    2>>"$state/logs/staff.log" || die "could not create the staff token"
  mv "$state/staff-token.tmp" "$state/staff-token"
fi

print_urls
