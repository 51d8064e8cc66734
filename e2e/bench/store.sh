#!/usr/bin/env bash
# Benchmark (issue 16): workshop SQLite writes with the portal's options against sqlx's
# defaults, in one run (e2e/benches/store.rs). No cluster needed.
#   e2e/bench/store.sh [learners] [rounds]      (default 200 learners, 20 rounds)
# Built in the dev profile so it reuses ./dev.sh test's build of the dependencies.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
exec cargo bench --quiet --locked --workspace --profile dev --bench store -- "$@"
