#!/usr/bin/env bash
# The transparency log's bench (not a test): a throwaway PostgreSQL and RabbitMQ, then in one run
# milestone appends/s with the log off and on (commitments processes of the bench's own, alternating),
# the checkpoint lag after an append, the log's catch-up after an import to BENCH_EVENTS, and inclusion
# and consistency proofs at that size. Prints a table.
#   (BENCH_SECONDS=30 BENCH_WARMUP=30 BENCH_CLIENTS=8 BENCH_EVENTS=1000000 BENCH_REQUESTS=1000 BENCH_LAG_REQUESTS=200)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=../../deploy/local/lib.sh
source deploy/local/lib.sh

work=$(mktemp -d /tmp/r2p-log-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
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
pg_create_db "$work/pg" "$pg_port" logbench

say "building (Release)"
for p in services/commitments/src/R2PTracker.Commitments bench/R2PTracker.Bench tools/R2PTracker.Verify; do
  dotnet build "$p" -c Release -nologo -v quiet -clp:ErrorsOnly || die "build of $p failed"
done
bin=bin/Release/net10.0
dotnet tools/R2PTracker.Verify/$bin/r2p-verify.dll keygen bench.r2p-tracker.example/log --out "$work/log-signing-key" >/dev/null \
  || die "keygen failed"

signing_key=$(head -c 32 /dev/urandom | base64)
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=logbench;Maximum Pool Size=100"
export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$rabbit_port"
export InternalAuth__SigningKey="$signing_key" ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
export Log__SigningKeyFile="$work/log-signing-key" Log__Origin=bench.r2p-tracker.example/log
export Logging__LogLevel__Default=Warning

say "measuring (nproc=$(nproc))"
dotnet bench/R2PTracker.Bench/$bin/R2PTracker.Bench.dll --only log --signing-key "$signing_key" \
  --postgres "$ConnectionStrings__Postgres" --commitments-dll services/commitments/src/R2PTracker.Commitments/$bin/R2PTracker.Commitments.dll \
  --seconds "${BENCH_SECONDS:-30}" --warmup "${BENCH_WARMUP:-30}" --clients "${BENCH_CLIENTS:-8}" --events "${BENCH_EVENTS:-1000000}" \
  --requests "${BENCH_REQUESTS:-1000}" --lag-requests "${BENCH_LAG_REQUESTS:-200}" "$@"
