# shellcheck shell=bash
# Sourced (not run) by build.sh, which sets -euo pipefail.
# The portal's image, daemonless. Sourced by build.sh (`deploy/images/build.sh portal`),
# which provides BUILDAH, OUT, TARGET, make_rootfs and the cluster helpers.
#
# Layout of the image (what the env vars point at):
#   /usr/local/bin/portal            the server (--features ssr, release; or HK_PORTAL_BIN,
#                                    debug info stripped) and the glibc libraries it
#                                    links, copied from this machine
#   /app/site/{pkg,fonts}            the bundle portal/build.sh makes (wasm, JS, CSS, fonts)
#   /app/content                     the lessons
#   /app/<included files>            what the lessons include (service/…, .dockerignore, …)
#   /app/deploy/helm/hello-world     the chart the release panel installs
#   /data                            PORTAL_DATABASE's folder: mount a volume here
# Cached by a hash of its inputs; imported into the local cluster's containerd if it runs.

PORTAL_VERSION=$(awk '/^appVersion:/ { gsub(/"/, "", $2); print $2 }' "$repo/deploy/portal/Chart.yaml")
PORTAL_IMAGE=docker.io/library/hello-k8s-portal:$PORTAL_VERSION
PORTAL_ARCHIVE=$OUT/hello-k8s-portal-$PORTAL_VERSION.oci.tar
PORTAL_UID=10001

# The repository paths lessons include (```lang include="path#region"```), each checked
# to stay inside the repository, as the portal itself requires.
lesson_includes() {
  local path
  grep -rhoE 'include="[^"#]+' "$repo/content" | cut -d'"' -f2 | sort -u | while IFS= read -r path; do
    case $path in /*|*..*) die "레슨의 include 경로가 저장소 밖을 가리킵니다: $path" ;; esac
    echo "$path"
  done
}

portal_inputs_hash() {
  (cd "$repo" && find portal style content service deploy/helm/hello-world -type f \
      -not -path '*/target/*' -not -path 'portal/tests/*' -print0 | sort -z | xargs -0 sha256sum
   sha256sum Cargo.lock Cargo.toml .dockerignore portal/build.sh deploy/images/build.sh \
     deploy/images/portal.sh deploy/portal/Chart.yaml
   echo "server: ${HK_PORTAL_BIN:-release}") | sha256sum | cut -c1-16
}

# Stages the image's files under $1.
stage_portal() {
  local rootfs=$1 site=$repo/target/site target_dir=${CARGO_TARGET_DIR:-$repo/target}
  chmod 0755 "$rootfs"   # mktemp's 0700 would lock the non-root user out of "/"
  make_rootfs "$rootfs"
  local bin=${HK_PORTAL_BIN:-$target_dir/release/portal} lib
  install -m 0755 "$bin" "$rootfs/usr/local/bin/portal"
  # A dev-profile binary carries line tables: not needed in the image.
  objcopy --strip-debug "$rootfs/usr/local/bin/portal"
  # The shared libraries it needs and the loader, from this machine (Debian): the same
  # binary the tests run, so no second (musl) release build of the portal.
  while IFS= read -r lib; do
    cp --parents -L "$lib" "$rootfs/"
  done < <(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
  mkdir -p "$rootfs/app/site" "$rootfs/data"
  # The bundle without the font builder's bookkeeping (.chars.txt, .stamp).
  (cd "$site" && find pkg fonts -type f ! -name '.*' -print0 | xargs -0 cp --parents -t "$rootfs/app/site")
  cp -r "$repo/content" "$rootfs/app/content"
  local path
  while IFS= read -r path; do
    [ -f "$repo/$path" ] || die "레슨이 include 하는 파일이 없습니다: $path"
    (cd "$repo" && cp --parents "$path" "$rootfs/app/")
  done < <(lesson_includes)
  mkdir -p "$rootfs/app/deploy/helm"
  cp -r "$repo/deploy/helm/hello-world" "$rootfs/app/deploy/helm/hello-world"
  chmod -R a+rX,go-w "$rootfs/app"
}

# Runs the staged server as the image would (chroot, UID 10001, no cluster) and checks
# /readyz and a lesson page: a missing include or font fails here, not in a pod.
smoke_test() {
  local rootfs=$1 port pid ok=0
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  chown "$PORTAL_UID:$PORTAL_UID" "$rootfs/data"
  chroot --userspec="$PORTAL_UID:$PORTAL_UID" "$rootfs" /bin/env -i RUST_LOG=warn \
    PORTAL_ADDR="127.0.0.1:$port" PORTAL_CLUSTER=off PORTAL_DATABASE=/data/smoke.sqlite3 \
    PORTAL_CONTENT_DIR=/app/content PORTAL_REPO_ROOT=/app PORTAL_SITE_ROOT=/app/site \
    /usr/local/bin/portal >"$rootfs.smoke.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ok=1; break; fi
    pid_alive "$pid" || break
    sleep 0.2
  done
  if [ $ok = 1 ]; then
    curl -fsS --max-time 5 "http://127.0.0.1:$port/lessons/1-1" | grep '<html' >/dev/null || ok=0
    curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$port/pkg/portal_bg.wasm" || ok=0
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$rootfs"/data/smoke.sqlite3*
  if [ $ok != 1 ]; then
    cat "$rootfs.smoke.log" >&2
    rm -f "$rootfs.smoke.log"
    die "이미지 안의 포털이 준비되지 않았습니다 (위 로그)"
  fi
  rm -f "$rootfs.smoke.log"
}

commit_portal() {
  local rootfs=$1 ctr
  ctr=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" copy "$ctr" "$rootfs/" / >/dev/null
  # The database folder belongs to the non-root user, also without a volume (docker run).
  "${BUILDAH[@]}" copy --chown "$PORTAL_UID:$PORTAL_UID" "$ctr" "$rootfs/data" /data >/dev/null
  "${BUILDAH[@]}" config --user "$PORTAL_UID:$PORTAL_UID" --workingdir /app \
    --env PORTAL_ADDR=0.0.0.0:3000 --env PORTAL_CONTENT_DIR=/app/content --env PORTAL_REPO_ROOT=/app \
    --env PORTAL_SITE_ROOT=/app/site --env PORTAL_CHART_DIR=/app/deploy/helm/hello-world \
    --env PORTAL_DATABASE=/data/portal.sqlite3 --port 3000/tcp --volume /data \
    --entrypoint '["/usr/local/bin/portal"]' --cmd '' \
    --label org.opencontainers.image.title=hello-k8s-portal \
    --label org.opencontainers.image.version="$PORTAL_VERSION" "$ctr"
  rm -f "$PORTAL_ARCHIVE.tmp"
  "${BUILDAH[@]}" commit --quiet --rm "$ctr" "oci-archive:$PORTAL_ARCHIVE.tmp:$PORTAL_IMAGE" >/dev/null
  mv "$PORTAL_ARCHIVE.tmp" "$PORTAL_ARCHIVE"
  "${BUILDAH[@]}" rmi --all >/dev/null 2>&1 || true
}

# Into the local cluster's containerd, as up.sh imports the hello images: only when
# containerd does not have this digest yet.
import_portal() {
  if ! hk_ctr version >/dev/null 2>&1; then
    log "로컬 클러스터의 containerd 가 돌고 있지 않아 가져오기는 건너뜁니다 (다음 up.sh 가 가져갑니다)"
    return 0
  fi
  local digest
  digest=$(tar -xOf "$PORTAL_ARCHIVE" index.json | jq -r '.manifests[0].digest')
  if hk_ctr images ls "name==$PORTAL_IMAGE" 2>/dev/null | awk 'NR > 1 { print $3 }' | grep -x "$digest" >/dev/null; then
    log "containerd 에 이미 있음: $PORTAL_IMAGE"
    return 0
  fi
  hk_ctr images import "$PORTAL_ARCHIVE" >/dev/null || die "이미지 가져오기 실패: $PORTAL_ARCHIVE"
  log "이미지 가져옴: $PORTAL_IMAGE ($digest)"
}

build_portal() {
  local stamp=$OUT/hello-k8s-portal-$PORTAL_VERSION.inputs hash start=$SECONDS
  hash=$(portal_inputs_hash)
  if [ -f "$PORTAL_ARCHIVE" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
    log "이미지 최신 상태: hello-k8s-portal:$PORTAL_VERSION"
  else
    log "이미지 빌드: hello-k8s-portal:$PORTAL_VERSION"
    apt_ensure jq curl python3
    # The bundle and the server (cargo has nothing to do when portal/build.sh already ran;
    # with HK_PORTAL_BIN, as `./dev.sh test` sets it, the tests' own build is used). Run
    # from `cargo test`, the environment carries the test's CARGO_MANIFEST_DIR & co.;
    # ring's build script tracks CARGO_MANIFEST_DIR, so with it set cargo would rebuild
    # ring, rustls, kube and the server (6-7 minutes).
    (
      while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -E '^CARGO_(MANIFEST_|PKG_|CRATE_|BIN_|PRIMARY_|TARGET_TMPDIR)')
      bash "$repo/portal/build.sh" --site
      if [ -z "${HK_PORTAL_BIN:-}" ]; then
        cd "$repo" && cargo build --quiet --release --locked -p portal --bin portal --features ssr
      fi
    )
    [ -x "${HK_PORTAL_BIN:-/}" ] || [ -z "${HK_PORTAL_BIN:-}" ] || die "HK_PORTAL_BIN 이 실행 파일이 아닙니다: $HK_PORTAL_BIN"
    local rootfs; rootfs=$(mktemp -d)
    stage_portal "$rootfs"
    smoke_test "$rootfs"
    commit_portal "$rootfs"
    rm -rf "$rootfs"
    echo "$hash" >"$stamp"
    log "이미지 빌드 완료: $((SECONDS - start))초, $(du -h "$PORTAL_ARCHIVE" | cut -f1)"
  fi
  import_portal
}
