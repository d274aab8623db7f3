#!/usr/bin/env bash
# Stops the turnserver started by infra/coturn/start.sh. Idempotent.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bash infra/coturn/stop.sh [--help]

Sends SIGTERM to the turnserver started by start.sh (pid file
.run/coturn/turnserver.pid, or the process started with this checkout's
.run/coturn/turnserver.conf), waits up to CALLSENTRY_COTURN_STOP_TIMEOUT
seconds [10], then sends SIGKILL. Exits 0 if it is not running. Users and
secrets in Redis and .run/coturn are kept.
EOF
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"
STOP_TIMEOUT="${CALLSENTRY_COTURN_STOP_TIMEOUT:-10}"

stop_service "$COTURN_PID_FILE" "$STOP_TIMEOUT" coturn_log coturn_running_pid
