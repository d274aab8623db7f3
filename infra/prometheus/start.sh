#!/usr/bin/env bash
# Starts a Prometheus (Debian package) on 127.0.0.1 that scrapes callsentry's processes. Idempotent.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bash infra/prometheus/start.sh [--help]

Writes .run/prometheus/prometheus.yml, starts /usr/bin/prometheus (Debian package
`prometheus`, listed in infra/apt-packages.txt) in the background and waits until
it is ready. If it already runs and is ready, exits 0 at once.

Scrape targets are files: every *.json in .run/prometheus/targets/ is a
file_sd list ([{"targets": ["127.0.0.1:9464"], "labels": {"service": "detect"}}]),
re-read within seconds, so a process (or a test) announces its /metrics by
writing one. Alerting rules: infra/prometheus/rules/*.yml.

Environment (defaults in brackets):
  CALLSENTRY_PROMETHEUS_PORT             listen port on 127.0.0.1        [9090]
  CALLSENTRY_PROMETHEUS_SCRAPE_INTERVAL  scrape and rule interval        [5s]
  CALLSENTRY_ALERTMANAGER_URL            where alerts go, if set         []
  CALLSENTRY_PROMETHEUS_RUN_DIR          config, data, targets, log      [<repo>/.run/prometheus]

Stop it with infra/prometheus/stop.sh.
USAGE
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"
# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

command -v prometheus >/dev/null || { prom_log "prometheus is not installed: apt-get install prometheus (npm run test:all does it)"; exit 1; }
INTERVAL="${CALLSENTRY_PROMETHEUS_SCRAPE_INTERVAL:-5s}"
mkdir -p "$PROM_RUN_DIR/data" "$PROM_TARGETS_DIR"

ready() { curl -fsS -m 2 "http://$PROM_HOST:$PROM_PORT/-/ready" >/dev/null 2>&1; }

if [[ -f "$PROM_PID_FILE" ]] && kill -0 "$(cat "$PROM_PID_FILE")" 2>/dev/null && ready; then
  prom_log "already running (pid $(cat "$PROM_PID_FILE")) on $PROM_HOST:$PROM_PORT"
  exit 0
fi
if ready; then
  prom_log "another Prometheus answers on $PROM_HOST:$PROM_PORT; stop it or set CALLSENTRY_PROMETHEUS_PORT"
  exit 1
fi

{
  echo "# Written by infra/prometheus/start.sh; edits are overwritten on the next start."
  echo "global:"
  echo "  scrape_interval: $INTERVAL"
  echo "  evaluation_interval: $INTERVAL"
  echo "rule_files:"
  echo "  - $PROM_REPO/infra/prometheus/rules/*.yml"
  if [[ -n "${CALLSENTRY_ALERTMANAGER_URL:-}" ]]; then
    echo "alerting:"
    echo "  alertmanagers:"
    echo "    - static_configs:"
    echo "        - targets: ['${CALLSENTRY_ALERTMANAGER_URL#http://}']"
  fi
  echo "scrape_configs:"
  echo "  - job_name: callsentry"
  echo "    file_sd_configs:"
  echo "      - files: ['$PROM_TARGETS_DIR/*.json']"
  echo "        refresh_interval: 1s"
} > "$PROM_RUN_DIR/prometheus.yml"
promtool check config "$PROM_RUN_DIR/prometheus.yml" >/dev/null 2>"$PROM_RUN_DIR/check.log" || { show_log_tails 30 "$PROM_RUN_DIR/check.log"; prom_log "configuration check failed"; exit 1; }

nohup prometheus --config.file="$PROM_RUN_DIR/prometheus.yml" --storage.tsdb.path="$PROM_RUN_DIR/data" \
  --web.listen-address="$PROM_HOST:$PROM_PORT" --web.enable-lifecycle --storage.tsdb.retention.time=2d \
  >"$PROM_LOG" 2>&1 &
echo $! > "$PROM_PID_FILE"
if wait_until_ready ready "$PROM_PID_FILE" 20; then
  prom_log "started (pid $(cat "$PROM_PID_FILE")) on http://$PROM_HOST:$PROM_PORT, scraping every $INTERVAL; targets in $PROM_TARGETS_DIR"
  exit 0
fi
show_log_tails 30 "$PROM_LOG"
prom_log "did not become ready"
exit 1
