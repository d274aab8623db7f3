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

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
esac

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

STOP_TIMEOUT="${CALLSENTRY_KAFKA_STOP_TIMEOUT:-30}"

if ! pid="$(kafka_running_pid)"; then
  rm -f "$KAFKA_PID_FILE"
  kafka_log "not running"
  exit 0
fi

kafka_log "stopping broker pid $pid (SIGTERM, up to ${STOP_TIMEOUT}s)"
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
  sleep 0.5
done

if kill -0 "$pid" 2>/dev/null; then
  kafka_log "still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    kafka_log "pid $pid survived SIGKILL"
    exit 1
  fi
fi

rm -f "$KAFKA_PID_FILE"
kafka_log "stopped"
