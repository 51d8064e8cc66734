#!/usr/bin/env bash
# The two commands of the README, with all set-up included:
#   ./dev.sh portal   run the portal (current kubeconfig, else the local cluster)
#   ./dev.sh test     every test: lint, unit, the local cluster, end-to-end
# Each phase prints how long it took; `test` ends with the table, also written to
# target/test-phases.txt.
set -euo pipefail
repo=$(cd "$(dirname "$0")" && pwd)
cd "$repo"
. e2e/cluster/lib.sh

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
LOGDIR=$repo/target/test-logs
declare -a PHASES=()
REGISTRY_WARNINGS=""

# phase NAME CMD…: runs CMD with its output on the terminal and in $LOGDIR/<NAME>.log, and
# records how long it took. A failure names the phase, its time and its last log lines;
# the summary (EXIT trap) still prints.
phase() {
  local name=$1; shift
  local start=$SECONDS log rc=0
  log=$LOGDIR/$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '-' | tr -s '-' | sed 's/-$//').log
  mkdir -p "$LOGDIR"
  printf '\n\033[1;35m==> %s\033[0m\n' "$name" >&2
  set +e
  ( set -e; "$@" ) 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  PHASES+=("$(printf '%-32s %5ds' "$name" $((SECONDS - start)))")
  if [ $rc != 0 ]; then
    PHASES[-1]+="  실패"
    printf '\n\033[1;31m==> 단계 "%s" 가 %d초 만에 실패했습니다 (종료 코드 %d). 로그 %s 의 마지막 30줄:\033[0m\n' \
      "$name" $((SECONDS - start)) "$rc" "$log" >&2
    tail -n 30 "$log" >&2
    [ -z "$REGISTRY_WARNINGS" ] || printf '\033[1;33m참고: 시작할 때 닿지 않은 패키지 저장소가 있었습니다:%s\033[0m\n' "$REGISTRY_WARNINGS" >&2
    exit "$rc"
  fi
}
# Stops the background cluster job (not the cluster: its components run in their own
# sessions) when the run ends early.
kill_tree() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
summary() {
  local rc=$?
  local name
  for name in "${!BG_PID[@]}"; do
    [ -f "$LOGDIR/$name.rc" ] || kill_tree "${BG_PID[$name]}"
  done
  [ ${#PHASES[@]} -gt 0 ] || return 0
  {
    printf '단계별 소요 시간 (%s, %s, %d코어)\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" "$(nproc)"
    printf '  %s\n' "${PHASES[@]}"
    printf '  %-32s %5ds%s\n' "합계" "$SECONDS" "$([ "$rc" = 0 ] || echo '  실패')"
    [ ! -f target/e2e-logs/summary.txt ] || { echo; sed 's/^/  /' target/e2e-logs/summary.txt; }
  } >"$repo/target/test-phases.txt.tmp" 2>/dev/null || return 0
  mv "$repo/target/test-phases.txt.tmp" "$repo/target/test-phases.txt"
  printf '\n\033[1;35m==> %s\033[0m\n' "$(head -n 1 "$repo/target/test-phases.txt")" >&2
  tail -n +2 "$repo/target/test-phases.txt" >&2
  printf '  (target/test-phases.txt)\n' >&2
}

# A full disk once broke a run half-way (stale build output); say so before starting.
# A cold run writes about 16 GiB (target/ ~11, the Kubernetes build and images ~4, the
# cargo registry ~1); a warm one needs room for logs and a rebuilt crate or two.
check_disk() {
  local need_gb=4 free_gb
  [ -d target/debug/deps ] && [ -d "$HK_CACHE/kubernetes" ] || need_gb=20
  free_gb=$(df -Pk "$repo" | awk 'NR == 2 { print int($4 / 1048576) }')
  if [ "$free_gb" -lt "$need_gb" ]; then
    printf '\033[1;31m[dev] 디스크 공간이 모자랍니다: %s 에 %d GiB 남았고, 이 실행에는 약 %d GiB 가 필요합니다.\033[0m\n' "$repo" "$free_gb" "$need_gb" >&2
    printf '      오래된 빌드 결과를 지우세요: cargo clean (target/), 또는 %s 의 캐시.\n' "$HK_CACHE" >&2
    exit 1
  fi
  log "디스크: $free_gb GiB 남음 (필요 약 $need_gb GiB)"
}

# Which package registries answer. A warm machine may not need them, so an unreachable one
# is a warning here and named again if a phase fails.
check_registries() {
  local out
  out=$(python3 - <<'PY'
import concurrent.futures, urllib.request
urls = {
    "crates.io": "https://index.crates.io/config.json",
    "npm": "https://registry.npmjs.org/binaryen",
    "PyPI": "https://pypi.org/simple/fonttools/",
    "Debian": "http://deb.debian.org/debian/dists/bookworm/Release",
}
def probe(item):
    name, url = item
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10)
        return None
    except Exception as e:  # any failure means: not reachable from here
        return f" {name}({url}: {e})"
with concurrent.futures.ThreadPoolExecutor() as ex:
    print("".join(r for r in ex.map(probe, urls.items()) if r))
PY
  ) || true
  if [ -n "$out" ]; then
    REGISTRY_WARNINGS=$out
    printf '\033[1;33m[dev] 경고: 패키지 저장소에 닿지 않습니다:%s\n      캐시에 없는 것을 내려받아야 하는 단계는 실패합니다.\033[0m\n' "$out" >&2
  else
    log "패키지 저장소: crates.io, npm, PyPI, Debian 응답"
  fi
}

preflight() { check_disk; check_registries; }

setup_toolchain() {
  rustup component list --installed 2>/dev/null | grep '^clippy' >/dev/null || rustup component add clippy rustfmt
  local t
  for t in x86_64-unknown-linux-musl wasm32-unknown-unknown; do
    rustup target list --installed | grep -x "$t" >/dev/null || rustup target add "$t"
  done
}

# Every Debian package of the run in one apt call: the browser tests (Chromium,
# chromedriver, CJK fonts for screenshots), the shared-sessions and replicas tests
# (redis-server, postgresql), the portal's fonts, the Kubernetes build and the cluster,
# which then install nothing.
setup_packages() {
  $SUDO env HK_CACHE="$HK_CACHE" bash -c '. e2e/cluster/lib.sh; apt_ensure curl chromium chromium-driver \
    fonts-noto-cjk fonts-naver-d2coding python3-venv redis-server postgresql "${HK_APT_BUILD[@]}" "${HK_APT_CLUSTER[@]}"'
}

cluster_up() { $SUDO env HK_CACHE="$HK_CACHE" HK_STATE="$HK_STATE" bash e2e/cluster/up.sh; }

# background NAME CMD…: runs CMD beside the phases, its output in $LOGDIR/NAME.log and
# "exit-code seconds" in $LOGDIR/NAME.rc. The cluster (Kubernetes from source on a cold
# machine, the hello images) and the site (wasm, fonts) need nothing from target/debug,
# so they are made while the workspace compiles; cargo's idle moments (one crate left to
# compile, linking) are the other jobs' gain.
declare -A BG_PID=()
background() {
  local name=$1; shift
  mkdir -p "$LOGDIR"
  rm -f "$LOGDIR/$name.rc"
  (
    start=$SECONDS rc=0
    "$@" >"$LOGDIR/$name.log" 2>&1 || rc=$?
    echo "$rc $((SECONDS - start))" >"$LOGDIR/$name.rc"
  ) &
  BG_PID[$name]=$!
  log "백그라운드에서 시작: $name (로그: $LOGDIR/$name.log)"
}
# await NAME: waits for the job; a failed one fails the phase with its last log lines.
await() {
  local name=$1 rc took
  while [ ! -s "$LOGDIR/$name.rc" ]; do sleep 2; done
  read -r rc took <"$LOGDIR/$name.rc"
  if [ "$rc" != 0 ]; then
    tail -n 40 "$LOGDIR/$name.log"
    log "백그라운드 작업 $name 이 실패했습니다 (${took}초, 종료 코드 $rc, 로그 $LOGDIR/$name.log)"
    return 1
  fi
  log "백그라운드 작업 $name 끝남 (${took}초)"
}
# The job's own time, as a row of the table (after `await`, in this shell).
bg_row() {
  local rc took
  read -r rc took <"$LOGDIR/$1.rc" 2>/dev/null || return 0
  PHASES+=("$(printf '%-32s %5ds' "  (백그라운드) $1" "$took")")
}
# The images' cargo builds are not the workspace build: no clippy there.
cluster_job() { unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS; cluster_up; }
# The wasm build in a target folder of its own: it does not wait for the workspace
# build's lock. clippy lints the `hydrate` half of the portal on the way.
site_job() { bash portal/build.sh --site; }

lint() {
  cargo fmt --all --check
  local out; out=$(python3 portal/tools/import-map.py --check) || { printf "%s\n" "$out" | tail -n 25; return 1; }
}

# One build of the whole workspace serves clippy, the unit tests and the e2e binaries:
# clippy-driver compiles the workspace's own crates (lints + code), the dependencies are
# compiled once by plain rustc. Same lints as `cargo clippy --workspace --all-targets
# -- -D warnings` for every target but the one bench (`e2e/benches/store.rs`, which
# e2e/bench/store.sh builds with the same flags when it is run).
build_and_clippy() { cargo test --workspace --locked --no-run; }
unit_tests() { cargo test --workspace --locked; }

e2e_tests() {
  eval "$($SUDO bash e2e/cluster/env.sh)"
  HK_PORTAL_BIN=$repo/target/debug/portal bash e2e/run.sh
}

cmd_test() {
  trap summary EXIT
  # Flags every cargo call of the run shares (a different flag would mean another build).
  export CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=always
  phase "preflight (disk, registries)" preflight
  phase "setup (toolchain)" setup_toolchain
  export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
  RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver)
  phase "setup (packages)" setup_packages
  export WASM_TARGET_DIR=$repo/target/wasm
  background cluster cluster_job
  background site site_job
  phase "lint (fmt, imports)" lint
  phase "build + clippy (one build)" build_and_clippy
  phase "unit tests" unit_tests
  phase "site (waiting)" await site
  bg_row site
  phase "local cluster (waiting)" await cluster
  bg_row cluster
  phase "e2e on the cluster" e2e_tests
}

# Picks the cluster the portal talks to: the current kubeconfig when it answers, else
# the local cluster (Debian/Ubuntu with root), else an explanation. Lessons work either way.
ensure_cluster() {
  if command -v kubectl >/dev/null && kubectl version --request-timeout=5s >/dev/null 2>&1; then
    log "현재 kubeconfig 의 클러스터를 씁니다: $(kubectl config current-context 2>/dev/null)"
    return 0
  fi
  if [ -f /etc/debian_version ] && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    log "응답하는 클러스터가 없어 로컬 클러스터를 시작합니다."
    cluster_up
    eval "$($SUDO bash e2e/cluster/env.sh)"
    return 0
  fi
  cat >&2 <<'MSG'
[cluster] 응답하는 Kubernetes 클러스터가 없습니다. 레슨은 그대로 읽을 수 있고, 라이브 패널은 클러스터가
          생기면 스스로 다시 연결합니다. 레슨처럼 minikube 로 시작하려면:
            minikube start --cpus=2 --memory=4096
            minikube addons enable ingress && minikube addons enable metrics-server
          Debian/Ubuntu 에서 root 권한이 있다면 로컬 클러스터도 됩니다: sudo e2e/cluster/up.sh
MSG
}

cmd_portal() {
  phase "setup (toolchain)" setup_toolchain
  phase "build portal" bash portal/build.sh
  phase "cluster" ensure_cluster
  log "포털: http://${PORTAL_ADDR:-127.0.0.1:3000}/"
  exec target/release/portal
}

case "${1:-}" in
  test) cmd_test ;;
  portal) cmd_portal ;;
  *) echo "사용법: ./dev.sh test | ./dev.sh portal" >&2; exit 2 ;;
esac
