#!/usr/bin/env bash
# Prints the shell settings for using the local cluster with the current kubectl and helm:
#   eval "$(e2e/cluster/env.sh)"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if [ ! -r "$HK_KUBECONFIG" ]; then
  log "경고: $HK_KUBECONFIG 를 읽을 수 없습니다 (클러스터가 아직 없거나 root 권한이 필요합니다: sudo e2e/cluster/up.sh)"
fi
printf 'export KUBECONFIG=%q; export PATH=%q:"$PATH"\n' "$HK_KUBECONFIG" "$TOOLS_BIN"
