#!/usr/bin/env bash
# Stops the broker started by infra/kafka/start.sh. Idempotent.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bash infra/kafka/stop.sh [--help]

Sends SIGTERM to the broker started by start.sh (pid file .run/kafka/kafka.pid,
or the process running with .run/kafka/server.properties), waits for a clean
shutdown, and sends SIGKILL if it is still alive after the timeout.
Exits 0 if no broker is running.

Environment (defaults in brackets):
  CALLSENTRY_KAFKA_STOP_TIMEOUT  seconds to wait after SIGTERM  [30]
  CALLSENTRY_KAFKA_RUN_DIR       run dir used by start.sh       [<repo>/.run/kafka]
EOF
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

STOP_TIMEOUT="${CALLSENTRY_KAFKA_STOP_TIMEOUT:-30}"

stop_service "$KAFKA_PID_FILE" "$STOP_TIMEOUT" kafka_log kafka_running_pid
