# Config files of containerd, the CNI bridge and the kubelet. Sourced by up.sh (after lib.sh).

# put_file FILE: writes stdin to FILE only when the content differs; returns 0 if it changed.
put_file() {
  local file=$1
  mkdir -p "$(dirname "$file")"
  cat >"$file.tmp"
  if cmp -s "$file.tmp" "$file"; then rm -f "$file.tmp"; return 1; fi
  mv -f "$file.tmp" "$file"
}

write_containerd_config() {
  put_file "$HK_CONF/containerd.toml" <<EOF || true
# containerd of the hello-k8s local cluster: its own root, state and socket, so it never
# mixes with a containerd the machine may run itself.
version = 2
root = "$CONTAINERD_ROOT"
state = "$CONTAINERD_STATE"

[grpc]
  address = "$CONTAINERD_SOCK"

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$CONTAINERD_ROOT/opt"

  [plugins."io.containerd.grpc.v1.cri"]
    # Imported from \$HK_CACHE/images; there is no registry to pull from.
    sandbox_image = "$SANDBOX_IMAGE"
    # The sandbox lacks CAP_SYS_RESOURCE: without this every pod sandbox fails
    # (runc "can't get final child's PID").
    restrict_oom_score_adj = true
    # exec/attach/port-forward streams: loopback only, any free port.
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"

    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      # runc, not crun: crun refuses the hybrid (v1 + unified) cgroup layout.
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          BinaryName = "/usr/sbin/runc"
          Root = "$RUNC_ROOT"
          SystemdCgroup = false

    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$CNI_CONF_DIR"
      max_conf_num = 1
EOF
}

# One bridge (cni0) for the single node's pods; the pod range comes from here, not from
# the controller-manager (nodeipam is off). loopback is set up by containerd itself.
write_cni_config() {
  put_file "$CNI_CONF_DIR/10-hello-k8s.conflist" <<EOF || true
{
  "cniVersion": "0.4.0",
  "name": "hello-k8s",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$CNI_IPAM_DIR",
        "ranges": [[{ "subnet": "$NODE_POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
}

write_kubelet_config() {
  put_file "$HK_CONF/kubelet-config.yaml" <<EOF || true
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# The apiserver reaches the kubelet with its client cert; other callers go through
# webhook authentication/authorization (tokens and RBAC).
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $HK_PKI/ca.crt
authorization:
  mode: Webhook
tlsCertFile: $HK_PKI/kubelet.crt
tlsPrivateKeyFile: $HK_PKI/kubelet.key
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
cgroupDriver: cgroupfs
failSwapOn: false
clusterDomain: cluster.local
# No DNS add-on: pods fall back to the host's resolv.conf.
clusterDNS: []
resolvConf: /etc/resolv.conf
# Small disks: evict only when really full, and never garbage-collect images, since
# they were imported and cannot be pulled again.
evictionHard:
  memory.available: "50Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
# With node leases the status is only sent when it changes; checking it often makes a
# (re)started node turn Ready sooner.
nodeStatusUpdateFrequency: 4s
serializeImagePulls: false
maxPods: 110
EOF
}
