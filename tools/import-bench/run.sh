#!/usr/bin/env bash
# usage: (cd <repo> && bash tools/import-bench/run.sh [PLEDGES] [EVENTS])  (build Release first)
# A throwaway PostgreSQL; imports a generated file with the import command, then times pgbench's
# single-row inserts on the same server for comparison.
set -euo pipefail
root=$(pwd); source deploy/local/lib.sh
pledges=${1:-1000}; events=${2:-100}
work=$(mktemp -d /tmp/r2p-import-bench.XXXXXX); chmod 755 "$work"
port=$(free_port_block 1); pg_start "$work/pg" "$port" "$work/pg.log" fast
# A throwaway server: its superuser's password goes to every client of this run (psql, pgbench, Npgsql read PGPASSWORD).
export PGPASSWORD="$(pg_password "$work/pg")"
trap 'pg_stop "$work/pg"; rm -rf "$work"' EXIT
pg_create_db "$work/pg" "$port" bench
python3 tools/import-bench/generate.py "$pledges" "$events" > "$work/file.ndjson"
echo "file: $(wc -l < "$work/file.ndjson") lines, $(du -h "$work/file.ndjson" | cut -f1)"
dll=services/commitments/src/R2PTracker.Commitments/bin/Release/net10.0/R2PTracker.Commitments.dll
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$port;Username=postgres;Database=bench"
export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:1" InternalAuth__SigningKey="bench-signing-key-not-for-production-0123456789"
export Logging__LogLevel__Default=Warning
start=$(date +%s.%N)
dotnet "$dll" import "$work/file.ndjson" 2> >(grep -a "events/s\|checked" >&2) | tail -1
end=$(date +%s.%N)
echo "import: $(python3 -c "print(f'{$pledges*$events/($end-$start):.0f} events/s over {$end-$start:.1f} s (process start included)')")"
start=$(date +%s.%N)
dotnet "$dll" import "$work/file.ndjson" 2> >(grep -a "events/s\|checked" >&2) | tail -1
end=$(date +%s.%N)
echo "re-import: $(python3 -c "print(f'{$end-$start:.1f} s')")"
bin=$(pg_bin)
"$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d bench -qc "create table pgbench_insert (id bigserial primary key, payload text)"
echo "insert into pgbench_insert (payload) values ('x');" > "$work/insert.sql"
"$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -f "$work/insert.sql" -T 10 bench | grep -E "tps|number of transactions"
"$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -c 2 -f "$work/insert.sql" -T 10 bench | grep -E "tps"
