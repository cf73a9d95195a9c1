#!/usr/bin/env bash
# What compose.yaml (and deploy/k8s/rabbitmq-service-users.sh) rely on from the official RabbitMQ image's
# entrypoint: `rabbitmq-server` runs the broker in the foreground as user rabbitmq, listening on every
# address (AMQP 5672, management 15672), with RABBITMQ_DEFAULT_USER/RABBITMQ_DEFAULT_PASS as the account
# made on a first start (no guest then); anything else runs as given.
set -Eeuo pipefail
[ "${1:-}" = rabbitmq-server ] || exec "$@"

mkdir -p /var/lib/rabbitmq /var/log/rabbitmq
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
conf=/etc/rabbitmq/conf.d/10-defaults.conf
mkdir -p "${conf%/*}"
{
  echo "listeners.tcp.default = 5672"
  echo "management.tcp.port = 15672"
  echo "log.console = true"
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then
    : "${RABBITMQ_DEFAULT_PASS:?RABBITMQ_DEFAULT_PASS is not set: give $RABBITMQ_DEFAULT_USER a password}"
    echo "default_user = $RABBITMQ_DEFAULT_USER"
    echo "default_pass = $RABBITMQ_DEFAULT_PASS"
  fi
} > "$conf"
chown rabbitmq:rabbitmq "$conf"
chmod 600 "$conf"
shift
exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
