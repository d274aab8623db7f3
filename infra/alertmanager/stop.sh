#!/usr/bin/env bash
# Stops the Alertmanager infra/alertmanager/start.sh started.
set -euo pipefail
usage() { echo "Usage: bash infra/alertmanager/stop.sh [--help]   (SIGTERM, then SIGKILL after 15 s)"; }
# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"
# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"
stop_service "$AM_PID_FILE" 15 am_log
