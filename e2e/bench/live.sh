#!/usr/bin/env bash
# Benchmark (issue 4): the portal's live stream. Watch → browser latency of core/v1
# Events (p50/p99/max, target p99 < 250 ms) and fan-out to 10/100/200 SSE subscribers
# (API watches, live connections, RSS, CPU). Starts its own portal on a free port with
# its own database, against namespace hello-bench, which it creates and deletes.
#   e2e/bench/live.sh [changes]          (default 100 events for the latency figure)
# HK_PORTAL_BIN=target/debug/portal uses another portal build (default target/release/portal,
# built if missing). The bench client is built in the dev profile, which the e2e tests
# already build: it uses about 1 % of a core at 200 subscribers, while a release build of
# the e2e crate's dependencies takes the better part of an hour on a 2-core machine.
# HK_BENCH_PROFILE=release builds it optimised (the same as
# `cargo run -p e2e --release --example live_bench -- --url … --pid …`).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
. e2e/cluster/lib.sh
. e2e/bench/lib.sh
eval "$(bash e2e/cluster/env.sh)"
NS=hello-bench
CHANGES=${1:-100}
PROFILE=${HK_BENCH_PROFILE:-dev}

bin=$(bench_portal_bin)
cargo build --quiet --locked --profile "$PROFILE" -p e2e --example live_bench
dir=$PROFILE; [ "$dir" = dev ] && dir=debug
client=target/$dir/examples/live_bench

kubectl get --raw /readyz >/dev/null 2>&1 || die "클러스터가 응답하지 않습니다 (sudo e2e/cluster/up.sh)"
work=$(mktemp -d /tmp/hk-live-bench.XXXXXX)
cleanup() {
  stop_portal
  kubectl delete namespace "$NS" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# A namespace left by an interrupted run: wait until it is gone, then start clean.
kubectl delete namespace "$NS" --ignore-not-found --timeout=120s >/dev/null
kubectl create namespace "$NS" >/dev/null

start_portal "$bin" "$work" PORTAL_NAMESPACE="$NS"

run_client "$work" "$client" --url "http://127.0.0.1:$port" --pid "$portal_pid" --namespace "$NS" --changes "$CHANGES"
