#!/usr/bin/env bash
# Stops the node started by infra/elasticsearch/start.sh. Idempotent.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bash infra/elasticsearch/stop.sh [--help]

Sends SIGTERM to the node started by start.sh (pid file
.run/elasticsearch/elasticsearch.pid, or the process running with
.run/elasticsearch/config), waits for a clean shutdown, and sends SIGKILL if it
is still alive after the timeout. Exits 0 if no node is running.

Environment (defaults in brackets):
  CALLSENTRY_ES_STOP_TIMEOUT  seconds to wait after SIGTERM  [60]
  CALLSENTRY_ES_RUN_DIR       run dir used by start.sh       [<repo>/.run/elasticsearch]
USAGE
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"
# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

stop_service "$ES_PID_FILE" "${CALLSENTRY_ES_STOP_TIMEOUT:-60}" es_log es_running_pid
