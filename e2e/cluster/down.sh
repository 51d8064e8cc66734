#!/usr/bin/env bash
# Stops the local cluster that up.sh started and removes what it left on the host: pod
# containers, mounts, network namespaces, iptables chains, the cni0 bridge and the kernel
# settings it changed. The cluster's data (etcd, certificates) stays unless --purge is given.
#
#   sudo e2e/cluster/down.sh            # stop; `up.sh` brings the same cluster back
#   sudo e2e/cluster/down.sh --purge    # also delete $HK_STATE (never $HK_CACHE)
set -uo pipefail   # no -e: every step is best effort, so one failure does not stop the cleanup
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_root

purge=0
case ${1:-} in
  --purge) purge=1 ;;
  "") ;;
  *) die "알 수 없는 옵션: $1 (사용법: down.sh [--purge])" ;;
esac

# stop_pid NAME PID GRACE: SIGTERM, then SIGKILL after GRACE seconds.
stop_pid() {
  local name=$1 pid=$2 grace=$3
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq $((grace * 10))); do pid_alive "$pid" || break; sleep 0.1; done
  if pid_alive "$pid"; then
    log "$name (pid $pid) 가 ${grace}초 안에 끝나지 않아 강제 종료합니다"
    kill -KILL "$pid" 2>/dev/null
    for _ in $(seq 50); do pid_alive "$pid" || break; sleep 0.1; done
  fi
}

stop_component() {
  local name=$1 grace=${2:-10} pid
  while pid=$(component_pid "$name"); do
    log "$name 중지 (pid $pid)"
    stop_pid "$name" "$pid" "$grace"
    rm -f "$HK_RUN/$name.pid"
    pid_alive "$pid" && { log "경고: $name (pid $pid) 를 멈추지 못했습니다"; break; }
  done
  rm -f "$HK_RUN/$name.pid"
}

# Pod containers go through containerd while it still runs: app containers get SIGTERM and
# up to 5 s, then every task is force-deleted (SIGKILL) and the containers removed, so the
# kubelet starts fresh sandboxes on the next up. The CNI teardown is done by hand below.
stop_pods() {
  component_pid containerd >/dev/null || return 0
  local tasks apps t
  tasks=$(hk_ctr tasks ls -q 2>/dev/null)
  if [ -n "$tasks" ]; then
    log "파드 컨테이너 중지: $(wc -w <<<"$tasks")개"
    apps=$(hk_ctr containers ls -q 'labels."io.cri-containerd.kind"==container' 2>/dev/null)
    for t in $apps; do grep -qx "$t" <<<"$tasks" && hk_ctr tasks kill -a -s SIGTERM "$t" >/dev/null 2>&1; done
    for _ in $(seq 10); do
      hk_ctr tasks ls 2>/dev/null | awk 'NR > 1 && $3 == "RUNNING" { print $1 }' \
        | grep -xF >/dev/null -f <(printf '%s\n' "$apps") || break
      sleep 0.5
    done
    for t in $tasks; do hk_ctr tasks rm -f "$t" >/dev/null 2>&1; done
  fi
  for t in $(hk_ctr containers ls -q 2>/dev/null); do hk_ctr containers rm "$t" >/dev/null 2>&1; done
}

# Shims left behind (e.g. containerd had died): their children are the containers.
kill_shims() {
  local pid child
  for pid in $(our_shim_pids); do
    log "남은 containerd-shim 종료 (pid $pid)"
    for child in $(pgrep -P "$pid"); do kill -KILL "$child" 2>/dev/null; done
    kill -TERM "$pid" 2>/dev/null
  done
  sleep 0.5
  for pid in $(our_shim_pids); do kill -KILL "$pid" 2>/dev/null; done
}

# Removes every KUBE-* and CNI-* chain and every rule that jumps to one, in one
# iptables-restore transaction per table (other rules stay as they are).
clean_iptables() {
  local ipt=$1 table dump chains
  command -v "$ipt-save" >/dev/null || return 0
  for table in filter nat mangle raw; do
    dump=$("$ipt-save" -t "$table" 2>/dev/null) || continue
    chains=$(grep -oE '^:(KUBE-|CNI-)[^ ]+' <<<"$dump" | cut -c2-)
    [ -n "$chains" ] || continue
    {
      echo "*$table"
      grep -E '^-A ' <<<"$dump" | grep -vE '^-A (KUBE-|CNI-)' | grep -E -- '-j (KUBE-|CNI-)' | sed 's/^-A /-D /'
      for c in $chains; do echo "-F $c"; done
      for c in $chains; do echo "-X $c"; done
      echo COMMIT
    } | "$ipt-restore" -w 5 --noflush || log "경고: $ipt $table 테이블 정리 실패"
    log "$ipt $table: 체인 $(wc -w <<<"$chains")개 제거"
  done
}

restore_sysctls() {
  [ -f "$HK_STATE/sysctl.orig" ] || return 0
  local line
  while IFS= read -r line; do
    [ -n "$line" ] && sysctl -qw "$line" 2>/dev/null
  done <"$HK_STATE/sysctl.orig"
  rm -f "$HK_STATE/sysctl.orig"
  log "커널 설정(sysctl)을 시작 전 값으로 되돌렸습니다"
}

# Empty pod cgroups the kubelet left (kubepods/...), deepest first.
remove_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  return 0
}

t0=$SECONDS
was_running=0
for name in "${HK_COMPONENTS[@]}"; do component_pid "$name" >/dev/null && was_running=1; done
[ -n "$(our_shim_pids)" ] && was_running=1
[ $was_running = 1 ] || log "실행 중인 클러스터 구성 요소가 없습니다"

# Node first (so nothing restarts pods), then pods, containerd, the control plane, etcd.
stop_component kube-proxy
stop_component kubelet
stop_component kube-scheduler
stop_component kube-controller-manager
stop_pods
stop_component containerd 15
kill_shims
stop_component kube-apiserver 15
stop_component etcd 15

# Mounts: pod volumes and the kubelet's own bind mount, container rootfs and shm mounts.
if [ -d "$HK_STATE" ]; then
  umount_under "$HK_STATE" || log "경고: $HK_STATE 아래 마운트 일부를 해제하지 못했습니다"
fi
remove_netns
clean_iptables iptables
clean_iptables ip6tables
if ip link show cni0 >/dev/null 2>&1; then ip link delete cni0 && log "cni0 브리지 제거"; fi
# Every pod is gone, so host-local's IP leases are stale.
rm -rf "${CNI_IPAM_DIR:?}"/* 2>/dev/null
remove_cgroups
restore_sysctls

if [ $purge = 1 ]; then
  if awk -v d="$HK_STATE" '{ if ($5 == d || index($5, d "/") == 1) f = 1 } END { exit !f }' /proc/self/mountinfo; then
    die "$HK_STATE 아래에 아직 마운트가 남아 있어 삭제하지 않습니다"
  fi
  # Files of other tools that only this cluster's kubelet writes.
  if [ -f "$HK_STATE/created-var-lib-kubelet" ]; then rm -rf --one-file-system /var/lib/kubelet; fi
  rm -rf /var/log/pods /var/log/containers
  sed -i '/ # hello-k8s$/d' /etc/hosts
  # ~/.kube/config is removed only if it is exactly the copy up.sh made (its CA is now gone).
  user_home=$(getent passwd "${SUDO_USER:-root}" | cut -d: -f6)
  if [ -n "$user_home" ] && [ -f "$HK_KUBECONFIG" ] && cmp -s "$user_home/.kube/config" "$HK_KUBECONFIG"; then
    rm -f "$user_home/.kube/config" && log "$user_home/.kube/config 삭제 (이 클러스터의 복사본)"
  fi
  rm -rf --one-file-system "$HK_STATE"
  log "$HK_STATE 삭제 ($HK_CACHE 는 그대로 둡니다)"
fi
log "클러스터 중지 완료 ($((SECONDS - t0))초)"
