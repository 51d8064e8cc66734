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

# Debian packages, in one place so `./dev.sh test` installs them all in one apt run before
# the cluster is built in the background (two apt runs at once would fight over dpkg's lock).
HK_APT_BUILD=(golang-go rsync jq dpkg-dev golang-github-modern-go-reflect2-dev unzip)
HK_APT_CLUSTER=(etcd-server containerd runc containernetworking-plugins iptables conntrack socat
  openssl busybox-static buildah curl jq iproute2 ca-certificates)

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

# ---- added for up.sh / down.sh / env.sh ----------------------------------------------
HK_PKI=$HK_STATE/pki
HK_CONF=$HK_STATE/conf                # generated configs and per-component kubeconfigs
HK_CONTEXT=hello-k8s-local
HK_API_URL=https://127.0.0.1:6443
CONTAINERD_ROOT=$HK_STATE/containerd
CONTAINERD_STATE=$HK_RUN/containerd/state
RUNC_ROOT=$HK_RUN/runc
KUBELET_ROOT=$HK_STATE/kubelet
CNI_CONF_DIR=$HK_STATE/cni/net.d
CNI_IPAM_DIR=$HK_STATE/cni/networks   # host-local's leases; emptied by down.sh
SANDBOX_IMAGE=docker.io/local/pause:1
# Start order; down.sh stops them in reverse.
HK_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy)

component_exe() {
  case $1 in
    etcd) readlink -f /usr/bin/etcd ;;
    containerd) readlink -f /usr/bin/containerd ;;
    *) readlink -f "$K8S_BIN/$1" ;;
  esac
}

# Prints the pid of component $1 if it runs. The pid file is trusted only when the process
# is still that binary; otherwise a process of that binary whose command line names
# $HK_STATE (all of ours do) is adopted, so a lost pid file never starts a second copy.
component_pid() {
  local name=$1 exe pid f=$HK_RUN/$1.pid
  exe=$(component_exe "$name")
  if [ -f "$f" ]; then
    pid=$(cat "$f" 2>/dev/null)
    if [[ $pid =~ ^[0-9]+$ ]] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ]; then
      echo "$pid"; return 0
    fi
  fi
  for pid in $(pids_of_exe "$exe"); do
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$HK_STATE/"; then
      mkdir -p "$HK_RUN"; echo "$pid" >"$f"; echo "$pid"; return 0
    fi
  done
  return 1
}

# True while process $1 exists and is not a zombie (PID 1 on these VMs may reap late).
pid_alive() {
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Pids whose executable is exactly $1.
pids_of_exe() {
  find /proc/[0-9]*/exe -maxdepth 0 -lname "$1" 2>/dev/null | cut -d/ -f3
}

# Pids of containerd shims that serve our containerd (they name its socket).
our_shim_pids() {
  local pid
  for pid in $(pids_of_exe "$(readlink -f /usr/bin/containerd-shim-runc-v2)"); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-address $CONTAINERD_SOCK " && echo "$pid"
  done
  return 0
}

# Like wait_for, but gives up at once when component $1's process has died.
wait_component() {
  local name=$1 timeout=$2; shift 2
  local start=$SECONDS pid
  pid=$(cat "$HK_RUN/$name.pid" 2>/dev/null || true)
  until "$@" >/dev/null 2>&1; do
    if [ -z "$pid" ] || ! pid_alive "$pid"; then
      log "$name 프로세스가 종료되었습니다 (로그: $HK_LOGS/$name.log)"; return 1
    fi
    if (( SECONDS - start >= timeout )); then
      log "$name: ${timeout}s 안에 준비되지 않았습니다"; return 1
    fi
    sleep 0.5
  done
}

# Unmounts every mount point at or below $1, deepest first.
umount_under() {
  local dir=${1%/} pass mp left
  for pass in 1 2 3; do
    left=0
    while IFS= read -r mp; do
      [ -n "$mp" ] || continue
      left=1
      umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || true
    done < <(awk -v d="$dir" '{ m=$5; gsub(/\\040/," ",m); if (m==d || index(m, d "/")==1) print length(m) "\t" m }' /proc/self/mountinfo | sort -rn | cut -f2-)
    [ $left = 0 ] && return 0
  done
  ! awk -v d="$dir" '{ m=$5; if (m==d || index(m, d "/")==1) f=1 } END { exit !f }' /proc/self/mountinfo
}

hk_ctr() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }
hk_kubectl() { "$K8S_BIN/kubectl" --kubeconfig "$HK_KUBECONFIG" "$@"; }

hk_node_name() { hostname | tr '[:upper:]' '[:lower:]'; }

# The machine's primary IPv4 address: the source address of the default route
# ("ip route get" only consults the routing table, it sends nothing).
hk_node_ip() {
  local ip
  ip=$(ip -o -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
  [ -n "$ip" ] || ip=$(ip -o -4 addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
  [ -n "$ip" ] && echo "$ip"
}

# Pod network namespaces (/run/netns/cni-*, made by containerd's CRI) that no process uses
# any more: unmount and remove. One still in use belongs to something else and stays.
remove_netns() {
  local f ino used
  [ -d /run/netns ] || return 0
  # find fails for processes that exit while it runs; the rest of its answer still counts.
  used=$(find /proc/[0-9]*/ns/net -maxdepth 0 -printf '%l\n' 2>/dev/null | sort -u) || true
  for f in /run/netns/cni-*; do
    [ -e "$f" ] || continue
    ino=$(stat -L -c %i "$f" 2>/dev/null)
    if [ -n "$ino" ] && grep -qx "net:\[$ino\]" <<<"$used"; then continue; fi
    # After a reboot (or on a copied disk) the file is no longer a mount: nothing to unmount.
    umount "$f" 2>/dev/null || umount -l "$f" 2>/dev/null || true
    rm -f "$f" && log "네트워크 네임스페이스 제거: $f"
  done
  rmdir /run/netns 2>/dev/null || true
}
