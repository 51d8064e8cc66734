# Shared settings and helpers for the local-cluster scripts. Sourced, not run.
# Everything the cluster owns lives under $HK_STATE (state, certs, logs) and its
# binaries under $HK_CACHE (kept across CI runs, keyed by version).

HK_CACHE=${HK_CACHE:-/var/cache/hello-k8s}
HK_STATE=${HK_STATE:-/var/lib/hello-k8s}
HK_LOGS=$HK_STATE/logs
HK_RUN=$HK_STATE/run
HK_KUBECONFIG=$HK_STATE/admin.kubeconfig
K8S_DEB_VERSION=${K8S_DEB_VERSION:-1.20.5+really1.20.2-1.1+deb12u1}
K8S_BIN=$HK_CACHE/kubernetes/$K8S_DEB_VERSION/bin
TOOLS_BIN=$HK_CACHE/tools/kubectl-v33/bin
CONTAINERD_SOCK=$HK_RUN/containerd/containerd.sock
SERVICE_CIDR=10.96.0.0/16
POD_CIDR=10.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24

log() { printf '\033[1;34m[cluster]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[cluster] 오류:\033[0m %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" = 0 ] || die "이 스크립트는 root 권한이 필요합니다 (sudo 로 다시 실행하세요)."
}

# apt-get install only what is missing, so a warm machine does not touch the network.
apt_ensure() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt 패키지 설치: ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; then
    apt-get update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Waits until "$@" succeeds or $timeout seconds pass.
wait_for() {
  local what=$1 timeout=$2; shift 2
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS - start >= timeout )); then
      log "$what: ${timeout}s 안에 준비되지 않았습니다"
      return 1
    fi
    sleep 1
  done
}

# Prints the tail of every component log: called on any failure.
dump_logs() {
  [ -d "$HK_LOGS" ] || return 0
  for f in "$HK_LOGS"/*.log; do
    [ -f "$f" ] || continue
    printf '\n===== %s (마지막 40줄) =====\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
}
