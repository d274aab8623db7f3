#!/usr/bin/env bash
# Stops the broker and deletes its data, config and logs (not the installed jars).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bash infra/kafka/reset.sh [--help]

Runs infra/kafka/stop.sh, then deletes .run/kafka (topics, offsets, KRaft
metadata, logs). The next start.sh formats a fresh cluster with a new cluster id.
The installed jars in .cache/kafka are kept.

Environment: CALLSENTRY_KAFKA_RUN_DIR (default <repo>/.run/kafka).
EOF
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=common.sh
source "$SCRIPT_DIR/common.sh"

bash "$SCRIPT_DIR/stop.sh"

if [[ -d "$KAFKA_RUN_DIR" ]]; then
  # guard against a run dir that is obviously not ours
  if [[ -z "$KAFKA_RUN_DIR" || "$KAFKA_RUN_DIR" == "/" || "$KAFKA_RUN_DIR" == "$REPO_ROOT" ]]; then
    kafka_log "refusing to delete run dir '$KAFKA_RUN_DIR'"
    exit 1
  fi
  rm -rf "$KAFKA_DATA_DIR" "$KAFKA_LOG_DIR" "$KAFKA_CONFIG" "$KAFKA_PID_FILE" "$KAFKA_RUN_DIR/.start.lock"
  rmdir "$KAFKA_RUN_DIR" 2>/dev/null || true
fi
kafka_log "reset: deleted data and logs in $KAFKA_RUN_DIR"
