#!/usr/bin/env bash
# Notifications bench: builds (Release), starts a throwaway PostgreSQL and RabbitMQ on free ports,
# runs the bench (the three services as processes) and prints a table. Arguments go to the bench:
#   bash bench/notifications/run.sh [--subscribers 10000] [--rate 50] [--seconds 60]
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=../../deploy/local/lib.sh
source deploy/local/lib.sh
work=$(mktemp -d /tmp/r2p-bench.XXXXXX); chmod 755 "$work"
cleanup() { pg_stop "$work/pg"; [ -n "${rabbit_port:-}" ] && rabbit_stop "$work/rabbit" "$rabbit_port"; rm -rf "$work"; }
trap cleanup EXIT
ensure_servers_installed
pg_port=$(free_port_block 1) || die "no free port"
pg_start "$work/pg" "$pg_port" "$work/pg.log"
rabbit_port=$(free_port_block 3) || die "no free ports"
rabbit_start "$work/rabbit" "$rabbit_port"
export R2P_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$(pg_password "$work/pg");Maximum Pool Size=100"
export R2P_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$rabbit_port"
say "building (Release)"
dotnet build bench/notifications/R2PTracker.Bench.Notifications.csproj -c Release -nologo -v quiet -clp:ErrorsOnly || die "build failed"
say "running the bench"
dotnet bench/notifications/bin/Release/net10.0/R2PTracker.Bench.Notifications.dll "$@"
