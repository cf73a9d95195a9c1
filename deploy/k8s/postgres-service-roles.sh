#!/usr/bin/env bash
# The service roles in the postgres image (compose and Kubernetes): one role per service, each owning its
# schema and reaching no other (service-roles.sql, as deploy/local/lib.sh's pg_service_roles makes them).
# The image runs this once, on an empty data directory, from /docker-entrypoint-initdb.d. On a database
# made before, run it again by hand (it is idempotent), e.g.
#   docker compose -f deploy/docker/compose.yaml exec postgres bash /docker-entrypoint-initdb.d/10-service-roles.sh
# Passwords come from R2P_POSTGRES_{COMMITMENTS,NOTIFICATIONS,GATEWAY}_PASSWORD and go to psql on stdin.
set -euo pipefail
sql=${R2P_SERVICE_ROLES_SQL:-/r2p/service-roles.sql}
services=(commitments notifications gateway)
# Every password is checked before anything reaches psql.
for service in "${services[@]}"; do
  var="R2P_POSTGRES_${service^^}_PASSWORD"
  [ -n "${!var:-}" ] || { echo "$var is not set: give each service role a password of its own" >&2; exit 1; }
  case "${!var,,}" in
    change-me|changeme|change_me|password|secret|placeholder) echo "$var is a placeholder: set a secret of its own" >&2; exit 1 ;;
  esac
done
{
  printf '\\set db %s\n\\set prefix r2p\n' "${POSTGRES_DB:-r2p}"
  for service in "${services[@]}"; do
    var="R2P_POSTGRES_${service^^}_PASSWORD"
    printf '\\set pw_%s %s\n' "$service" "${!var}"
  done
  cat "$sql"
} | psql -qX -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-r2p}" -f -
echo "service roles r2p_commitments, r2p_notifications and r2p_gateway are set up in ${POSTGRES_DB:-r2p}"
