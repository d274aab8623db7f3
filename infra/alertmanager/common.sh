# Shared by the Alertmanager scripts. Source it. 9093 is Kafka's controller here, so 9097.
AM_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
AM_REPO="$(cd "$AM_SCRIPT_DIR/../.." && pwd)"
AM_HOST=127.0.0.1
AM_PORT="${CALLSENTRY_ALERTMANAGER_PORT:-9097}"
AM_RUN_DIR="${CALLSENTRY_ALERTMANAGER_RUN_DIR:-$AM_REPO/.run/alertmanager}"
AM_PID_FILE="$AM_RUN_DIR/alertmanager.pid"
AM_LOG="$AM_RUN_DIR/alertmanager.log"
am_log() { echo "[alertmanager] $*" >&2; }
