#!/usr/bin/env bash
# Runs every end-to-end test binary (tests marked #[ignore] in e2e/tests) against the
# local cluster, in lanes side by side. Nothing compiles here: the binaries come from the
# build the unit phase already made (`cargo test --workspace --no-run`, same flags).
#
# Lanes: tests that share a namespace or cluster-wide state run one after another in
# the same lane; different lanes touch different namespaces. EXCLUSIVE ones run alone,
# before the lanes.
#
#   e2e/run.sh                 # all of them (the cluster from e2e/cluster/env.sh)
#   e2e/run.sh lessons_run     # only the named binaries, one after another
#
# Logs: target/e2e-logs/<binary>.log; the per-binary table: target/e2e-logs/summary.txt.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

# Alone, before the lanes: `lesson_site` while no pods come and go (Chromium aborts page
# loads on every network change, and pods' veth interfaces are one); `panels_live`
# stops and restarts the API server.
EXCLUSIVE=(lesson_site panels_live)
LANES=(
  # The lessons' own namespace `hello`.
  "cluster_proof lessons_run"
  # `hello-exps`; 3-4 and 3-5 measure real Kubernetes time.
  "experiments_live"
  # helm template only, then `hk-release-test`, then workshop/learner namespaces (the
  # in-cluster workshop and workshop_live both look at every learner namespace), then
  # `hello-stop` (a portal stopped mid-experiment), then `hello-canary` (A-3), then two
  # workshop replicas on PostgreSQL (learner namespaces again, after the others are gone).
  "chart release_render release_live sessions_redis workshop_live portal_in_cluster experiments_stop canary_live replicas_postgres"
)

LOGS=$repo/target/e2e-logs
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log "$LOGS"/results "$LOGS"/summary.txt

say() { printf '\033[1;36m[e2e]\033[0m %s\n' "$*" >&2; }

declare -A BIN=()
while read -r name exe; do
  BIN[$name]=$exe
done < <(cargo test --workspace --locked --no-run --message-format=json 2>/dev/null |
  jq -r 'select(.reason == "compiler-artifact" and .target.kind == ["test"] and .executable != null
               and (.package_id | test("/e2e#|e2e@"))) | "\(.target.name) \(.executable)"')
[ ${#BIN[@]} -gt 0 ] || { say "오류: e2e 테스트 바이너리를 찾지 못했습니다 (cargo test --workspace --no-run 을 먼저)"; exit 1; }

# Every binary belongs to exactly one lane: a new test file must be placed.
listed=" ${EXCLUSIVE[*]} ${LANES[*]} "
for name in "${!BIN[@]}"; do
  case $listed in *" $name "*) ;; *) say "오류: $name 이 e2e/run.sh 의 어느 줄(lane)에도 없습니다"; exit 1 ;; esac
done

# run_one NAME: the binary's ignored tests, one at a time, output to its log.
run_one() {
  local name=$1 start=$SECONDS rc=0
  [ -n "${BIN[$name]:-}" ] || { echo "$name missing 0" >>"$LOGS/results"; return 1; }
  say "시작: $name"
  "${BIN[$name]}" --ignored --test-threads=1 --nocapture >"$LOGS/$name.log" 2>&1 || rc=$?
  local took=$((SECONDS - start)) status=ok
  [ $rc = 0 ] || status=FAILED
  echo "$name $status $took" >>"$LOGS/results"
  say "$(printf '%-20s %-6s %4ds' "$name" "$status" "$took")"
  return $rc
}

run_lane() {
  local rc=0 name
  for name in $1; do run_one "$name" || rc=1; done
  return $rc
}

t0=$SECONDS
failed=0
if [ $# -gt 0 ]; then
  for name in "$@"; do run_one "$name" || failed=1; done
else
  for name in "${EXCLUSIVE[@]}"; do run_one "$name" || failed=1; done
  pids=()
  for lane in "${LANES[@]}"; do run_lane "$lane" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
fi

# The binary's tests that passed: every ignored test it lists, minus those libtest names
# under "failures:" (with --nocapture, "test x ... ok" lines are split by the output).
passed_tests() {
  local name=$1 failed
  failed=$(awk '/^failures:$/ { f = 1; next } f && /^    [^ ]+$/ { print $1 }' "$LOGS/$name.log" 2>/dev/null | sort -u)
  "${BIN[$name]}" --list --ignored --format terse 2>/dev/null | sed -n 's/: test$//p' |
    grep -vxF -e "${failed:-\0}" | paste -sd, - || true
}

{
  printf '%s\t%s\t%s\t%s\n' "e2e 바이너리" "결과" "초" "통과한 테스트"
  while read -r name status took; do
    printf '%s\t%s\t%ss\t%s\n' "$name" "$status" "$took" "$(passed_tests "$name")"
  done <"$LOGS/results"
  printf '%s\t\t%ss\n' "e2e 전체(벽시계)" $((SECONDS - t0))
} | if command -v column >/dev/null; then column -t -s $'\t'; else cat; fi >"$LOGS/summary.txt"
cat "$LOGS/summary.txt" >&2

if [ $failed != 0 ]; then
  while read -r name status _; do
    [ "$status" = ok ] && continue
    # The log's last lines without backtrace frames (CI may set RUST_BACKTRACE), then the
    # panic's own message last, where dev.sh's tail of this phase will show it.
    printf '\n\033[1;31m===== %s 실패: %s 의 마지막 40줄 (백트레이스 줄 빼고) =====\033[0m\n' "$name" "$LOGS/$name.log" >&2
    grep -v -E '^ +[0-9]+: |^ +at ' "$LOGS/$name.log" | tail -n 40 >&2 || true
    printf '\n\033[1;31m===== %s 실패: 패닉 메시지 =====\033[0m\n' "$name" >&2
    grep -A 12 'panicked at' "$LOGS/$name.log" | grep -v -E '^stack backtrace:|^ +[0-9]+: |^ +at ' | tail -n 25 >&2 || true
  done <"$LOGS/results"
  exit 1
fi
