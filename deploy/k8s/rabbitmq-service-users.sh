#!/usr/bin/env bash
# The RabbitMQ image's command in compose and Kubernetes: starts the broker as the image does, then gives
# each service a user of its own (r2p-commitments, r2p-notifications, r2p-gateway) with rights on the
# virtual host "/" alone, as deploy/local/lib.sh's rabbit_service_users does for up.sh, and makes sure no
# guest account is left. Passwords come from R2P_RABBITMQ_{COMMITMENTS,NOTIFICATIONS,GATEWAY}_PASSWORD
# and reach rabbitmqctl on stdin, never on a command line. Run at every start, so a changed password
# takes effect on the next restart. (R2P_RABBITMQ_SERVER: how the broker is started; the image's own
# entrypoint unless a test says otherwise.)
set -euo pipefail
services=(commitments notifications gateway)
for service in "${services[@]}"; do
  var="R2P_RABBITMQ_${service^^}_PASSWORD"
  [ -n "${!var:-}" ] || { echo "$var is not set: give each service a broker password of its own" >&2; exit 1; }
  case "${!var,,}" in
    change-me|changeme|change_me|password|secret|placeholder|guest) echo "$var is a placeholder: set a secret of its own" >&2; exit 1 ;;
  esac
done

# In a cluster (Kubernetes) the nodes share one Erlang cookie, R2P_RABBITMQ_ERLANG_COOKIE: written where the
# broker and rabbitmqctl read it (the image's HOME), before the broker starts. Unset (compose): one node.
if [ -n "${R2P_RABBITMQ_ERLANG_COOKIE:-}" ]; then
  case "${R2P_RABBITMQ_ERLANG_COOKIE,,}" in
    change-me|changeme|change_me|password|secret|placeholder) echo "R2P_RABBITMQ_ERLANG_COOKIE is a placeholder: set a secret of its own" >&2; exit 1 ;;
  esac
  cookie="${HOME:-/var/lib/rabbitmq}/.erlang.cookie"
  (umask 077; printf '%s' "$R2P_RABBITMQ_ERLANG_COOKIE" > "$cookie")
  chown rabbitmq:rabbitmq "$cookie" 2>/dev/null || true
fi

${R2P_RABBITMQ_SERVER:-docker-entrypoint.sh rabbitmq-server} &
server=$!
trap 'rabbitmqctl stop >/dev/null 2>&1 || kill -TERM "$server"; wait "$server"' TERM INT

rabbitmqctl -q await_startup --timeout 300 >/dev/null
users=$(rabbitmqctl -q list_users --no-table-headers | cut -f1)
for service in "${services[@]}"; do
  var="R2P_RABBITMQ_${service^^}_PASSWORD"
  user="r2p-$service"
  # (Users are the cluster's: another node starting at the same time may have just added it.)
  if grep -qx -- "$user" <<<"$users" || ! printf '%s' "${!var}" | rabbitmqctl -q add_user "$user" >/dev/null 2>&1; then
    printf '%s' "${!var}" | rabbitmqctl -q change_password "$user" >/dev/null
  fi
  rabbitmqctl -q set_permissions -p / "$user" '.*' '.*' '.*' >/dev/null
done
if grep -qx guest <<<"$users"; then rabbitmqctl -q delete_user guest >/dev/null 2>&1 || ! rabbitmqctl -q list_users --no-table-headers | cut -f1 | grep -qx guest; fi
echo "broker users r2p-commitments, r2p-notifications and r2p-gateway are set up; no guest"
wait "$server"
