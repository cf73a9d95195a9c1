#!/usr/bin/env bash
# Shared helpers for deploy/local/up.sh, down.sh and tests/run.sh: install and run PostgreSQL
# and RabbitMQ from Debian packages on data directories and ports of the project's own.
# No systemd and no container engine are assumed.

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mxx\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/postgres" ] && echo "$dir"
}

# apt_install WHY PACKAGE...: installs Debian packages, saying why (e.g. "(browser tests)"). Debian's
# maintainer scripts would start the servers they install; policy-rc.d stops them from doing so.
apt_install() {
  local why=$1; shift
  say "installing $* from Debian packages${why:+ $why}"
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
  fi
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# Installs postgresql and rabbitmq-server from apt when they are missing.
ensure_servers_installed() {
  local missing=()
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "" "${missing[@]}"
}

# Debian's Chromium for the dashboard's browser tests (Playwright cannot download its own here), and a
# Khmer font (Khmer OS, the first of the dashboard's Khmer font stack) for its pages in Khmer.
ensure_chromium_installed() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  [ -d /usr/share/fonts/truetype/khmeros ] || missing+=(fonts-khmeros)
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "(browser tests)" "${missing[@]}"
}

# The deploy tests validate deploy/docker/compose.yaml with Debian's docker-compose (no engine needed
# for `config`) and render deploy/k8s with kubectl's kustomize (offline).
ensure_deploy_tools_installed() {
  local missing=()
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "(deploy tests)" "${missing[@]}"
}

# PostgreSQL refuses to run as root, so as root it runs as the 'postgres' user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# secret_file FILE: makes FILE (once) holding 64 random hex digits, readable by its owner only from the
# start (umask 077, not chmod'ed afterwards). Hex, as passwords go into URIs and connection strings.
secret_file() {
  local file=$1
  [ -s "$file" ] && return 0
  (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file.tmp" && mv "$file.tmp" "$file") \
    || die "could not write $file"
}

# The pg_hba.conf of every cluster started here: a password (SCRAM) for every connection, on the
# socket and on loopback; nothing is trusted, and nothing listens beyond 127.0.0.1.
pg_hba_rules() {
  printf '%s\n' '# Written by deploy/local/lib.sh (pg_start): a password for every user, every connection.' \
    'local all all scram-sha-256' \
    'host all all 127.0.0.1/32 scram-sha-256' \
    'host all all ::1/128 scram-sha-256'
}

# pg_start DATA_DIR PORT LOGFILE [fast]: initialises and starts a cluster that asks every connection for
# a password. The superuser's (postgres) is made once and kept beside the data directory in
# DATA_DIR.password (mode 600, owned by whoever runs this); pg_password prints it. A cluster made by an
# earlier version with trust auth gets that password and the new pg_hba.conf on its next start.
# Durable by default (fsync, synchronous commit, full-page writes: PostgreSQL's defaults), as the record
# up.sh keeps must survive a power loss. "fast" turns them off, for servers that are thrown away
# (tests, benches): a crash may then lose or corrupt what they hold.
pg_start() {
  local data=$1 port=$2 log=$3 speed=${4:-durable} bin settings="" pwfile migrate=0
  [ "$speed" = fast ] && settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  bin=$(pg_bin) || die "PostgreSQL binaries not found"
  mkdir -p "$(dirname "$data")" "$(dirname "$log")"
  secret_file "$data.password"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$data"; chown postgres:postgres "$data"; chmod 700 "$data"
    touch "$log"; chown postgres:postgres "$log"
  fi
  if [ ! -s "$data/PG_VERSION" ]; then
    # initdb reads the password from a file the postgres user can read, removed right after.
    pwfile=$(mktemp)
    cat "$data.password" > "$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >/dev/null \
      || { rm -f "$pwfile"; die "initdb failed for $data"; }
    rm -f "$pwfile"
    pg_hba_rules | as_pg tee "$data/pg_hba.conf" >/dev/null
  elif as_pg grep -Eq '^[^#]*[[:space:]]trust([[:space:]]|$)' "$data/pg_hba.conf"; then
    migrate=1
  fi
  as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=400 $settings" start >/dev/null \
    || { tail -n 20 "$log" >&2; die "PostgreSQL did not start on port $port"; }
  if [ $migrate = 1 ]; then
    say "PostgreSQL in $data trusted local users: giving postgres a password ($data.password) and asking every connection for one"
    # Still trusted: set the password (through stdin, never on a command line), then close the door.
    printf "ALTER ROLE postgres PASSWORD '%s'\n" "$(cat "$data.password")" \
      | "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qX -v ON_ERROR_STOP=1 >/dev/null \
      || die "could not set the postgres password in $data"
    pg_hba_rules | as_pg tee "$data/pg_hba.conf" >/dev/null
    as_pg "$bin/pg_ctl" -D "$data" reload >/dev/null || die "could not reload $data"
  fi
}

pg_stop() {
  local data=$1 bin
  bin=$(pg_bin) || return 0
  [ -f "$data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# pg_password DATA_DIR: the superuser's password of a cluster pg_start made.
pg_password() { cat "$1.password"; }

# pg_psql DATA_DIR PORT [psql arguments]: psql as the superuser (the password through the environment of
# psql alone, so nothing else this script starts inherits it).
pg_psql() {
  local data=$1 port=$2; shift 2
  PGPASSWORD="$(pg_password "$data")" "$(pg_bin)/psql" -h 127.0.0.1 -p "$port" -U postgres -qX -v ON_ERROR_STOP=1 "$@"
}

# pg_create_db DATA_DIR PORT DB: creates the database unless it exists.
pg_create_db() {
  local data=$1 port=$2 db=$3
  pg_psql "$data" "$port" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || pg_psql "$data" "$port" -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
}

# pg_service_roles DATA_DIR PORT DB PREFIX SECRETS_DIR: a role per service (PREFIX_commitments,
# PREFIX_notifications, PREFIX_gateway), each owning its schema in DB and reaching no other
# (deploy/k8s/service-roles.sql). Passwords in SECRETS_DIR/postgres-SERVICE.password, made once.
pg_service_roles() {
  local data=$1 port=$2 db=$3 prefix=$4 secrets=$5 service lib_dir
  lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../k8s" && pwd)
  mkdir -p "$secrets"
  for service in commitments notifications gateway; do secret_file "$secrets/postgres-$service.password"; done
  {
    printf '\\set db %s\n\\set prefix %s\n' "$db" "$prefix"
    for service in commitments notifications gateway; do
      printf '\\set pw_%s %s\n' "$service" "$(cat "$secrets/postgres-$service.password")"
    done
    cat "$lib_dir/service-roles.sql"
  } | pg_psql "$data" "$port" -d "$db" -f - >/dev/null || die "could not set up the service roles in $db"
}

# pg_service_connection PORT DB PREFIX SECRETS_DIR SERVICE: the service's connection string (its own role).
pg_service_connection() {
  local port=$1 db=$2 prefix=$3 secrets=$4 service=$5
  echo "Host=127.0.0.1;Port=$port;Username=${prefix}_$service;Password=$(cat "$secrets/postgres-$service.password");Database=$db"
}

# rabbit_env DIR NODE_PORT: the environment of a broker of our own (node name, ports, dirs). In a
# cluster of our own (R2P_RABBIT_CLUSTER set to the cluster's dir, see rabbit_cluster_start) the nodes
# share the first node's epmd port, so that they find each other, and one Erlang cookie, the cluster's.
rabbit_env() {
  local dir=$1 port=$2
  export RABBITMQ_NODENAME="r2p-$port@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$port
  export RABBITMQ_DIST_PORT=$((port + 1))
  export ERL_EPMD_PORT=$((port + 2))
  if [ -n "${R2P_RABBIT_CLUSTER:-}" ]; then
    ERL_EPMD_PORT=$(cat "$R2P_RABBIT_CLUSTER/epmd-port")
    # The server and rabbitmqctl both read the cookie from $HOME/.erlang.cookie.
    export HOME=$R2P_RABBIT_CLUSTER
  fi
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
}

rabbit_start() {
  local dir=$1 port=$2
  mkdir -p "$dir/mnesia" "$dir/log"
  (
    rabbit_env "$dir" "$port"
    [ -f "$RABBITMQ_ENABLED_PLUGINS_FILE" ] || echo '[].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
    : > "$RABBITMQ_CONF_ENV_FILE"
    # guest may connect from loopback only (RabbitMQ's default); no disk-space alarm on small disks.
    printf 'loopback_users.guest = true\ndisk_free_limit.absolute = 50MB\n' > "$RABBITMQ_CONFIG_FILE.conf"
    echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
    /usr/lib/rabbitmq/bin/rabbitmq-server -detached >>"$dir/log/start.log" 2>&1
    for _ in $(seq 1 120); do [ -s "$RABBITMQ_PID_FILE" ] && break; sleep 0.5; done
    timeout 120 /usr/lib/rabbitmq/bin/rabbitmqctl -q wait "$RABBITMQ_PID_FILE" --timeout 120 >/dev/null 2>&1
  ) || { tail -n 30 "$dir/log/"*.log >&2 2>/dev/null; die "RabbitMQ did not start on port $port"; }
}

rabbit_ctl() {
  local dir=$1 port=$2; shift 2
  ( rabbit_env "$dir" "$port"; /usr/lib/rabbitmq/bin/rabbitmqctl -q "$@" )
}

rabbit_stop() {
  local dir=$1 port=$2
  (
    rabbit_env "$dir" "$port"
    if [ -s "$RABBITMQ_PID_FILE" ] && kill -0 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null; then
      timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -q shutdown >/dev/null 2>&1 \
        || kill -9 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null
    fi
    rm -f "$RABBITMQ_PID_FILE"
    # epmd runs on a port of our own, so stopping it touches no other Erlang node (in a cluster, the
    # other nodes still use it: rabbit_cluster_stop stops it last).
    [ -n "${R2P_RABBIT_CLUSTER:-}" ] || epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
  ) || true
}

# --- A three-node RabbitMQ cluster of our own, on this machine: node i (1-3) is the single-node broker
# of rabbit_start in DIR/node-i on port BASE+3(i-1) (BASE from free_port_block 9), named
# r2p-PORT@localhost. All three share one Erlang cookie (DIR/.erlang.cookie) and the first node's epmd.

# rabbit_cluster_port BASE I: node I's AMQP port.
rabbit_cluster_port() { echo $(($1 + 3 * ($2 - 1))); }

# rabbit_cluster_node DIR BASE I FUNCTION [ARGS...]: runs a single-node function (rabbit_start,
# rabbit_stop, rabbit_ctl) on node I of the cluster.
rabbit_cluster_node() {
  local dir=$1 base=$2 i=$3 fn=$4; shift 4
  ( export R2P_RABBIT_CLUSTER=$dir; "$fn" "$dir/node-$i" "$(rabbit_cluster_port "$base" "$i")" "$@" )
}

# rabbit_cluster_start DIR BASE: starts the three nodes (first start: makes the cookie and joins nodes
# 2 and 3 to node 1; later starts: each node rejoins the cluster it belongs to).
rabbit_cluster_start() {
  local dir=$1 base=$2 i first
  mkdir -p "$dir"
  if [ ! -s "$dir/.erlang.cookie" ]; then
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/.erlang.cookie")
    chmod 400 "$dir/.erlang.cookie"
  fi
  echo $((base + 2)) > "$dir/epmd-port"
  first="r2p-$base@localhost"
  for i in 1 2 3; do
    rabbit_cluster_node "$dir" "$base" "$i" rabbit_start
    if [ "$i" != 1 ] && [ ! -f "$dir/node-$i/joined" ]; then
      rabbit_cluster_node "$dir" "$base" "$i" rabbit_ctl stop_app >/dev/null \
        && rabbit_cluster_node "$dir" "$base" "$i" rabbit_ctl join_cluster "$first" >/dev/null \
        && rabbit_cluster_node "$dir" "$base" "$i" rabbit_ctl start_app >/dev/null \
        || die "RabbitMQ node $i did not join the cluster of $first"
      touch "$dir/node-$i/joined"
    fi
  done
}

# rabbit_cluster_stop DIR BASE: stops the three nodes, then their epmd.
rabbit_cluster_stop() {
  local dir=$1 base=$2 i
  for i in 3 2 1; do rabbit_cluster_node "$dir" "$base" "$i" rabbit_stop; done
  [ -s "$dir/epmd-port" ] && { epmd -port "$(cat "$dir/epmd-port")" -kill >/dev/null 2>&1 || true; }
}

# rabbit_cluster_nodes BASE: the nodes' addresses as the services' RabbitMq:ClusterNodes setting takes them.
rabbit_cluster_nodes() { echo "127.0.0.1:$1,127.0.0.1:$(($1 + 3)),127.0.0.1:$(($1 + 6))"; }

# rabbit_service_users DIR PORT VHOST PREFIX SECRETS_DIR [--delete-guest]: a RabbitMQ user per service
# (PREFIX-commitments, PREFIX-notifications, PREFIX-gateway), each with a password of its own from
# SECRETS_DIR/rabbitmq-SERVICE.password (made once; given to rabbitmqctl on stdin, never on a command
# line) and rights on VHOST alone. --delete-guest removes the broker's default account.
rabbit_service_users() {
  local dir=$1 port=$2 vhost=$3 prefix=$4 secrets=$5 delete_guest=${6:-} service user users
  mkdir -p "$secrets"
  # (Each rabbitmqctl call starts an Erlang node of its own, a second or more: as few calls as will do.)
  if [ "$vhost" != / ] && ! rabbit_ctl "$dir" "$port" list_vhosts --no-table-headers name | grep -qx -- "$vhost"; then
    rabbit_ctl "$dir" "$port" add_vhost "$vhost" >/dev/null
  fi
  users=$(rabbit_users "$dir" "$port")
  for service in commitments notifications gateway; do
    user="$prefix-$service"
    secret_file "$secrets/rabbitmq-$service.password"
    if grep -qx -- "$user" <<<"$users"; then
      rabbit_ctl "$dir" "$port" change_password "$user" < "$secrets/rabbitmq-$service.password" >/dev/null
    else
      rabbit_ctl "$dir" "$port" add_user "$user" < "$secrets/rabbitmq-$service.password" >/dev/null
    fi || die "could not set up the RabbitMQ user $user"
    rabbit_ctl "$dir" "$port" set_permissions -p "$vhost" "$user" '.*' '.*' '.*' >/dev/null
  done
  if [ "$delete_guest" = --delete-guest ] && grep -qx guest <<<"$users"; then
    rabbit_ctl "$dir" "$port" delete_user guest >/dev/null || die "could not delete RabbitMQ's guest user"
  fi
}

rabbit_users() { rabbit_ctl "$1" "$2" list_users --no-table-headers | cut -f1; }

# rabbit_quorum_migrate DIR PORT VHOST: makes way for the quorum queues the services declare. A queue
# cannot change its type, and the services' durable queues (and their _error and _skipped queues) were
# classic before: declaring them again as quorum fails (PRECONDITION_FAILED). So each durable classic
# queue of VHOST is deleted when it is empty and unused; one that a running service consumes, or that
# holds messages, is left as it is and the start refused, saying which and what to do (no message is
# thrown away). Temporary (auto-delete) queues are classic by design and left alone.
rabbit_quorum_migrate() {
  local dir=$1 port=$2 vhost=$3 name type durable auto_delete consumers messages refused=0
  while IFS=$'\t' read -r name type durable auto_delete consumers messages; do
    [ "$type" = classic ] && [ "$durable" = true ] && [ "$auto_delete" = false ] || continue
    if [ "$consumers" != 0 ]; then
      say "the classic queue '$name' is consumed by a running service of an earlier version: stop it (deploy/local/down.sh), then start again"
      refused=1
    elif [ "$messages" != 0 ]; then
      say "the classic queue '$name' holds $messages messages: let the earlier version consume them (or move them), or, if they are not wanted, delete it: rabbitmqctl delete_queue -p '$vhost' '$name'"
      refused=1
    else
      # (</dev/null: rabbitmqctl would read the rest of the list the loop reads.)
      rabbit_ctl "$dir" "$port" delete_queue -p "$vhost" "$name" </dev/null >/dev/null || die "could not delete the classic queue '$name'"
      say "deleted the empty classic queue '$name' (the services declare it again as a quorum queue)"
    fi
  done < <(rabbit_ctl "$dir" "$port" list_queues -p "$vhost" --no-table-headers name type durable auto_delete consumers messages)
  [ $refused = 0 ] || die "RabbitMQ's virtual host '$vhost' holds classic queues that cannot yet become quorum queues (above)"
}

# rabbit_service_uri PORT VHOST PREFIX SECRETS_DIR SERVICE: the service's amqp URI (its own user).
rabbit_service_uri() {
  local port=$1 vhost=$2 prefix=$3 secrets=$4 service=$5 path
  path=$vhost; [ "$vhost" = / ] && path=""
  echo "amqp://$prefix-$service:$(cat "$secrets/rabbitmq-$service.password")@127.0.0.1:$port/$path"
}

# wait_http URL SECONDS: polls until the URL answers 2xx.
wait_http() {
  local url=$1 seconds=${2:-90}
  for _ in $(seq 1 $((seconds * 4))); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.25
  done
  return 1
}


# port_free PORT: nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port_block N: the first of N consecutive free ports in 26000-32000: above up.sh's fixed ports
# (25432, 25672-25674), so tests started first cannot take them, and below the kernel's
# ephemeral range (32768-60999), so an outgoing connection cannot take a port between the check
# and the bind.
free_port_block() {
  local n=$1 base ok i
  for _ in $(seq 1 200); do
    base=$((26000 + RANDOM % 6000)); ok=1
    for i in $(seq 0 $((n - 1))); do port_free $((base + i)) || { ok=0; break; }; done
    [ $ok = 1 ] && { echo "$base"; return 0; }
  done
  return 1
}

# --- Tools from npm, each installed once per machine into $R2P_TOOLS (default ~/.cache/r2p-tracker)/NAME.
npm_tool_bin() { echo "${R2P_TOOLS:-$HOME/.cache/r2p-tracker}/$1/node_modules/.bin/$1"; }

# ensure_npm_tool NAME VERSION: installs NAME@VERSION unless it is there.
ensure_npm_tool() {
  local name=$1 version=$2 dir
  [ -x "$(npm_tool_bin "$name")" ] && return 0
  command -v npm >/dev/null || die "npm is needed to install $name (apt-get install npm)"
  dir=$(dirname "$(dirname "$(dirname "$(npm_tool_bin "$name")")")")
  say "installing $name $version from npm into $dir"
  mkdir -p "$dir"
  (cd "$dir" && npm install --no-audit --no-fund --silent "$name@$version" >/dev/null 2>&1) || die "npm install $name failed"
}

# maildev (development SMTP server with a web UI and REST API), started on ports of our own. Used by
# deploy/local/up.sh (1025/1080) and tests/run.sh (free ports).
maildev_bin() { npm_tool_bin maildev; }
ensure_maildev_installed() { ensure_npm_tool maildev 3.0.0; }

# Lighthouse (Google's page audit), for the dashboard's audit test; run with Debian's chromium.
lighthouse_bin() { npm_tool_bin lighthouse; }
ensure_lighthouse_installed() { ensure_npm_tool lighthouse 12.8.2; }

# swagger-parser (an OpenAPI validator that shares nothing with .NET's), for the gateway's API
# description tests. A library without a command, so it has a check of its own.
swagger_parser_dir() { echo "${R2P_TOOLS:-$HOME/.cache/r2p-tracker}/swagger-parser"; }
ensure_swagger_parser_installed() {
  local dir version=13.1.0
  dir=$(swagger_parser_dir)
  grep -qs "\"version\": \"$version\"" "$dir/node_modules/@apidevtools/swagger-parser/package.json" && return 0
  command -v npm >/dev/null || die "npm is needed to install swagger-parser (apt-get install npm)"
  say "installing @apidevtools/swagger-parser $version from npm into $dir"
  mkdir -p "$dir"
  (cd "$dir" && npm install --no-audit --no-fund --silent "@apidevtools/swagger-parser@$version" >/dev/null 2>&1) || die "npm install swagger-parser failed"
}

# maildev_start DIR SMTP_PORT WEB_PORT: starts maildev on 127.0.0.1, pid in DIR/maildev.pid.
maildev_start() {
  local dir=$1 smtp=$2 web=$3
  mkdir -p "$dir"
  nohup "$(maildev_bin)" --smtp "$smtp" --web "$web" --ip 127.0.0.1 --web-ip 127.0.0.1 >"$dir/maildev.log" 2>&1 </dev/null &
  echo $! > "$dir/maildev.pid"
  wait_http "http://127.0.0.1:$web/api/healthz" 30 || { tail -n 20 "$dir/maildev.log" >&2; die "maildev did not start"; }
}

maildev_stop() {
  local dir=$1
  [ -s "$dir/maildev.pid" ] && kill "$(cat "$dir/maildev.pid")" 2>/dev/null
  rm -f "$dir/maildev.pid"
}

# --- Containers (issue 16): Debian's podman, runc and mmdebstrap, for tests/containers/run.sh. -----------
# podman-compose runs deploy/docker/compose.yaml; mmdebstrap makes the Debian base image (no registry here).
ensure_podman_installed() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  command -v podman-compose >/dev/null 2>&1 || missing+=(podman-compose)
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "(container tests)" "${missing[@]}"
}

# podman_conf FILE: writes the containers.conf podman needs on this machine and exports CONTAINERS_CONF:
# the runc runtime (crun fails on a cgroup v1 hierarchy) and no default ulimits (setting RLIMIT_NOFILE or
# RLIMIT_NPROC is not permitted here).
podman_conf() {
  mkdir -p "$(dirname "$1")"
  cat > "$1" <<'CONF'
[containers]
default_ulimits = []

[engine]
runtime = "runc"
CONF
  export CONTAINERS_CONF=$1
}

# --- A PostgreSQL that survives losing its primary: Patroni (Debian's patroni) over a one-node etcd
# (Debian's etcd-server), started as processes (no systemd). In DIR, on the block of 2+2N ports from
# BASE (free_port_block): etcd's client port BASE and peer port BASE+1; node i (1..N) is a Patroni
# managing PostgreSQL on port BASE+2i and serving its REST API on BASE+2i+1, in DIR/node-i. The nodes
# form one cluster (scope r2p): a primary and, in synchronous mode, a synchronous standby that a commit
# waits for, the only node Patroni promotes when the primary is lost (so a write acknowledged by the
# primary is on the node that takes over). Password (SCRAM) auth as pg_start sets it up: the superuser's
# password in DIR/postgres.password (so `pg_psql DIR/postgres PORT` works on any node), the replication
# user's in DIR/replicator.password. etcd and the REST APIs listen on 127.0.0.1 only, without auth.

ensure_patroni_installed() {
  local missing=()
  command -v patroni >/dev/null 2>&1 || missing+=(patroni)
  command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "(PostgreSQL failover tests)" "${missing[@]}"
}

# etcd_start DIR PORT: a one-node etcd on 127.0.0.1:PORT (peer port PORT+1), data in DIR/etcd, pid in DIR/etcd.pid.
etcd_start() {
  local dir=$1 port=$2 peer
  peer="http://127.0.0.1:$(($2 + 1))"
  mkdir -p "$dir"
  nohup etcd --name r2p --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "r2p=$peer" \
    --initial-cluster-state new --initial-cluster-token "r2p-$port" >>"$dir/etcd.log" 2>&1 </dev/null &
  echo $! > "$dir/etcd.pid"
  wait_http "http://127.0.0.1:$port/health" 30 || { tail -n 20 "$dir/etcd.log" >&2; die "etcd did not start on port $port"; }
}

etcd_stop() {
  local dir=$1 pid
  pid=$(cat "$dir/etcd.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null && for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  rm -f "$dir/etcd.pid"
}

patroni_pg_port() { echo $(($1 + 2 * $2)); }
patroni_rest_port() { echo $(($1 + 2 * $2 + 1)); }

# patroni_node_config DIR BASE I [fast]: node I's patroni.yml. "fast" turns fsync off (the data is thrown
# away; a kill -9 loses nothing the kernel holds), never synchronous_commit: a commit still waits for
# the synchronous standby, which is what a failover test is about.
patroni_node_config() {
  local dir=$1 base=$2 i=$3 speed=${4:-durable} node port rest fsync=on
  node="$dir/node-$i"; port=$(patroni_pg_port "$base" "$i"); rest=$(patroni_rest_port "$base" "$i")
  [ "$speed" = fast ] && fsync=off
  cat <<YAML
# Written by deploy/local/lib.sh (patroni_cluster_start).
scope: r2p
name: node-$i
restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest
etcd3:
  hosts: 127.0.0.1:$base
bootstrap:
  dcs:
    # The leader key lives 12 s unless renewed (every loop_wait): losing the primary's node is noticed
    # within that, and a standby promoted on the next loop.
    ttl: 12
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: false
      parameters:
        max_connections: 400
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 128MB
        hot_standby: "on"
  initdb:
  - encoding: UTF8
  - locale: C.UTF-8
  - auth: scram-sha-256
postgresql:
  listen: 127.0.0.1:$port
  connect_address: 127.0.0.1:$port
  data_dir: $node/data
  bin_dir: $(pg_bin)
  pgpass: $node/pgpass
  authentication:
    superuser:
      username: postgres
      password: $(cat "$dir/postgres.password")
    replication:
      username: replicator
      password: $(cat "$dir/replicator.password")
  parameters:
    unix_socket_directories: $node
    fsync: "$fsync"
  pg_hba:
  - local all all scram-sha-256
  - host all all 127.0.0.1/32 scram-sha-256
  - host replication replicator 127.0.0.1/32 scram-sha-256
YAML
}

# patroni_node_start DIR BASE I [fast]: starts node I's Patroni (which starts, or first makes, its
# PostgreSQL: the first node to start initialises the cluster, the others copy it with pg_basebackup).
# Patroni's pid in DIR/node-i/patroni.pid, its log in DIR/node-i/patroni.log.
patroni_node_start() {
  local dir=$1 base=$2 i=$3 speed=${4:-durable} node
  node="$dir/node-$i"
  mkdir -p "$node"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$node"
  chmod 700 "$node"
  (umask 077; patroni_node_config "$dir" "$base" "$i" "$speed" | as_pg tee "$node/patroni.yml" >/dev/null)
  as_pg touch "$node/patroni.log"
  # (exec: the pid written is Patroni's own, for patroni_node_kill. Nothing of the caller's standard
  # streams is kept: a caller reading this function's output would otherwise wait for Patroni's end.)
  # It starts in its own directory: Patroni's worker processes (Python's multiprocessing) change to the
  # starting directory, and the caller's may be closed to the postgres user (a clone in a mktemp
  # directory, as CI makes), which stopped the bootstrap there ("Permission denied").
  (cd "$node" && as_pg setsid nohup bash -c 'echo $$ > "$1/patroni.pid"; exec patroni "$1/patroni.yml" >>"$1/patroni.log" 2>&1' _ "$node") \
    >/dev/null 2>&1 </dev/null &
  for _ in $(seq 1 40); do [ -s "$node/patroni.pid" ] && break; sleep 0.25; done
}

# patroni_node_running DIR I: node I's Patroni is alive.
patroni_node_running() { [ -s "$1/node-$2/patroni.pid" ] && kill -0 "$(cat "$1/node-$2/patroni.pid")" 2>/dev/null; }

# patroni_node_stop DIR I: stops node I's Patroni, which stops its PostgreSQL (a switchover first if it leads).
patroni_node_stop() {
  local node="$1/node-$2" pid
  pid=$(cat "$node/patroni.pid" 2>/dev/null) || return 0
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$node/patroni.pid"
  pg_stop "$node/data"
}

# patroni_node_kill DIR I: the loss of node I: SIGKILL to its Patroni, its postmaster and every
# process of that postmaster at once (nothing shuts down cleanly, nothing releases the leader key).
patroni_node_kill() {
  local node="$1/node-$2" pids=() pm
  [ -s "$node/patroni.pid" ] && pids+=("$(cat "$node/patroni.pid")")
  if [ -s "$node/data/postmaster.pid" ]; then
    pm=$(head -n 1 "$node/data/postmaster.pid")
    pids+=("$pm" $(pgrep -P "$pm" || true))
  fi
  [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null
  rm -f "$node/patroni.pid"
}

# patroni_role DIR BASE I: node I's role as its REST API reports it (primary, replica, or "down").
patroni_role() {
  curl -fsS --max-time 2 "http://127.0.0.1:$(patroni_rest_port "$2" "$3")/patroni" 2>/dev/null \
    | sed -n 's/.*"role": *"\([a-z_]*\)".*/\1/p' | grep . || echo down
}

# patroni_cluster_state BASE I: the cluster as node I's REST API sees it: one line per member, name,
# role (leader, sync_standby, replica), state, port.
patroni_cluster_state() {
  curl -fsS --max-time 2 "http://127.0.0.1:$(patroni_rest_port "$1" "$2")/cluster" \
    | python3 -c 'import json,sys; [print(m["name"], m["role"], m["state"], m.get("port", "")) for m in json.load(sys.stdin)["members"]]'
}

# patroni_leader BASE N: the node (1..N) whose PostgreSQL is the primary (Patroni's /primary answers 200).
patroni_leader() {
  local base=$1 n=$2 i
  for i in $(seq 1 "$n"); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(patroni_rest_port "$base" "$i")/primary" 2>/dev/null && { echo "$i"; return 0; }
  done
  return 1
}

# patroni_wait_synchronous BASE N SECONDS: waits until a primary runs with a synchronous standby
# streaming from it (Patroni's /sync answers 200 on that standby).
patroni_wait_synchronous() {
  local base=$1 n=$2 seconds=${3:-120} i
  for _ in $(seq 1 $((seconds * 2))); do
    if patroni_leader "$base" "$n" >/dev/null; then
      for i in $(seq 1 "$n"); do
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(patroni_rest_port "$base" "$i")/sync" 2>/dev/null && return 0
      done
    fi
    sleep 0.5
  done
  return 1
}

# patroni_cluster_start DIR BASE N [fast]: etcd, then N Patroni nodes (N >= 2: a primary and a
# synchronous standby; more are asynchronous standbys); returns once the primary has a synchronous
# standby. Passwords made once, kept in DIR (mode 600).
patroni_cluster_start() {
  local dir=$1 base=$2 n=$3 speed=${4:-durable} i
  command -v patroni >/dev/null 2>&1 && command -v etcd >/dev/null 2>&1 || die "patroni or etcd not installed (ensure_patroni_installed)"
  mkdir -p "$dir"
  secret_file "$dir/postgres.password"; secret_file "$dir/replicator.password"
  etcd_start "$dir" "$base"
  # The first node alone until it leads (it bootstraps the cluster), then the standbys.
  patroni_node_start "$dir" "$base" 1 "$speed"
  for _ in $(seq 1 240); do patroni_leader "$base" "$n" >/dev/null && break; sleep 0.5; done
  patroni_leader "$base" "$n" >/dev/null || { tail -n 30 "$dir/node-1/patroni.log" >&2; die "Patroni node 1 did not become the primary"; }
  for i in $(seq 2 "$n"); do patroni_node_start "$dir" "$base" "$i" "$speed"; done
  patroni_wait_synchronous "$base" "$n" 180 || { tail -n 30 "$dir"/node-*/patroni.log >&2; die "no synchronous standby in the Patroni cluster"; }
}

# patroni_cluster_stop DIR N: stops the N nodes (standbys first), then etcd.
patroni_cluster_stop() {
  local dir=$1 n=$2 i
  for i in $(seq "$n" -1 1); do patroni_node_stop "$dir" "$i"; done
  etcd_stop "$dir"
}

# patroni_cluster_hosts BASE N: every node's PostgreSQL, as a multi-host connection string's Host lists
# them. Node 1 (the first primary: it bootstraps the cluster) comes last, so that a client that took the
# first host that answers, instead of the one accepting writes, would be writing to a standby.
patroni_cluster_hosts() {
  local base=$1 n=$2 i hosts=()
  for i in $(seq "$n" -1 1); do hosts+=("127.0.0.1:$(patroni_pg_port "$base" "$i")"); done
  (IFS=,; echo "${hosts[*]}")
}

# patroni_service_connection BASE N DB PREFIX SECRETS_DIR SERVICE: the service's connection string to
# whichever node is the primary: every node listed, and Npgsql told to take the one that accepts
# writes (libpq: target_session_attrs=read-write), rechecking a host's role after 2 s (not 10).
patroni_service_connection() {
  local base=$1 n=$2 db=$3 prefix=$4 secrets=$5 service=$6
  echo "Host=$(patroni_cluster_hosts "$base" "$n");Target Session Attributes=read-write;Host Recheck Seconds=2;Username=${prefix}_$service;Password=$(cat "$secrets/postgres-$service.password");Database=$db"
}
