#!/usr/bin/env bash
# Benchmark (issue 6): a room of learners against one portal in workshop mode. Each
# learner joins (a namespace from the template), holds a lesson page's live stream (then
# a second tab), and acts at a learner's pace for a window while the host dashboard
# refreshes. Prints portal RSS and CPU, page and action latency (p50/p99), and the
# portal's and the API server's watch counts; targets: RSS < 300 MB, watches follow
# namespaces and not tabs, action p99 < 500 ms. Runs once per state store — the SQLite
# file, then PostgreSQL (Debian's server, started here) — and ends with both side by side.
#   e2e/bench/workshop.sh [learners] [seconds]       (default 200 learners, 60 s)
# HK_BENCH_BACKENDS="sqlite postgres" (the default) picks the stores.
# HK_PORTAL_BIN picks another portal build (default target/release/portal, built if
# missing); the bench client is built in the dev profile like e2e/bench/live.sh's.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
. e2e/cluster/lib.sh
. e2e/bench/lib.sh
eval "$(bash e2e/cluster/env.sh)"
LEARNERS=${1:-200}
SECONDS_ACTIVE=${2:-60}
LABEL=hello-k8s.dev/learner

bin=$(bench_portal_bin)
cargo build --quiet --locked -p e2e --example workshop_bench
client=target/debug/examples/workshop_bench

kubectl get --raw /readyz >/dev/null 2>&1 || die "클러스터가 응답하지 않습니다 (e2e/cluster/up.sh)"
work=$(mktemp -d /tmp/hk-workshop-bench.XXXXXX)
cleanup() {
  stop_portal
  stop_postgres
  # Whatever the workshop's end left (an interrupted run).
  kubectl delete namespace -l "$LABEL" --wait=false >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Learner namespaces of an earlier, interrupted run would count against the baseline.
if [ -n "$(kubectl get namespace -l "$LABEL" -o name 2>/dev/null)" ]; then
  log "이전 실행의 참가자 네임스페이스를 지우는 중"
  kubectl delete namespace -l "$LABEL" --timeout=300s >/dev/null
fi

declare -A P99=() RSS=()
for backend in ${HK_BENCH_BACKENDS:-sqlite postgres}; do
  db=()
  if [ "$backend" = postgres ]; then
    start_postgres "$work"
    db=(PORTAL_DATABASE="$pg_url")
  fi
  code=bench-$RANDOM$RANDOM
  token=host-$RANDOM$RANDOM$RANDOM
  log "저장소: $backend"
  start_portal "$bin" "$work" PORTAL_WORKSHOP_CODE="$code" PORTAL_HOST_TOKEN="$token" \
    PORTAL_MAX_LEARNERS=$((LEARNERS + 10)) "${db[@]}"
  run_client "$work" "$client" --url "http://127.0.0.1:$port" --pid "$portal_pid" --code "$code" \
    --token "$token" --learners "$LEARNERS" --seconds "$SECONDS_ACTIVE" | tee "$work/$backend.txt"
  P99[$backend]=$(sed -n 's/.*동작 p99 < [0-9]* ms: \([0-9.]*\) ms.*/\1/p' "$work/$backend.txt")
  RSS[$backend]=$(sed -n 's/.*RSS < [0-9]* MB: \([0-9.]*\) MB.*/\1/p' "$work/$backend.txt")
  stop_portal
  portal_pid=
  stop_postgres
  rm -f "$work"/portal.sqlite3*
done

printf '\n저장소별 (참가자 %s명, 활동 %s 초)\n' "$LEARNERS" "$SECONDS_ACTIVE"
# Hangul is two columns wide but three bytes: the header is padded by hand.
printf '  저장소        동작 p99 ms       RSS MB\n'
for backend in ${HK_BENCH_BACKENDS:-sqlite postgres}; do
  printf '  %-10s %14s %12s\n' "$backend" "${P99[$backend]:-?}" "${RSS[$backend]:-?}"
done
