#!/usr/bin/env bash
# Daemonless image builds for machines without a Docker engine: static (musl) binaries
# copied into scratch images with buildah, written as OCI archives that containerd
# imports. Image names are already in the normalised form the CRI looks up.
#
#   deploy/images/build.sh            # hello-world:1.0.0, hello-world:2.0.0, pause
#   deploy/images/build.sh portal     # hello-k8s-portal:<appVersion> (portal.sh), imported into containerd
#   IMAGES_OUT=/tmp/x deploy/images/build.sh
#
# Re-running is cheap: each archive is rebuilt only when its inputs changed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/e2e/cluster/lib.sh"
need_root

OUT=${IMAGES_OUT:-$HK_CACHE/images}
TARGET=x86_64-unknown-linux-musl
# A target folder of its own: `./dev.sh test` builds these images in the background while
# the tests compile, and two cargo runs on one target folder wait for each other's lock.
IMAGES_TARGET_DIR=${IMAGES_TARGET_DIR:-$repo/target/images}
BUILDAH=(buildah --storage-driver vfs --root "$HK_CACHE/buildah/root" --runroot "$HK_RUN/buildah")
mkdir -p "$OUT"

apt_ensure buildah busybox-static
rustup target list --installed 2>/dev/null | grep -x "$TARGET" >/dev/null || rustup target add "$TARGET" >/dev/null

# Writes a minimal root filesystem: busybox (so `kubectl exec … -- sh`, `env`, `ps` and
# the preStop `sleep` work), a non-root user, and /tmp.
make_rootfs() {
  local dir=$1
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/usr/local/bin"
  chmod 1777 "$dir/tmp"
  install -m 0755 /bin/busybox "$dir/bin/busybox"
  for applet in sh ash env ps ls cat sleep echo grep wget id hostname top kill head tail printenv date uptime free; do
    ln -sf busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001:app:/tmp:/bin/sh\n' > "$dir/etc/passwd"
  printf 'root:x:0:\napp:x:10001:\n' > "$dir/etc/group"
}

# commit_image NAME ARCHIVE ROOTFS buildah-config-args…
commit_image() {
  local name=$1 archive=$2 rootfs=$3; shift 3
  local ctr
  ctr=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" copy "$ctr" "$rootfs/" / >/dev/null
  "${BUILDAH[@]}" config "$@" "$ctr"
  rm -f "$archive.tmp"
  "${BUILDAH[@]}" commit --quiet --rm "$ctr" "oci-archive:$archive.tmp:$name" >/dev/null
  mv "$archive.tmp" "$archive"
  # Only the archive is kept; drop the image from buildah's own store.
  "${BUILDAH[@]}" rmi --all >/dev/null 2>&1 || true
}

# Inputs of the hello images: the service sources, the lockfile and this script.
inputs_hash() {
  (cd "$repo" && find service -type f -not -path '*/target/*' -print0 | sort -z | xargs -0 sha256sum
   sha256sum Cargo.lock Cargo.toml deploy/images/build.sh) | sha256sum | cut -c1-16
}

build_hello() {
  local version=$1 features=$2
  local archive=$OUT/hello-world-$version.oci.tar stamp=$OUT/hello-world-$version.inputs
  local hash; hash=$(inputs_hash)
  if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
    log "이미지 최신 상태: hello-world:$version"; return 0
  fi
  log "이미지 빌드: hello-world:$version"
  (cd "$repo" && CARGO_TARGET_DIR=$IMAGES_TARGET_DIR cargo build --quiet --release --locked \
    -p hello-service --target "$TARGET" ${features:+--features "$features"})
  local rootfs; rootfs=$(mktemp -d)
  make_rootfs "$rootfs"
  install -m 0755 "$IMAGES_TARGET_DIR/$TARGET/release/hello-service" "$rootfs/usr/local/bin/hello-service"
  commit_image "docker.io/library/hello-world:$version" "$archive" "$rootfs" \
    --user 10001:10001 --workingdir /tmp --env PORT=8080 --env APP_VERSION="$version" --port 8080/tcp \
    --entrypoint '["/usr/local/bin/hello-service"]' --cmd '' \
    --label org.opencontainers.image.title=hello-world --label org.opencontainers.image.version="$version"
  rm -rf "$rootfs"
  echo "$hash" > "$stamp"
}

build_pause() {
  local archive=$OUT/pause-1.oci.tar
  [ -f "$archive" ] && { log "이미지 최신 상태: pause:1"; return 0; }
  log "이미지 빌드: pause:1"
  local rootfs; rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin"
  install -m 0755 /bin/busybox "$rootfs/bin/busybox"
  # The sandbox only has to exist and sleep; busybox does that in a static binary.
  commit_image "docker.io/local/pause:1" "$archive" "$rootfs" \
    --entrypoint '["/bin/busybox","sleep","2147483647"]' --cmd ''
  rm -rf "$rootfs"
}

case "${1:-}" in
  # Only on request: a cold portal build takes many minutes, and up.sh runs this script.
  portal)
    . "$repo/deploy/images/portal.sh"
    build_portal
    ls -la "$PORTAL_ARCHIVE" >&2
    ;;
  "")
    build_pause
    build_hello 1.0.0 ""
    build_hello 2.0.0 v2
    ls -la "$OUT"/*.oci.tar >&2
    ;;
  *) die "사용법: deploy/images/build.sh [portal]" ;;
esac
