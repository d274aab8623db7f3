#!/usr/bin/env bash
# Stops the Alertmanager infra/alertmanager/start.sh started.
set -euo pipefail
usage() { echo "Usage: bash infra/alertmanager/stop.sh [--help]   (SIGTERM, then SIGKILL after 15 s)"; }
# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"
# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"
[[ -f "$AM_PID_FILE" ]] || { am_log "not running (no pid file)"; exit 0; }
pid=$(cat "$AM_PID_FILE")
if kill -0 "$pid" 2>/dev/null; then stop_gracefully "$pid" 15 am_log; fi
rm -f "$AM_PID_FILE"
am_log "stopped"
