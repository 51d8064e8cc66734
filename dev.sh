#!/usr/bin/env bash
# The two commands of the README, with all set-up included:
#   ./dev.sh portal   run the portal (current kubeconfig, else the local cluster)
#   ./dev.sh test     every test: lint, unit, the local cluster, end-to-end
# Each phase prints how long it took.
set -euo pipefail
repo=$(cd "$(dirname "$0")" && pwd)
cd "$repo"
. e2e/cluster/lib.sh

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
declare -a PHASES=()
phase() {
  local name=$1; shift
  local start=$SECONDS
  printf '\n\033[1;35m==> %s\033[0m\n' "$name" >&2
  "$@"
  PHASES+=("$(printf '%-28s %5ds' "$name" $((SECONDS - start)))")
}
summary() {
  printf '\n\033[1;35m==> 단계별 소요 시간\033[0m\n' >&2
  printf '  %s\n' "${PHASES[@]}" >&2
  printf '  %-28s %5ds\n' "합계" "$SECONDS" >&2
}

setup_toolchain() {
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
  rustup target list --installed | grep -qx x86_64-unknown-linux-musl || rustup target add x86_64-unknown-linux-musl
}

# The browser tests use Debian's Chromium and chromedriver; Korean needs CJK fonts in
# screenshots outside the pages' own fonts; the shared-sessions test runs a redis-server.
setup_test_packages() {
  $SUDO env HK_CACHE="$HK_CACHE" bash -c ". e2e/cluster/lib.sh; apt_ensure curl chromium chromium-driver fonts-noto-cjk python3-venv redis-server"
}

lint() {
  cargo fmt --all --check
  cargo clippy --workspace --all-targets --locked -- -D warnings
  cargo clippy -p portal --all-targets --features ssr --locked -- -D warnings
  cargo clippy -p hello-service --all-targets --features v2 --locked -- -D warnings
}

unit_tests() {
  cargo test --workspace --locked
  cargo test -p hello-service --features v2 --locked
  cargo test -p portal --features ssr --locked
}

cluster_up() { $SUDO env HK_CACHE="$HK_CACHE" HK_STATE="$HK_STATE" bash e2e/cluster/up.sh; }

e2e_tests() {
  eval "$($SUDO bash e2e/cluster/env.sh)"
  cargo test -p e2e --locked -- --ignored --test-threads=1 --nocapture
}

cmd_test() {
  trap summary EXIT
  phase "setup (toolchain)" setup_toolchain
  phase "setup (packages)" setup_test_packages
  phase "lint (fmt, clippy)" lint
  phase "unit tests" unit_tests
  phase "build portal" bash portal/build.sh
  phase "local cluster up" cluster_up
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
