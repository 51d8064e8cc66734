#!/usr/bin/env bash
# Brings up a real single-node Kubernetes 1.20 on this machine without systemd, Docker or a
# registry: etcd, kube-apiserver, controller-manager, scheduler, containerd, kubelet and
# kube-proxy run as background processes (pid in $HK_RUN/<name>.pid, log in
# $HK_LOGS/<name>.log). Running it again is harmless: it only restarts what died.
#
#   sudo e2e/cluster/up.sh          # then: eval "$(e2e/cluster/env.sh)"; kubectl get nodes
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/certs.sh"
. "$here/configs.sh"
need_root

t0=$SECONDS
on_exit() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    dump_logs
    printf '\033[1;31m[cluster] 오류:\033[0m 클러스터를 시작하지 못했습니다 (종료 코드 %s). 위 로그를 확인하세요. 정리: sudo %s/down.sh\n' "$rc" "$here" >&2
  fi
}
trap on_exit EXIT

"$here/build.sh"
apt_ensure "${HK_APT_CLUSTER[@]}"

NODE_NAME=$(hk_node_name)
NODE_IP=$(hk_node_ip) || die "이 머신의 기본 IPv4 주소를 찾지 못했습니다 (기본 경로가 없습니다)."
log "노드: $NODE_NAME ($NODE_IP)"
mkdir -p "$HK_STATE" "$HK_LOGS" "$HK_RUN" "$HK_CONF" "$CNI_IPAM_DIR" "$KUBELET_ROOT"
chmod 700 "$HK_STATE"

# ---- host prerequisites ------------------------------------------------------------------
# The kubelet and the apiserver look the node up by name; it must resolve.
if ! getent hosts "$NODE_NAME" >/dev/null; then
  echo "$NODE_IP $NODE_NAME # hello-k8s" >>/etc/hosts
  log "/etc/hosts 에 추가: $NODE_IP $NODE_NAME"
fi

# Kernel settings the kubelet, kube-proxy and the CNI bridge change; the values from before
# the first start are kept so down.sh can put them back.
SYSCTLS=(net.ipv4.ip_forward net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables
  vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
[ -d /proc/sys/net/bridge ] || modprobe br_netfilter 2>/dev/null || true
if [ ! -f "$HK_STATE/sysctl.orig" ]; then
  for k in "${SYSCTLS[@]}"; do v=$(sysctl -n "$k" 2>/dev/null) && echo "$k=$v"; done >"$HK_STATE/sysctl.orig.tmp"
  mv "$HK_STATE/sysctl.orig.tmp" "$HK_STATE/sysctl.orig"
fi
sysctl -qw net.ipv4.ip_forward=1
[ -d /proc/sys/net/bridge ] && sysctl -qw net.bridge.bridge-nf-call-iptables=1
# The kubelet hard-codes this directory for device plugins; note whether we made it.
[ -d /var/lib/kubelet ] || { mkdir -p /var/lib/kubelet; touch "$HK_STATE/created-var-lib-kubelet"; }

ensure_certs "$NODE_NAME" "$NODE_IP"
write_kubeconfigs "$NODE_NAME"
write_containerd_config
write_cni_config
write_kubelet_config

# ---- starting and checking components -------------------------------------------------------
# start NAME ARGS...: starts component NAME in its own session unless it already runs.
declare -A launched=()   # component -> epoch second it was started by this run
start() {
  local name=$1 pid; shift
  if pid=$(component_pid "$name"); then
    log "$name 실행 중 (pid $pid)"; return 0
  fi
  [ -f "$HK_LOGS/$name.log" ] && mv -f "$HK_LOGS/$name.log" "$HK_LOGS/$name.log.prev"
  rm -f "$HK_RUN/$name.pid"
  launched[$name]=$(date +%s)
  # The inner shell writes its own pid, then becomes the component (exec): the pid file is
  # right whether or not setsid had to fork.
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$HK_RUN/$name.pid" "$(component_exe "$name")" "$@" \
    </dev/null >"$HK_LOGS/$name.log" 2>&1 &
  for _ in $(seq 50); do [ -s "$HK_RUN/$name.pid" ] && break; sleep 0.1; done
  log "$name 시작 (pid $(cat "$HK_RUN/$name.pid"))"
}

http_ok() { curl -fsS --max-time 3 "$@" >/dev/null; }
etcd_ok() { curl -fsS --max-time 3 http://127.0.0.1:2379/health | grep -q '"health":"true"'; }
api_ok() {
  http_ok --cacert "$HK_PKI/ca.crt" --cert "$HK_PKI/admin.crt" --key "$HK_PKI/admin.key" "$HK_API_URL/readyz"
}
containerd_ok() { ctr --address "$CONTAINERD_SOCK" version; }
# Ready, and reported by the running kubelet: right after a restart the node still shows
# the condition its previous kubelet left, so a fresh kubelet must have sent a newer one.
node_ready() {
  local out status hb
  out=$(hk_kubectl get node "$NODE_NAME" \
    -o jsonpath='{range .status.conditions[?(@.type=="Ready")]}{.status} {.lastHeartbeatTime}{end}') || return 1
  read -r status hb <<<"$out"
  [ "$status" = True ] || return 1
  [ -z "${launched[kubelet]:-}" ] || [ "$(date -d "$hb" +%s)" -ge "${launched[kubelet]}" ]
}
# Pods need the namespace's ServiceAccount and, on 1.20, its token secret.
default_sa_ready() {
  [ -n "$(hk_kubectl -n default get serviceaccount default -o jsonpath='{.secrets[0].name}')" ]
}

# ---- etcd, containerd, the control plane, images ---------------------------------------------------
# Independent pieces start together; images are built and imported while the apiserver boots.
start etcd --name hello-k8s --data-dir "$HK_STATE/etcd" --logger zap \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster hello-k8s=http://127.0.0.1:2380 --auto-compaction-retention 1
if ! component_pid containerd >/dev/null && [ -z "$(our_shim_pids)" ]; then
  # Nothing of ours runs (e.g. after a reboot): runtime state from before is stale.
  umount_under "$CONTAINERD_STATE" || true
  umount_under "$RUNC_ROOT" || true
  rm -rf --one-file-system "$CONTAINERD_STATE" "$RUNC_ROOT"
  # Pod networks of a cluster that was killed rather than stopped keep their veths and
  # addresses on cni0; a new address lease would hand the same IP out again (two pods,
  # one address: probes answered "connection refused" by the stale one).
  remove_netns
  rm -rf --one-file-system "$CNI_IPAM_DIR"
  mkdir -p "$CNI_IPAM_DIR"
fi
mkdir -p "$(dirname "$CONTAINERD_SOCK")" "$CONTAINERD_STATE" "$RUNC_ROOT"
start containerd --config "$HK_CONF/containerd.toml"
wait_component etcd 60 etcd_ok || die "etcd 가 응답하지 않습니다"

# Listens on all addresses but advertises the node IP: pods reach it through the
# "kubernetes" Service (10.96.0.1 -> NODE_IP:6443); loopback is not allowed as an endpoint.
start kube-apiserver \
  --advertise-address "$NODE_IP" --bind-address 0.0.0.0 --secure-port 6443 \
  --etcd-servers http://127.0.0.1:2379 \
  --client-ca-file "$HK_PKI/ca.crt" \
  --tls-cert-file "$HK_PKI/apiserver.crt" --tls-private-key-file "$HK_PKI/apiserver.key" \
  --kubelet-client-certificate "$HK_PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key "$HK_PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$HK_PKI/ca.crt" \
  --kubelet-preferred-address-types InternalIP,Hostname \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$HK_PKI/sa.pub" --service-account-signing-key-file "$HK_PKI/sa.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --authorization-mode Node,RBAC \
  --enable-admission-plugins NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota,NodeRestriction \
  --requestheader-client-ca-file "$HK_PKI/front-proxy-ca.crt" \
  --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$HK_PKI/front-proxy-client.crt" --proxy-client-key-file "$HK_PKI/front-proxy-client.key" \
  --allow-privileged=true --event-ttl 1h --v 1
wait_component containerd 60 containerd_ok || die "containerd 가 응답하지 않습니다"

# Images come from OCI archives (no registry): build them (a no-op when current), then import
# each one whose digest containerd does not have yet, before the kubelet creates any pod.
# HK_SKIP_IMAGE_BUILD=1 imports the archives already in the cache without rebuilding them.
images_sh=$here/../../deploy/images/build.sh
if [ "${HK_SKIP_IMAGE_BUILD:-0}" = 1 ]; then
  log "HK_SKIP_IMAGE_BUILD=1: 이미지 빌드를 건너뛰고 캐시의 아카이브만 가져옵니다"
elif [ -x "$images_sh" ]; then
  "$images_sh" || die "이미지 빌드 실패: $images_sh (캐시된 이미지로 계속하려면 HK_SKIP_IMAGE_BUILD=1)"
else
  log "경고: $images_sh 이 없습니다. $HK_CACHE/images 에 있는 이미지만 가져옵니다."
fi
shopt -s nullglob
archives=("$HK_CACHE"/images/*.oci.tar)
shopt -u nullglob
for archive in "${archives[@]}"; do
  index=$(tar -xOf "$archive" index.json) || die "OCI 아카이브를 읽지 못했습니다: $archive"
  name=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"] // empty' <<<"$index")
  digest=$(jq -r '.manifests[0].digest' <<<"$index")
  [ -n "$name" ] || die "이미지 이름이 없는 아카이브입니다: $archive"
  if hk_ctr images ls "name==$name" 2>/dev/null | awk 'NR > 1 { print $3 }' | grep -x "$digest" >/dev/null; then
    continue
  fi
  hk_ctr images import "$archive" >/dev/null || die "이미지 가져오기 실패: $archive"
  log "이미지 가져옴: $name"
done
# Not `grep -q`: it would stop reading early, and with pipefail the writer's SIGPIPE
# would read as "missing".
hk_ctr images ls -q | grep -x "$SANDBOX_IMAGE" >/dev/null \
  || die "샌드박스 이미지 $SANDBOX_IMAGE 가 없습니다 (deploy/images/build.sh 가 만듭니다)."

wait_component kube-apiserver 90 api_ok || die "kube-apiserver 가 준비되지 않았습니다"

# Single node: no leader election, so a restart does not wait for an old lease to expire.
# The insecure ports (10252/10251) stay on loopback only, for `kubectl get componentstatuses`.
start kube-controller-manager \
  --kubeconfig "$HK_CONF/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$HK_CONF/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$HK_CONF/controller-manager.kubeconfig" \
  --use-service-account-credentials --root-ca-file "$HK_PKI/ca.crt" \
  --service-account-private-key-file "$HK_PKI/sa.key" \
  --cluster-signing-cert-file "$HK_PKI/ca.crt" --cluster-signing-key-file "$HK_PKI/ca.key" \
  --controllers '*,-nodeipam' --cluster-name hello-k8s \
  --leader-elect=false --bind-address 127.0.0.1 --address 127.0.0.1 --v 1
start kube-scheduler \
  --kubeconfig "$HK_CONF/scheduler.kubeconfig" \
  --authentication-kubeconfig "$HK_CONF/scheduler.kubeconfig" \
  --authorization-kubeconfig "$HK_CONF/scheduler.kubeconfig" \
  --leader-elect=false --bind-address 127.0.0.1 --address 127.0.0.1 --v 1

# ---- node ------------------------------------------------------------------------------------------
# --node-ip is the machine's address, never loopback: with 127.0.0.1 the node has no
# usable address and `kubectl logs/exec` fail.
start kubelet \
  --config "$HK_CONF/kubelet-config.yaml" --kubeconfig "$HK_CONF/kubelet.kubeconfig" \
  --container-runtime=remote --container-runtime-endpoint "unix://$CONTAINERD_SOCK" \
  --pod-infra-container-image "$SANDBOX_IMAGE" \
  --root-dir "$KUBELET_ROOT" --cert-dir "$KUBELET_ROOT/pki" \
  --volume-plugin-dir "$KUBELET_ROOT/volume-plugins" \
  --node-ip "$NODE_IP" --hostname-override "$NODE_NAME" --v 1
# conntrack limits and timeouts are left as they are (0): the VM may refuse to change them.
start kube-proxy \
  --kubeconfig "$HK_CONF/kube-proxy.kubeconfig" --proxy-mode iptables \
  --cluster-cidr "$POD_CIDR" --hostname-override "$NODE_NAME" --bind-address "$NODE_IP" \
  --healthz-bind-address 127.0.0.1:10256 --metrics-bind-address 127.0.0.1:10249 \
  --conntrack-max-per-core 0 --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0 \
  --v 1
wait_component kube-controller-manager 60 http_ok http://127.0.0.1:10252/healthz \
  || die "kube-controller-manager 가 준비되지 않았습니다"
wait_component kube-scheduler 60 http_ok http://127.0.0.1:10251/healthz || die "kube-scheduler 가 준비되지 않았습니다"
wait_component kubelet 60 http_ok http://127.0.0.1:10248/healthz || die "kubelet 이 준비되지 않았습니다"
wait_component kube-proxy 60 http_ok http://127.0.0.1:10256/healthz || die "kube-proxy 가 준비되지 않았습니다"
wait_component kubelet 180 node_ready || die "노드 $NODE_NAME 이 Ready 가 되지 않았습니다"
wait_component kube-controller-manager 60 default_sa_ready || die "default ServiceAccount 가 만들어지지 않았습니다"

# ---- kubeconfig for the user ------------------------------------------------------------------
# Under sudo the invoking user's ~/.kube/config; an existing file is never touched.
user_name=${SUDO_USER:-root}
user_home=$(getent passwd "$user_name" | cut -d: -f6)
user_home=${user_home:-$HOME}
if [ -e "$user_home/.kube/config" ]; then
  if cmp -s "$user_home/.kube/config" "$HK_KUBECONFIG"; then
    log "$user_home/.kube/config 는 이미 이 클러스터의 kubeconfig 입니다"
  else
    log "$user_home/.kube/config 가 이미 있어 그대로 둡니다: KUBECONFIG=$HK_KUBECONFIG 를 쓰세요 (eval \"\$($here/env.sh)\")"
  fi
else
  install -d -m 0700 "$user_home/.kube"
  install -m 0600 "$HK_KUBECONFIG" "$user_home/.kube/config"
  chown "$user_name": "$user_home/.kube" "$user_home/.kube/config" 2>/dev/null || true
  log "$user_home/.kube/config 에 kubeconfig 를 복사했습니다 (컨텍스트 $HK_CONTEXT)"
fi

log "클러스터 준비 완료: 노드 $NODE_NAME Ready, $((SECONDS - t0))초 걸림"
log "사용법: eval \"\$($here/env.sh)\"; kubectl get nodes"
