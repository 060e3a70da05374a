#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, so the knex migrations and repositories are proven on PostgreSQL
# as well as SQLite.
#   postgres-test-server.sh start DIR   initdb in DIR, start on 127.0.0.1 and a free port, print the URL on stdout
#   postgres-test-server.sh stop DIR    stop it (fast) and remove DIR
# Uses the newest /usr/lib/postgresql/*/bin (or $PG_BIN). Trust auth, loopback and a unix socket in DIR only:
# never point this at data you care about (fsync is off). initdb refuses to run as root, so as root the
# cluster is run by the `postgres` user and DIR is given to it. Every wait is bounded.
set -euo pipefail
log() { printf '[postgres-test-server] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

MARKER=.postgres-test-server   # written by start; stop removes only folders that carry it
START_TIMEOUT=30               # seconds for pg_ctl start/stop
PORT_ATTEMPTS=5

usage() { die "usage: $0 start|stop DIR"; }
[ $# -eq 2 ] || usage
action=$1
dir=$2

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/postgres" ] || die "PG_BIN=$PG_BIN has no postgres binary; unset it or install Debian's postgresql package"
    printf '%s\n' "$PG_BIN"
    return
  fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$newest" ] || die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin; install Debian's postgresql package (sudo apt-get install postgresql, or npm run setup as root) or set PG_BIN"
  dirname "$newest"
}

# Runs a command as the cluster owner: ourselves, or the `postgres` user when we are root.
as_owner() {
  if [ "$(id -u)" != 0 ]; then
    "$@"
  elif command -v runuser >/dev/null; then
    runuser -u postgres -- "$@"
  else
    su postgres -s /bin/bash -c "$(printf '%q ' "$@")"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local bin data port url attempt
  bin=$(find_bin)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  data="$dir/data"
  [ ! -e "$data" ] || die "$data already exists; give start an empty folder (or run stop $dir first)"
  # The unix socket path (DIR/.s.PGSQL.PORT) must fit in sun_path (107 bytes).
  [ ${#dir} -le 90 ] || die "folder path $dir is too long for a unix socket; use a shorter one (e.g. under /tmp)"
  touch "$dir/$MARKER"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to own the cluster; install Debian's postgresql package or run as a normal user"
    chown -R postgres: "$dir"
    as_owner test -w "$dir" || die "user postgres cannot write to $dir (a parent folder is closed to it); use a folder under /tmp"
  fi
  cd "$dir" # the owner may not be able to read the caller's working directory

  log "initdb with $bin into $data"
  as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
    || die "initdb failed for $data: $(tail -n 5 "$dir/initdb.log")"
  # Loopback and the socket in DIR only, trusted; no other hba lines.
  printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 trust' | as_owner tee "$data/pg_hba.conf" >/dev/null
  as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF

  # Pick a free port; if another process takes it between the check and the bind, try another.
  for attempt in $(seq 1 "$PORT_ATTEMPTS"); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_in_use "$port" && continue
    if as_owner "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -o "-p $port" -w -t "$START_TIMEOUT" start >/dev/null 2>&1; then
      url="postgres://postgres@127.0.0.1:$port/postgres"
      printf '%s\n' "$port" >"$dir/port"
      log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') ready at $url (data in $data)"
      printf '%s\n' "$url"
      return
    fi
    log "start on port $port failed (attempt $attempt of $PORT_ATTEMPTS): $(tail -n 2 "$dir/postgres.log" 2>/dev/null | tr '\n' ' ')"
    as_owner "$bin/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  done
  die "PostgreSQL did not start within ${START_TIMEOUT}s after $PORT_ATTEMPTS attempts; see $dir/postgres.log"
}

stop() {
  local bin data
  [ -d "$dir" ] || { log "$dir does not exist; nothing to stop"; return; }
  dir=$(cd "$dir" && pwd)
  [ -e "$dir/$MARKER" ] || die "$dir was not made by '$0 start' (no $MARKER); not touching it"
  data="$dir/data"
  cd "$dir"
  if [ -e "$data/postmaster.pid" ]; then
    bin=$(find_bin)
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t "$START_TIMEOUT" stop >/dev/null 2>&1 \
      || as_owner "$bin/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 \
      || die "could not stop the PostgreSQL cluster in $data; stop it by hand (pg_ctl -D $data stop) and remove $dir"
  fi
  cd /
  rm -rf -- "$dir"
  log "stopped and removed $dir"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
