#!/usr/bin/env bash
# Benchmark (issue 16): workshop SQLite writes with the portal's options against sqlx's
# defaults, in one run (e2e/benches/store.rs). No cluster needed.
#   e2e/bench/store.sh [learners] [rounds]      (default 200 learners, 20 rounds)
# Built in the dev profile so it reuses ./dev.sh test's build of the dependencies.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
# The flags of ./dev.sh test: its dependency build is reused, and clippy lints the bench.
export CARGO_INCREMENTAL=0 CLIPPY_ARGS=${CLIPPY_ARGS:--D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__}
export RUSTC_WORKSPACE_WRAPPER=${RUSTC_WORKSPACE_WRAPPER:-$(rustup which clippy-driver)}
exec cargo bench --quiet --locked --workspace --profile dev --bench store -- "$@"
