#!/usr/bin/env bash
# Gateway bench (not a test): in one run on the same machine, (a) cached public reads through
# the gateway vs the same read straight from commitments (wrk), and (b) how long after a
# status change made behind the gateway it serves the new status (p50/p99).
# Usage: bench/gateway/run.sh [seconds per wrk run, default 10]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
source deploy/local/lib.sh
duration=${1:-10}

command -v wrk >/dev/null || { as_root apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk >/dev/null; }
ensure_servers_installed

work=$(mktemp -d /tmp/r2p-bench.XXXXXX); chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  pg_stop "$work/pg"; rabbit_stop "$work/rabbit" "$rabbit_port"; rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(free_port_block 1); rabbit_port=$(free_port_block 3)
pg_start "$work/pg" "$pg_port" "$work/pg.log"; pg_create_db "$work/pg" "$pg_port" r2p
# A throwaway server: its superuser's password goes to every client of this run (psql, pgbench, Npgsql read PGPASSWORD).
export PGPASSWORD="$(pg_password "$work/pg")"
rabbit_start "$work/rabbit" "$rabbit_port"
say "building (Release)"
dotnet build R2PTracker.sln -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null

key=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
gw=$(free_port_block 1); cm=$((gw + 1)); nf=$((gw + 2))
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=r2p"
export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$rabbit_port/"
export InternalAuth__SigningKey="$key" Logging__LogLevel__Default=Warning
dotnet "$root/tools/R2PTracker.Verify/bin/Release/net10.0/r2p-verify.dll" keygen bench.r2p-tracker.example/log --out "$work/log-signing-key" >/dev/null
export Log__SigningKeyFile="$work/log-signing-key" Log__Origin=bench.r2p-tracker.example/log
export RateLimits__PublicReadsPerMinute=100000000
export ReverseProxy__Clusters__commitments__Destinations__primary__Address="http://127.0.0.1:$cm/"
export ReverseProxy__Clusters__notifications__Destinations__primary__Address="http://127.0.0.1:$nf/"
dll() { echo "$root/services/$1/src/R2PTracker.$2/bin/Release/net10.0/R2PTracker.$2.dll"; }
start() { (cd "$(dirname "$(dll "$1" "$2")")" && Urls="http://127.0.0.1:$3" exec dotnet exec "$(dll "$1" "$2")" >"$work/$1.log" 2>&1 </dev/null) & pids+=($!); }
start commitments Commitments "$cm"; start notifications Notifications "$nf"; start gateway Gateway "$gw"
for p in $cm $nf $gw; do wait_http "http://127.0.0.1:$p/health/ready" 120 || die "service on $p not ready"; done
(cd "$(dirname "$(dll commitments Commitments)")" && dotnet exec "$(dll commitments Commitments)" seed >/dev/null)

rps() { wrk -t2 -c32 -d"${duration}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
url=/api/pledges/kh-r2p-1
say "warming up"; wrk -t1 -c4 -d2s "http://127.0.0.1:$gw$url" >/dev/null; wrk -t1 -c4 -d2s "http://127.0.0.1:$cm$url" >/dev/null
say "wrk ${duration}s: straight from commitments"; direct=$(rps "http://127.0.0.1:$cm$url")
say "wrk ${duration}s: cached, through the gateway"; cached=$(rps "http://127.0.0.1:$gw$url")
say "staleness after a status change behind the gateway (50 rounds)"
stale=$(python3 bench/gateway/staleness.py "http://127.0.0.1:$gw" "http://127.0.0.1:$cm" "$key" kh-r2p-2 50)
p50=$(echo "$stale" | python3 -c 'import json,sys; print(json.load(sys.stdin)["p50_ms"])')
p99=$(echo "$stale" | python3 -c 'import json,sys; print(json.load(sys.stdin)["p99_ms"])')

printf '\n%-52s %12s %10s\n' "measure (same run, same machine)" "value" "goal"
printf '%-52s %12s %10s\n' "GET $url direct from commitments (req/s)" "$direct" ""
printf '%-52s %12s %10s\n' "GET $url cached through the gateway (req/s)" "$cached" ""
printf '%-52s %12s %10s\n' "gateway / direct" "$(python3 -c "print(f'{$cached/$direct:.2f}x')")" ">= 1.5x"
printf '%-52s %12s %10s\n' "staleness after a status change, p50 (ms)" "$p50" ""
printf '%-52s %12s %10s\n' "staleness after a status change, p99 (ms)" "$p99" "<= 250"
