#!/usr/bin/env bash
# Builds the portal without cargo-leptos, from package registries only:
#   target/site/pkg/portal.js + portal_bg.wasm   the islands (wasm-bindgen, wasm-opt)
#   target/site/pkg/portal.css                   style/*.css
#   target/site/fonts/*.woff2                    D2Coding (Debian) + Pretendard (npm), subset
#   target/release/portal                        the server (feature ssr)
# Usage: portal/build.sh [--debug | --site | --tools]   (--site: the bundle only, no
# server; the portal image builds its own static server, deploy/images/portal.sh;
# --tools: only install the tools into the cache). WASM_TARGET_DIR: where the wasm build
# goes (default target/; `./dev.sh test` gives it a folder of its own so it can run
# beside the workspace build without waiting for cargo's lock).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. e2e/cluster/lib.sh

PROFILE=release; WASM_PROFILE=wasm-release
SERVER=1
TOOLS_ONLY=0
case "${1:-}" in
  --debug) PROFILE=debug; WASM_PROFILE=dev ;;
  --site) SERVER=0 ;;
  --tools) TOOLS_ONLY=1 ;;
esac
WASM_TARGET_DIR=${WASM_TARGET_DIR:-target}
SITE=target/site
TOOLS=$HK_CACHE/tools
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
mkdir -p "$SITE/pkg" "$SITE/fonts" "$TOOLS"

ensure_tools() {
  rustup target list --installed | grep -x wasm32-unknown-unknown >/dev/null || rustup target add wasm32-unknown-unknown
  # wasm-bindgen's CLI must match the library in Cargo.lock exactly. No registry ships it
  # prebuilt (npm, PyPI: checked), so it is built from crates.io once per version into the
  # cache: only the `wasm-bindgen` binary, without the TLS stack the test runner's
  # downloads need, and unoptimised (it runs for a second per build; compiling it
  # optimised costs minutes on a cold machine). Not `--locked`: its published lockfile
  # pins a webpki-roots the index no longer has (seen 2026-12).
  if [ "$("$TOOLS/cargo/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
    log "wasm-bindgen-cli $WB_VERSION 빌드 (crates.io, 한 번만: $TOOLS/cargo)"
    (unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS CARGO_TARGET_DIR
     cargo install --quiet --debug --no-default-features --bin wasm-bindgen \
       --root "$TOOLS/cargo" wasm-bindgen-cli --version "$WB_VERSION" --force)
  fi
  if [ ! -x "$TOOLS/npm/node_modules/.bin/wasm-opt" ] || [ ! -f "$TOOLS/npm/node_modules/pretendard/package.json" ]; then
    log "binaryen(wasm-opt), pretendard 설치 (npm)"
    mkdir -p "$TOOLS/npm"
    (cd "$TOOLS/npm" && npm install --silent --no-audit --no-fund binaryen@132 pretendard@1.3.9 >/dev/null)
  fi
  if [ ! -x "$TOOLS/py/bin/pyftsubset" ]; then
    log "fonttools 설치 (PyPI)"
    python3 -m venv "$TOOLS/py"
    "$TOOLS/py/bin/pip" install --quiet fonttools brotli
  fi
  dpkg -s fonts-naver-d2coding >/dev/null 2>&1 || apt_ensure fonts-naver-d2coding
}

# Subsets the fonts to the characters the lessons use (plus ASCII, Latin-1, box drawing,
# arrows and all Hangul syllables for the monospace face), so the pages stay light.
build_fonts() {
  local chars=$SITE/fonts/.chars.txt stamp=$SITE/fonts/.stamp
  cat content/*.md content/*/*.md portal/src/*.rs portal/src/*/*.rs 2>/dev/null > "$chars"
  local key; key=$(sha256sum "$chars" portal/build.sh | sha256sum | cut -c1-16)
  [ "$(cat "$stamp" 2>/dev/null)" = "$key" ] && return 0
  local ttc=/usr/share/fonts/truetype/naver-d2coding/D2Coding-Ver1.3.2-20180524-all.ttc
  local base=U+0020-007E,U+00A0-00FF,U+2010-2027,U+2190-21FF,U+2500-257F,U+25A0-25FF,U+2713,U+2714,U+2717
  local common=(--flavor=woff2 "--layout-features=*" "--text-file=$chars")
  # The monospace face keeps every Hangul syllable: diagrams and commands are free text.
  "$TOOLS/py/bin/pyftsubset" "$ttc" --font-number=0 "${common[@]}" "--unicodes=$base,U+AC00-D7A3,U+3131-318E" --output-file="$SITE/fonts/D2Coding.woff2"
  "$TOOLS/py/bin/pyftsubset" "$ttc" --font-number=1 "${common[@]}" "--unicodes=$base,U+AC00-D7A3,U+3131-318E" --output-file="$SITE/fonts/D2Coding-Bold.woff2"
  "$TOOLS/py/bin/pyftsubset" "$TOOLS/npm/node_modules/pretendard/dist/web/variable/woff2/PretendardVariable.woff2" \
    "${common[@]}" "--unicodes=$base" --output-file="$SITE/fonts/PretendardVariable.woff2"
  echo "$key" > "$stamp"
}

build_wasm() {
  # The cdylib only here: a native cdylib of the server would be one more big link in
  # every workspace build.
  cargo rustc --quiet --locked -p portal --lib --crate-type cdylib --target wasm32-unknown-unknown \
    --profile "$WASM_PROFILE" --features hydrate --target-dir "$WASM_TARGET_DIR"
  local dir=$WASM_PROFILE; [ "$dir" = dev ] && dir=debug
  "$TOOLS/cargo/bin/wasm-bindgen" --target web --no-typescript --out-dir "$SITE/pkg" --out-name portal \
    "$WASM_TARGET_DIR/wasm32-unknown-unknown/$dir/portal.wasm"
  if [ "$PROFILE" = release ]; then
    "$TOOLS/npm/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals -o "$SITE/pkg/portal_bg.wasm" "$SITE/pkg/portal_bg.wasm"
  fi
}

build_css() {
  cat style/*.css > "$SITE/pkg/portal.css"
}

compress() {
  for f in "$SITE"/pkg/*.{js,wasm,css}; do gzip -9 -k -f "$f"; done
}

build_server() {
  local flag=(); [ "$PROFILE" = release ] && flag=(--release)
  cargo build --quiet --locked -p portal --bin portal --features ssr "${flag[@]}"
}

ensure_tools
if [ "$TOOLS_ONLY" = 1 ]; then
  log "포털 빌드 도구 준비됨: $TOOLS"
  exit 0
fi
build_fonts
build_wasm
build_css
compress
if [ "$SERVER" = 1 ]; then
  build_server
  log "포털 빌드 완료: $SITE, target/$PROFILE/portal"
else
  log "포털 번들 빌드 완료: $SITE"
fi
