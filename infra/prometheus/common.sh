# Shared by the Prometheus scripts: where it lives and listens. Source it.
PROM_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROM_REPO="$(cd "$PROM_SCRIPT_DIR/../.." && pwd)"
PROM_HOST=127.0.0.1
PROM_PORT="${CALLSENTRY_PROMETHEUS_PORT:-9090}"
PROM_RUN_DIR="${CALLSENTRY_PROMETHEUS_RUN_DIR:-$PROM_REPO/.run/prometheus}"
PROM_TARGETS_DIR="$PROM_RUN_DIR/targets"
PROM_PID_FILE="$PROM_RUN_DIR/prometheus.pid"
PROM_LOG="$PROM_RUN_DIR/prometheus.log"
prom_log() { echo "[prometheus] $*" >&2; }
