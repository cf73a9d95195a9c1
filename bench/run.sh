#!/usr/bin/env bash
# The commitments bench (not a test): starts a throwaway PostgreSQL and RabbitMQ, commitments and
# the gateway (Release), then measures in one run on that one PostgreSQL:
#  (a) milestone appends/s over HTTP, direct and via the gateway, vs pgbench single-row inserts;
#      plus a floor: a minimal endpoint inserting one row, in a process of its own (see Floor.cs);
#  (b) the read side: fills the store through the import command up to each size in BENCH_EVENTS
#      (pledges of 100 events), and at each size times BENCH_REQUESTS reads of each kind (pages
#      current, as of a date on each axis, filtered, searched; tallies; a 12-year series; the full
#      events export) with commitments' memory; then import events/s vs pgbench.
# Prints a table. Usage: bash bench/run.sh [--only appends|reads]
#   (BENCH_SECONDS=10 BENCH_WARMUP=60 BENCH_CLIENTS=8 BENCH_EVENTS=100000,1000000 BENCH_REQUESTS=200
#    BENCH_EXPORT_REQUESTS=$BENCH_REQUESTS)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=../deploy/local/lib.sh
source deploy/local/lib.sh

work=$(mktemp -d /tmp/r2p-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  pg_stop "$work/pg"
  [ -n "${rabbit_port:-}" ] && rabbit_stop "$work/rabbit" "$rabbit_port"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_servers_installed
pg_port=$(free_port_block 1) || die "no free port"
pg_start "$work/pg" "$pg_port" "$work/pg.log" fast
# A throwaway server: its superuser's password goes to every client of this run (psql, pgbench, Npgsql read PGPASSWORD).
export PGPASSWORD="$(pg_password "$work/pg")"
rabbit_port=$(free_port_block 3) || die "no free ports"
rabbit_start "$work/rabbit" "$rabbit_port"
pg_create_db "$work/pg" "$pg_port" bench

say "building (Release)"
for p in services/commitments/src/R2PTracker.Commitments services/gateway/src/R2PTracker.Gateway bench/R2PTracker.Bench tools/R2PTracker.Verify; do
  dotnet build "$p" -c Release -nologo -v quiet -clp:ErrorsOnly || die "build of $p failed"
done

signing_key=$(head -c 32 /dev/urandom | base64)
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=bench;Maximum Pool Size=100"
export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$rabbit_port"
export InternalAuth__SigningKey="$signing_key" ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
export Logging__LogLevel__Default=Warning
# The transparency log's key (bench/log/run.sh measures what the log costs).
dotnet tools/R2PTracker.Verify/bin/Release/net10.0/r2p-verify.dll keygen bench.r2p-tracker.example/log --out "$work/log-signing-key" >/dev/null \
  || die "keygen failed"
export Log__SigningKeyFile="$work/log-signing-key" Log__Origin=bench.r2p-tracker.example/log
commitments_port=$(free_port_block 1); gateway_port=$(free_port_block 1); floor_port=$(free_port_block 1)
bin=bin/Release/net10.0

admin_token=$(cd services/gateway/src/R2PTracker.Gateway/$bin && dotnet R2PTracker.Gateway.dll staff add "Bench Admin" --role admin | tail -n 1)
# Each service runs from its output directory: that is its content root, where appsettings.json is.
(cd services/commitments/src/R2PTracker.Commitments/$bin && Urls="http://127.0.0.1:$commitments_port" \
  exec dotnet R2PTracker.Commitments.dll) >"$work/commitments.log" 2>&1 & pids+=($!)
commitments_pid=$!
(cd services/gateway/src/R2PTracker.Gateway/$bin && Urls="http://127.0.0.1:$gateway_port" \
  ReverseProxy__Clusters__commitments__Destinations__primary__Address="http://127.0.0.1:$commitments_port/" \
  exec dotnet R2PTracker.Gateway.dll) >"$work/gateway.log" 2>&1 & pids+=($!)
(cd bench/R2PTracker.Bench/$bin && exec dotnet R2PTracker.Bench.dll --serve-floor "http://127.0.0.1:$floor_port" \
  --postgres "$ConnectionStrings__Postgres") >"$work/floor.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$commitments_port/health/ready" 90 || { cat "$work/commitments.log"; die "commitments did not start"; }
wait_http "http://127.0.0.1:$gateway_port/health/ready" 90 || { cat "$work/gateway.log"; die "gateway did not start"; }
wait_http "http://127.0.0.1:$floor_port/health" 90 || { cat "$work/floor.log"; die "the floor endpoint did not start"; }

say "measuring (nproc=$(nproc))"
dotnet bench/R2PTracker.Bench/$bin/R2PTracker.Bench.dll \
  --commitments "http://127.0.0.1:$commitments_port" --gateway "http://127.0.0.1:$gateway_port" \
  --floor "http://127.0.0.1:$floor_port" --admin-token "$admin_token" --signing-key "$signing_key" --postgres "$ConnectionStrings__Postgres" \
  --pgbench "$(pg_bin)/pgbench" --pg-port "$pg_port" --database bench \
  --seconds "${BENCH_SECONDS:-10}" --warmup "${BENCH_WARMUP:-60}" --clients "${BENCH_CLIENTS:-8}" --events "${BENCH_EVENTS:-100000,1000000}" \
  --requests "${BENCH_REQUESTS:-200}" --export-requests "${BENCH_EXPORT_REQUESTS:-${BENCH_REQUESTS:-200}}" \
  --commitments-pid "$commitments_pid" --commitments-dll services/commitments/src/R2PTracker.Commitments/$bin/R2PTracker.Commitments.dll "$@"
