#!/usr/bin/env bash
# The container tier (issue 16): builds the images and runs deploy/docker/compose.yaml in containers with
# Debian's podman and podman-compose, on a machine that reaches no image registry.
#   1. a Debian base image made with mmdebstrap from Debian's packages (cached under
#      $R2P_CONTAINER_CACHE, default ~/.cache/r2p-tracker/containers, keyed by its recipe);
#   2. PostgreSQL, RabbitMQ and maildev images on it from Debian's packages (deploy/docker/{postgres,rabbitmq,maildev});
#   3. the three services published self-contained on this host (the runtime from NuGet's runtime packs),
#      packed by deploy/docker/Dockerfile's `prebuilt` target on the same base;
#   4. compose.yaml, unchanged but for tests/containers/compose.podman.yaml (these images, and the test's
#      webhook settings), up with podman-compose on free ports; then checks: healthy services, the seed,
#      a staff user made with the gateway image's `staff add`, a status change through the gateway with
#      If-Match reaching a webhook receiver on this host; then everything is removed, also on failure.
# Prints "check: ok NAME" / "check: FAILED NAME" per check and a last line "containers: N passed, N failed";
# exits non-zero if a check failed. tests/run.sh runs it and adds its counts to its own.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=../../deploy/local/lib.sh
source deploy/local/lib.sh

cache=${R2P_CONTAINER_CACHE:-$HOME/.cache/r2p-tracker/containers}
work=$(mktemp -d /tmp/r2p-containers.XXXXXX)
chmod 755 "$work"
# A project name of this run's own: containers, network and volumes of parallel runs never meet.
project=r2pct$$
tag=run$$
passed=0; failed=0; started=$SECONDS

ok() { passed=$((passed + 1)); echo "check: ok $*"; }
bad() { failed=$((failed + 1)); echo "check: FAILED $*"; }
# check NAME COMMAND…: one check, its result counted.
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
elapsed() { echo "$((SECONDS - started))s"; }

compose() {
  podman-compose -p "$project" -f deploy/docker/compose.yaml -f tests/containers/compose.podman.yaml "$@"
}

cleanup() {
  local rc=$?
  say "removing the containers, volumes and network of $project"
  if [ -n "${receiver_pid:-}" ]; then kill "$receiver_pid" 2>/dev/null; wait "$receiver_pid" 2>/dev/null; fi
  if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ]; then
    for c in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}' 2>/dev/null); do
      echo "--- last log lines of $c"; podman logs --tail 15 "$c" 2>&1 | sed 's/^/    /'
    done
  fi
  compose down -v -t 5 >/dev/null 2>&1
  # …and whatever compose left (a one-off container, a volume, the network).
  podman ps -aq --filter "label=io.podman.compose.project=$project" 2>/dev/null | xargs -r podman rm -f >/dev/null 2>&1
  podman volume ls -q --filter "label=io.podman.compose.project=$project" 2>/dev/null | xargs -r podman volume rm -f >/dev/null 2>&1
  podman network rm -f "${project}_default" >/dev/null 2>&1
  for service in commitments notifications gateway; do podman rmi -f "localhost/r2p-tracker/$service:$tag" >/dev/null 2>&1; done
  rm -rf "$work"
  [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  echo "containers: $passed passed, $failed failed ($(elapsed))"
  [ "$failed" -eq 0 ] && exit 0
  exit 1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# sha KEY-TEXT…: a short key for a cache entry or image tag, from what goes into it.
sha() { cat "$@" | sha256sum | cut -c1-16; }

ensure_podman_installed
podman_conf "$work/containers.conf"
command -v python3 >/dev/null || die "python3 is needed for the webhook receiver"
mkdir -p "$cache"

# --- 1. The base image: Debian bookworm with what .NET needs (ICU, OpenSSL, CA certificates), and the
# unprivileged user 1654 ("app") that Microsoft's images run as.
base_recipe() {
  cat <<'RECIPE'
mmdebstrap --format=tar --variant=apt --include=ca-certificates,libicu72,libssl3 bookworm
--customize-hook=echo app:x:1654:1654::/home/app:/usr/sbin/nologin >> "$1/etc/passwd"; echo app:x:1654: >> "$1/etc/group"; mkdir -p "$1/home/app"; chown 1654:1654 "$1/home/app"
RECIPE
}
base_key=$(base_recipe | sha)
base_image=localhost/r2p-tracker/debian-base:$base_key
if ! podman image exists "$base_image"; then
  base_tar=$cache/debian-base-$base_key.tar
  if [ ! -s "$base_tar" ]; then
    say "making the Debian base image with mmdebstrap ($(elapsed))"
    mmdebstrap --quiet --format=tar --variant=apt --include=ca-certificates,libicu72,libssl3 \
      --customize-hook='echo app:x:1654:1654::/home/app:/usr/sbin/nologin >> "$1/etc/passwd"; echo app:x:1654: >> "$1/etc/group"; mkdir -p "$1/home/app"; chown 1654:1654 "$1/home/app"' \
      bookworm "$base_tar.tmp" >"$work/mmdebstrap.log" 2>&1 || { tail -n 20 "$work/mmdebstrap.log" >&2; rm -f "$base_tar.tmp"; die "mmdebstrap failed"; }
    mv "$base_tar.tmp" "$base_tar"
  fi
  say "importing the base image $base_image ($(elapsed))"
  podman import --quiet "$base_tar" "$base_image" >/dev/null || die "podman import failed"
fi
check "the Debian base image made by mmdebstrap runs a container" \
  bash -c "[ \"\$(podman run --rm '$base_image' cat /etc/debian_version | cut -d. -f1)\" = 12 ]"

# --- 2. PostgreSQL, RabbitMQ and maildev on that base, from Debian's packages (their tags name their inputs).
maildev_modules=$cache/maildev-2.1.0
if [ ! -d "$maildev_modules/node_modules/maildev" ]; then
  say "installing maildev 2.1.0 from npm for its image"
  rm -rf "$maildev_modules"; mkdir -p "$maildev_modules"
  (cd "$maildev_modules" && npm install --no-audit --no-fund --silent --omit=dev maildev@2.1.0 >/dev/null 2>&1) \
    || die "npm install maildev@2.1.0 failed"
fi
declare -A support_image
for image in postgres rabbitmq maildev; do
  key=$(echo "$base_key" | sha - deploy/docker/$image/*)
  support_image[$image]=localhost/r2p-tracker/$image:$key
  podman image exists "${support_image[$image]}" && continue
  context=deploy/docker/$image
  if [ "$image" = maildev ]; then
    context=$work/maildev; mkdir -p "$context"
    cp deploy/docker/maildev/Dockerfile "$context/"; cp -r "$maildev_modules/node_modules" "$context/"
  fi
  say "building the $image image on the base ($(elapsed))"
  podman build --quiet --network host --build-arg BASE_IMAGE="$base_image" -t "${support_image[$image]}" \
    -f "$context/Dockerfile" "$context" >"$work/build-$image.log" 2>&1 \
    || { tail -n 30 "$work/build-$image.log" >&2; die "building the $image image failed"; }
done

# --- 3. The services: a self-contained publish each, packed by the Dockerfile's prebuilt target.
for pair in commitments:Commitments notifications:Notifications gateway:Gateway; do
  service=${pair%%:*}; assembly=${pair#*:}
  say "publishing $service self-contained for linux-x64 ($(elapsed))"
  if ! dotnet publish "services/$service/src/R2PTracker.$assembly/R2PTracker.$assembly.csproj" -c Release -r linux-x64 \
       --self-contained -o "$work/publish/$service" -nologo -v quiet -clp:ErrorsOnly >"$work/publish-$service.log" 2>&1; then
    cat "$work/publish-$service.log" >&2; die "dotnet publish $service failed"
  fi
  podman build --quiet -f deploy/docker/Dockerfile --target prebuilt --build-arg ASSEMBLY="$assembly" \
    --build-arg BASE_IMAGE="$base_image" -t "localhost/r2p-tracker/$service:$tag" "$work/publish/$service" >"$work/build-$service.log" 2>&1 \
    || { tail -n 30 "$work/build-$service.log" >&2; die "building the $service image failed"; }
done
ok "the three service images are built from deploy/docker/Dockerfile (target prebuilt) on the base"

# --- 4. The deployment. Secrets of this run's own (as .env would hold them), ports that are free.
secret() { head -c 18 /dev/urandom | base64 | tr '+/' 'xy'; }
for name in R2P_POSTGRES_PASSWORD R2P_RABBITMQ_PASSWORD R2P_POSTGRES_COMMITMENTS_PASSWORD R2P_POSTGRES_NOTIFICATIONS_PASSWORD \
            R2P_POSTGRES_GATEWAY_PASSWORD R2P_RABBITMQ_COMMITMENTS_PASSWORD R2P_RABBITMQ_NOTIFICATIONS_PASSWORD R2P_RABBITMQ_GATEWAY_PASSWORD; do
  export "$name=$(secret)"
done
export R2P_INTERNAL_SIGNING_KEY="$(secret)$(secret)"
verify=tools/R2PTracker.Verify/bin/Release/net10.0/r2p-verify.dll
[ -f "$verify" ] || dotnet build tools/R2PTracker.Verify -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null || die "building r2p-verify failed"
dotnet "$verify" keygen r2p-tracker.example/log --out "$work/log-signing-key" >/dev/null || die "r2p-verify keygen failed"
chmod 644 "$work/log-signing-key"   # read by the service's user inside its container
export R2P_LOG_SIGNING_KEY_FILE=$work/log-signing-key
ports=$(free_port_block 3) || die "no free ports"
export R2P_GATEWAY_PORT=$ports R2P_MAILDEV_PORT=$((ports + 1))
receiver_port=$((ports + 2))
export R2P_PUBLIC_URL=http://127.0.0.1:$R2P_GATEWAY_PORT
export R2P_POSTGRES_IMAGE=${support_image[postgres]} R2P_RABBITMQ_IMAGE=${support_image[rabbitmq]} R2P_MAILDEV_IMAGE=${support_image[maildev]}
export R2P_COMMITMENTS_IMAGE=localhost/r2p-tracker/commitments:$tag R2P_NOTIFICATIONS_IMAGE=localhost/r2p-tracker/notifications:$tag
export R2P_GATEWAY_IMAGE=localhost/r2p-tracker/gateway:$tag

# wait_until SECONDS COMMAND…: retries COMMAND every second until it succeeds or SECONDS have passed.
wait_until() { local end=$((SECONDS + $1)); shift; while :; do "$@" >/dev/null 2>&1 && return 0; [ $SECONDS -lt $end ] || return 1; sleep 1; done; }

# podman-compose 1.0.3 starts a service's dependencies without waiting for `condition: service_healthy`,
# so the servers come up first and their compose healthchecks are run here until they pass (podman runs
# healthchecks from systemd timers, which this machine lacks); then the rest, as docker compose would.
say "podman-compose up: the servers ($project) ($(elapsed))"
compose up -d --no-build postgres rabbitmq maildev >"$work/up.log" 2>&1 || { tail -n 30 "$work/up.log" >&2; die "podman-compose up failed"; }
check "postgres is healthy (its compose healthcheck)" wait_until 120 podman healthcheck run "${project}_postgres_1"
check "rabbitmq is healthy (its compose healthcheck: up, and the service users made)" wait_until 180 podman healthcheck run "${project}_rabbitmq_1"
say "podman-compose up: the services and the seed (gateway on 127.0.0.1:$R2P_GATEWAY_PORT) ($(elapsed))"
compose up -d --no-build >>"$work/up.log" 2>&1 || { tail -n 30 "$work/up.log" >&2; die "podman-compose up failed"; }
gateway=http://127.0.0.1:$R2P_GATEWAY_PORT
# in_network URL: an HTTP GET from a container on the deployment's network; succeeds on a 200.
in_network() {
  podman run --rm --network "${project}_default" "$base_image" bash -c '
    url=${1#http://}; hostport=${url%%/*}; path=/${url#*/}
    exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$path" "$hostport" >&3
    read -r _ status _ <&3; [ "$status" = 200 ]' -- "$1"
}
for c in commitments_1 commitments_2 notifications_1 notifications_2; do
  check "$c is ready on the compose network (/health/ready)" wait_until 180 in_network "http://${project}_$c:8080/health/ready"
done
check "the gateway is ready on its published port" wait_until 120 curl -fsS -o /dev/null "$gateway/health/ready"
# The broker users of rabbitmq-service-users.sh, and no guest.
users=$(podman exec "${project}_rabbitmq_1" rabbitmqctl -q list_users --no-table-headers 2>/dev/null | cut -f1 | sort | tr '\n' ' ')
check "the broker has the admin and one user per service, no guest ($users)" [ "$users" = "r2p-admin r2p-commitments r2p-gateway r2p-notifications " ]

# The seed: a one-shot container that exits 0 once the pledges are in.
seed_exit=$(timeout 180 podman wait "${project}_seed_1" 2>/dev/null)
check "the seed container exits 0 (exit $seed_exit)" [ "$seed_exit" = 0 ]
pledge=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pledges"][0]["id"])' services/commitments/src/R2PTracker.Commitments/Seeding/r2p-cambodia.json)
check "the seeded pledge $pledge is served through the gateway" wait_until 60 curl -fsS -o /dev/null "$gateway/api/pledges/$pledge"

# A staff user from the gateway image's own command (as README's compose instructions have it).
token=$(compose run --rm -T --no-deps gateway staff add "Container Tester" --role editor 2>"$work/staff.log" | tr -d '\r' | grep -E '^[A-Za-z0-9_.~+/=-]{20,}$' | tail -n 1)
check "staff add in the gateway image prints a token" [ -n "$token" ]

# A webhook receiver on this host, on the network's gateway address (the containers' way to the host).
host_ip=$(podman network inspect "${project}_default" --format '{{range .Subnets}}{{.Gateway}}{{end}}' 2>/dev/null)
python3 tests/containers/receiver.py "$host_ip" "$receiver_port" "$work/received" 2>"$work/receiver.log" &
receiver_pid=$!
wait_until 10 bash -c "exec 3<>/dev/tcp/$host_ip/$receiver_port" || die "the webhook receiver did not start"
subscribed=$(curl -sS -o "$work/subscription.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"kind\":\"webhook\",\"url\":\"http://$host_ip:$receiver_port/r2p\",\"filter\":{\"pledgeIds\":[\"$pledge\"]}}" "$gateway/api/subscriptions")
check "a webhook subscription to the host's receiver is made through the gateway (HTTP $subscribed)" [ "$subscribed" = 201 ]

# The staff change: If-Match from the pledge's ETag, the bearer token from staff add.
etag=$(curl -sS -D - -o "$work/pledge.json" "$gateway/api/pledges/$pledge" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
current=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("status",""))' "$work/pledge.json" 2>/dev/null)
status=Stalled; [ "$current" = Stalled ] && status=InTheWorks
change() {
  curl -sS -o "$work/change.json" -w '%{http_code}' -H 'Content-Type: application/json' -H "If-Match: $etag" "$@" \
    -d "{\"status\":\"$status\",\"reason\":\"Seen in the CICP report\",\"occurredOn\":\"2023-09-16\",\"evidence\":[{\"title\":\"CICP\",\"url\":\"https://cicp.org.kh/\"}]}" \
    "$gateway/api/pledges/$pledge/status"
}
anonymous=$(change)
check "the status change without the staff token is refused (HTTP $anonymous)" [ "$anonymous" = 401 ]
changed=$(change -H "Authorization: Bearer $token")
check "the staff status change with If-Match $etag succeeds through the gateway (HTTP $changed)" [ "${changed:0:1}" = 2 ]
delivered() { grep -l "$pledge" "$work/received/"*.json 2>/dev/null | xargs -r grep -l "$status" | grep -q .; }
check "the change reaches the webhook receiver on the host, signed" \
  bash -c "$(declare -f wait_until delivered); pledge='$pledge' status='$status' work='$work'; wait_until 90 delivered && grep -qi '\"webhook-signature\"' \$(grep -l \"\$pledge\" \"\$work/received/\"*.json | head -n 1)"

say "container checks done ($(elapsed))"
