#!/usr/bin/env bash
# Stops the Prometheus infra/prometheus/start.sh started.
set -euo pipefail
usage() { echo "Usage: bash infra/prometheus/stop.sh [--help]   (SIGTERM, then SIGKILL after 15 s)"; }
# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"
# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"
[[ -f "$PROM_PID_FILE" ]] || { prom_log "not running (no pid file)"; exit 0; }
pid=$(cat "$PROM_PID_FILE")
if kill -0 "$pid" 2>/dev/null; then stop_gracefully "$pid" 15 prom_log; fi
rm -f "$PROM_PID_FILE"
prom_log "stopped"
