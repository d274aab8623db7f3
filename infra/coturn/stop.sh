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

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
esac

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"
STOP_TIMEOUT="${CALLSENTRY_COTURN_STOP_TIMEOUT:-10}"

if ! pid="$(coturn_running_pid)"; then
  rm -f "$COTURN_PID_FILE"
  coturn_log "not running"
  exit 0
fi

coturn_log "stopping turnserver pid $pid"
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
if kill -0 "$pid" 2>/dev/null; then
  coturn_log "still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then coturn_log "pid $pid survived SIGKILL"; exit 1; fi
fi
rm -f "$COTURN_PID_FILE"
coturn_log "stopped"
