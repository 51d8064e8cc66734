# shellcheck shell=bash
# Shared by the benches that start a portal of their own (live.sh, workshop.sh); sourced
# after e2e/cluster/lib.sh.

# The portal to measure: HK_PORTAL_BIN, else target/release/portal (built if missing).
bench_portal_bin() {
  local bin=${HK_PORTAL_BIN:-target/release/portal}
  if [ -z "${HK_PORTAL_BIN:-}" ] && [ ! -x "$bin" ]; then
    log "포털 서버 빌드 (release, 서버만)" >&2
    cargo build --quiet --locked --release -p portal --bin portal --features ssr >&2
  fi
  [ -x "$bin" ] || die "$bin 이 없습니다 (portal/build.sh 로 빌드하거나 HK_PORTAL_BIN 을 지정하세요)"
  echo "$bin"
}

# start_portal BIN WORK [VAR=value ...]: on a free loopback port, with its own database
# in WORK; sets `port` and `portal_pid`, and waits until /metrics answers.
start_portal() {
  local bin=$1 work=$2; shift 2
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  env PORTAL_ADDR="127.0.0.1:$port" PORTAL_DATABASE="$work/portal.sqlite3" RUST_LOG=warn "$@" \
    "$bin" >"$work/portal.log" 2>&1 &
  portal_pid=$!
  local up=
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/metrics" -o /dev/null && { up=1; break; }
    kill -0 "$portal_pid" 2>/dev/null || break
    sleep 0.2
  done
  [ -n "$up" ] || { tail -n 40 "$work/portal.log" >&2; die "포털이 응답하지 않습니다"; }
}

# TERM, then KILL after 5 s.
stop_portal() {
  [ -n "${portal_pid:-}" ] || return 0
  kill -TERM "$portal_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$portal_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$portal_pid" 2>/dev/null || true
}

# run_client WORK CLIENT ARGS...: the bench's client; on failure the portal's log tail.
run_client() {
  local work=$1 status=0; shift
  "$@" || status=$?
  if [ "$status" != 0 ]; then
    log "벤치 실패 ($status); 포털 로그 끝:"
    tail -n 40 "$work/portal.log" >&2
  fi
  return "$status"
}

# start_postgres WORK: Debian's PostgreSQL in WORK/pg on a free port (trust auth, loopback,
# fsync off: the bench measures the portal, not the disk); sets `pg_url`. As root the
# server runs as the `postgres` user (PostgreSQL refuses root).
start_postgres() {
  local work=$1 bin as=()
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$bin/initdb" ] || die "PostgreSQL 이 없습니다 (apt-get install postgresql; ./dev.sh test 가 설치합니다)"
  [ "$(id -u)" != 0 ] || as=(runuser -u postgres --)
  pg_dir=$work/pg
  mkdir -p "$pg_dir"
  # mktemp's folder is 0700: the postgres user must be able to walk through it.
  chmod o+x "$work"
  [ "$(id -u)" != 0 ] || chown -R postgres:postgres "$pg_dir"
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as[@]}" "$bin/initdb" -A trust -U hk -E UTF8 --no-sync -D "$pg_dir/data" >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U hk hk
  pg_url="postgres://hk@127.0.0.1:$pg_port/hk"
  pg_stop=("${as[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -m immediate stop)
}

stop_postgres() {
  [ -n "${pg_stop+x}" ] || return 0
  "${pg_stop[@]}" >/dev/null 2>&1 || true
  unset pg_stop
}
