#!/usr/bin/env bash
# Command 2: builds, starts a throwaway PostgreSQL and RabbitMQ (ports apart from up.sh's),
# runs every test project against them, prints "N passed, N failed" and stops what it started.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=../deploy/local/lib.sh
source deploy/local/lib.sh

configuration=${CONFIGURATION:-Release}
work=$(mktemp -d /tmp/r2p-tests.XXXXXX)
chmod 755 "$work"
passed=0; failed=0; summary_printed=0

summary() {
  [ $summary_printed = 1 ] && return
  summary_printed=1
  echo "$passed passed, $failed failed"
}

cleanup() {
  local rc=$?
  say "stopping the test servers"
  pg_stop "$work/pg"
  maildev_stop "$work/maildev"   # notifications: e-mail tests
  [ -n "${rabbit_port:-}" ] && rabbit_stop "$work/rabbit" "$rabbit_port"
  rm -rf "$work"
  summary
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_servers_installed
ensure_chromium_installed
ensure_deploy_tools_installed
# Patroni and etcd for the PostgreSQL failover fault test (Fault 8).
ensure_patroni_installed

pg_port=$(free_port_block 1) || die "no free port for PostgreSQL"
say "starting PostgreSQL on 127.0.0.1:$pg_port"
pg_start "$work/pg" "$pg_port" "$work/pg.log" fast

rabbit_port=$(free_port_block 3) || die "no free ports for RabbitMQ"
say "starting RabbitMQ on 127.0.0.1:$rabbit_port"
rabbit_start "$work/rabbit" "$rabbit_port"
# The integration tests of each assembly use guest (loopback only) on a virtual host of their own; the
# end-to-end deployment runs each service as its own user, as up.sh does (this broker is thrown away, so
# guest stays; up.sh deletes it from its own).
for vhost in commitments-tests notifications-tests gateway-tests e2e e2e-log apphost-tests; do
  rabbit_ctl "$work/rabbit" "$rabbit_port" add_vhost "$vhost" >/dev/null
  rabbit_ctl "$work/rabbit" "$rabbit_port" set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null
done
rabbit_service_users "$work/rabbit" "$rabbit_port" e2e e2e "$work/secrets"

# The superuser's password, for the tests that make databases and roles (the services under test run as
# roles of their own: R2PTracker.Testing's TestEnvironment.ServiceRolesAsync).
export R2P_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$(pg_password "$work/pg");Maximum Pool Size=50"
export R2P_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$rabbit_port"
for service in commitments notifications gateway; do
  export "R2P_TEST_RABBITMQ_${service^^}=$(rabbit_service_uri "$rabbit_port" / e2e "$work/secrets" "$service")"
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- notifications (issue 5) ------------------------------------------------------------------
# maildev as the SMTP server of the e-mail tests, on free ports; tests read mail via its REST API.
ensure_maildev_installed
# The dashboard's audit (accessibility, best practices, SEO) runs Lighthouse with Debian's chromium.
ensure_lighthouse_installed
export R2P_TEST_LIGHTHOUSE="$(lighthouse_bin)"
# The gateway's OpenAPI document is checked by a validator independent of .NET's.
ensure_swagger_parser_installed
export R2P_TEST_SWAGGER_PARSER="$(swagger_parser_dir)"
maildev_ports=$(free_port_block 2) || die "no free ports for maildev"
say "starting maildev (SMTP $maildev_ports, REST $((maildev_ports + 1)))"
maildev_start "$work/maildev" "$maildev_ports" "$((maildev_ports + 1))"
export R2P_TEST_SMTP_PORT=$maildev_ports R2P_TEST_MAILDEV_URL="http://127.0.0.1:$((maildev_ports + 1))"
# (The fault tests stop and start RabbitMQ, so they start a broker of their own through
# deploy/local/lib.sh rather than disturb this shared one.)
# --- end notifications ------------------------------------------------------------------------

say "building ($configuration)"
if ! dotnet build R2PTracker.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly; then
  failed=1
  die "build failed"
fi

say "running the tests"
log="$work/test.log"
dotnet test --solution R2PTracker.sln -c "$configuration" --no-build 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints a run summary with "succeeded: N" and "failed: N".
passed=$(grep -Eo '^\s*succeeded: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '^\s*failed: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0)
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

# --- containers (issue 16) --------------------------------------------------------------------
# The images built and compose.yaml run in podman (tests/containers/run.sh), after the .NET tests rather
# than beside them, so neither starves the other on two cores. Its checks add to the counts.
say "running the container tier (tests/containers/run.sh)"
bash tests/containers/run.sh 2>&1 | tee "$work/containers.log"
containers_rc=${PIPESTATUS[0]}
containers=$(grep -Eo '^containers: [0-9]+ passed, [0-9]+ failed' "$work/containers.log" | tail -n 1)
containers_passed=$(echo "$containers" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)
containers_failed=$(echo "$containers" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' || echo 0)
if [ "$containers_rc" -ne 0 ] && [ "${containers_failed:-0}" -eq 0 ]; then containers_failed=1; fi
passed=$((passed + ${containers_passed:-0})); failed=$((failed + ${containers_failed:-0}))
[ "$containers_rc" -ne 0 ] && rc=1
# --- end containers ---------------------------------------------------------------------------
exit "$rc"
