#!/usr/bin/env bash
# Benchmark (issue 3): one long lesson page from the portal vs the same HTML as a static
# file from nginx, both on loopback, driven by wrk with the same settings. Prints
# requests/s and p99 for each and the ratio, plus the shipped wasm + JS size (gzip).
#   e2e/bench/lesson-page.sh [lesson-id] [seconds]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
. e2e/cluster/lib.sh
LESSON=${1:-3-5}
DURATION=${2:-10}
CONNS=64
apt_ensure wrk nginx-light curl
[ -x target/release/portal ] || bash portal/build.sh

work=$(mktemp -d)
cleanup() { kill "${portal_pid:-}" 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

PORTAL_ADDR=127.0.0.1:3917 PORTAL_DATABASE="$work/db.sqlite3" RUST_LOG=warn target/release/portal &
portal_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:3917/lessons/$LESSON" -o "$work/page.html" && break; sleep 0.1; done
[ -s "$work/page.html" ] || die "포털이 응답하지 않습니다"

mkdir -p "$work/www/lessons"
cp "$work/page.html" "$work/www/lessons/$LESSON"
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  sendfile on;
  server { listen 127.0.0.1:3918; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf"
sleep 0.3

measure() { # url → "rps p99_ms"
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$1" > "$work/wrk.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$work/wrk.txt")
  echo "$rps $p99"
}

size=$(wc -c < "$work/page.html")
read -r n_rps n_p99 < <(measure "http://127.0.0.1:3918/lessons/$LESSON")
read -r p_rps p_p99 < <(measure "http://127.0.0.1:3917/lessons/$LESSON")
ratio=$(awk -v a="$p_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')
wasm_js=$(cat target/site/pkg/portal_bg.wasm target/site/pkg/portal.js | gzip -9 | wc -c)

printf '\nlesson %s (%d bytes of HTML), wrk -t2 -c%d -d%ss, nginx (auto workers) vs the portal\n' "$LESSON" "$size" "$CONNS" "$DURATION"
printf '  %-8s %12s req/s   p99 %8s ms\n' nginx "$n_rps" "$n_p99" portal "$p_rps" "$p_p99"
printf '  ratio portal/nginx: %s× (target ≥ 0.5×), portal p99 %s ms (target < 20 ms)\n' "$ratio" "$p_p99"
printf '  shipped wasm + JS, gzip -9: %d bytes = %.1f KB (target < 400 KB)\n' "$wasm_js" "$(awk -v b="$wasm_js" 'BEGIN{print b/1024}')"
