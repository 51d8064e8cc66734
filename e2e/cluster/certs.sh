# Certificates and kubeconfigs of the local cluster. Sourced by up.sh (after lib.sh).
# Everything is made once under $HK_PKI; only the certificates that name the node
# (its hostname or primary IP) are made again when those change.

CLIENT_EXT='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth'

SERVER_EXT='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth'

# make_ca NAME CN: a self-signed CA certificate and key.
make_ca() {
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$HK_PKI/$1.key.tmp" -subj "/CN=$2" \
    -days 3650 -sha256 -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" -out "$HK_PKI/$1.crt.tmp" 2>/dev/null
  chmod 600 "$HK_PKI/$1.key.tmp"
  mv -f "$HK_PKI/$1.key.tmp" "$HK_PKI/$1.key"
  mv -f "$HK_PKI/$1.crt.tmp" "$HK_PKI/$1.crt"
}

# [CA=ca] sign NAME SUBJECT EXTENSIONS: a fresh RSA key and a CA-signed certificate, written
# atomically (a half-written certificate must never look finished).
sign() {
  local name=$1 subj=$2 ext=$3 tmp
  tmp=$(mktemp -d "$HK_PKI/.tmp.XXXXXX")
  openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/key" -subj "$subj" -out "$tmp/csr" 2>/dev/null
  printf '%s\n' "$ext" >"$tmp/ext"
  openssl x509 -req -in "$tmp/csr" -CA "$HK_PKI/${CA:-ca}.crt" -CAkey "$HK_PKI/${CA:-ca}.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 3650 -sha256 -extfile "$tmp/ext" -out "$tmp/crt" 2>/dev/null
  chmod 600 "$tmp/key"
  mv -f "$tmp/key" "$HK_PKI/$name.key"
  mv -f "$tmp/crt" "$HK_PKI/$name.crt"
  rm -rf "$tmp"
}

# ensure_certs NODE_NAME NODE_IP
ensure_certs() {
  local node=$1 ip=$2
  local svc_ip=${SERVICE_CIDR%.*/*}.1   # first address of the service range: the "kubernetes" Service
  mkdir -p "$HK_PKI"; chmod 700 "$HK_PKI"

  if [ ! -f "$HK_PKI/ca.crt" ]; then
    log "인증서 생성: CA"
    # Anything signed by an older CA goes (the service-account pair is not CA-signed: kept).
    find "$HK_PKI" -maxdepth 1 \( -name '*.crt' -o -name '*.key' \) ! -name 'sa.*' ! -name 'front-proxy*' -delete
    rm -f "$HK_PKI/node.stamp"
    make_ca ca hello-k8s-ca
  fi
  # A second CA for the aggregation layer (request-header authentication), as kubeadm does:
  # without it every component logs "missing content for CA bundle" forever.
  if [ ! -f "$HK_PKI/front-proxy-ca.crt" ]; then
    rm -f "$HK_PKI"/front-proxy-client.*
    make_ca front-proxy-ca hello-k8s-front-proxy-ca
  fi
  [ -f "$HK_PKI/front-proxy-client.crt" ] \
    || CA=front-proxy-ca sign front-proxy-client "/CN=front-proxy-client" "$CLIENT_EXT"

  # Service-account tokens are signed with this pair (apiserver verifies, controller-manager signs).
  if [ ! -f "$HK_PKI/sa.pub" ]; then
    openssl genrsa -out "$HK_PKI/sa.key.tmp" 2048 2>/dev/null
    openssl rsa -in "$HK_PKI/sa.key.tmp" -pubout -out "$HK_PKI/sa.pub.tmp" 2>/dev/null
    chmod 600 "$HK_PKI/sa.key.tmp"
    mv -f "$HK_PKI/sa.key.tmp" "$HK_PKI/sa.key"
    mv -f "$HK_PKI/sa.pub.tmp" "$HK_PKI/sa.pub"
  fi

  # The node's name and address are baked into three certificates: remake them if either changed.
  local stamp="$node $ip"
  if [ "$(cat "$HK_PKI/node.stamp" 2>/dev/null)" != "$stamp" ]; then
    [ -f "$HK_PKI/node.stamp" ] && log "노드 이름/IP 변경 감지 ($stamp): 노드 인증서를 다시 만듭니다"
    rm -f "$HK_PKI"/apiserver.crt "$HK_PKI"/kubelet.crt "$HK_PKI"/node.crt
  fi

  local made=()
  [ -f "$HK_PKI/apiserver.crt" ] || { made+=(apiserver); sign apiserver "/CN=kube-apiserver" "$SERVER_EXT
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:$node,IP:127.0.0.1,IP:$svc_ip,IP:$ip"; }
  # Serving certificate of the kubelet, so the apiserver can verify it (--kubelet-certificate-authority).
  [ -f "$HK_PKI/kubelet.crt" ] || { made+=(kubelet); sign kubelet "/CN=$node" "$SERVER_EXT
subjectAltName=DNS:$node,DNS:localhost,IP:$ip,IP:127.0.0.1"; }
  [ -f "$HK_PKI/node.crt" ] || { made+=(node); sign node "/O=system:nodes/CN=system:node:$node" "$CLIENT_EXT"; }
  [ -f "$HK_PKI/admin.crt" ] || { made+=(admin); sign admin "/O=system:masters/CN=hello-k8s-admin" "$CLIENT_EXT"; }
  [ -f "$HK_PKI/apiserver-kubelet-client.crt" ] || { made+=(apiserver-kubelet-client)
    sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$CLIENT_EXT"; }
  [ -f "$HK_PKI/controller-manager.crt" ] || { made+=(controller-manager)
    sign controller-manager "/CN=system:kube-controller-manager" "$CLIENT_EXT"; }
  [ -f "$HK_PKI/scheduler.crt" ] || { made+=(scheduler); sign scheduler "/CN=system:kube-scheduler" "$CLIENT_EXT"; }
  [ -f "$HK_PKI/kube-proxy.crt" ] || { made+=(kube-proxy); sign kube-proxy "/CN=system:kube-proxy" "$CLIENT_EXT"; }
  echo "$stamp" >"$HK_PKI/node.stamp"
  [ ${#made[@]} -eq 0 ] || log "인증서 생성: ${made[*]}"
}

# write_kubeconfig FILE USER CERT: a kubeconfig with everything embedded, replaced only when
# its content changes (so a running component's file is not rewritten needlessly).
write_kubeconfig() {
  local file=$1 user=$2 cert=$3
  mkdir -p "$(dirname "$file")"
  cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $HK_CONTEXT
  cluster:
    server: $HK_API_URL
    certificate-authority-data: $(base64 -w0 "$HK_PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 "$HK_PKI/$cert.crt")
    client-key-data: $(base64 -w0 "$HK_PKI/$cert.key")
contexts:
- name: $HK_CONTEXT
  context:
    cluster: $HK_CONTEXT
    user: $user
current-context: $HK_CONTEXT
EOF
  chmod 600 "$file.tmp"
  if cmp -s "$file.tmp" "$file"; then rm -f "$file.tmp"; else mv -f "$file.tmp" "$file"; fi
}

write_kubeconfigs() {
  local node=$1
  write_kubeconfig "$HK_KUBECONFIG" hello-k8s-admin admin
  write_kubeconfig "$HK_CONF/controller-manager.kubeconfig" system:kube-controller-manager controller-manager
  write_kubeconfig "$HK_CONF/scheduler.kubeconfig" system:kube-scheduler scheduler
  write_kubeconfig "$HK_CONF/kubelet.kubeconfig" "system:node:$node" node
  write_kubeconfig "$HK_CONF/kube-proxy.kubeconfig" system:kube-proxy kube-proxy
}
