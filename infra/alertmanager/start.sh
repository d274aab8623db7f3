#!/usr/bin/env bash
# Starts Prometheus Alertmanager (Debian package) on 127.0.0.1 for callsentry's alerts. Idempotent.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bash infra/alertmanager/start.sh [--help]

Writes .run/alertmanager/alertmanager.yml, starts prometheus-alertmanager (Debian
package, listed in infra/apt-packages.txt) in the background without clustering,
and waits until it is ready. If it already runs and is ready, exits 0 at once.

Alerts are grouped by alertname, tenant and incident: one page per incident (its
alert keeps its labels while it grows), and a flood of 10,000 unlinked incidents
collapses into one alert upstream (alerting.max_keys_per_group). Notifications go to the webhook CALLSENTRY_ALERTMANAGER_WEBHOOK_URL when it
is set (a pager bridge, or a test's receiver); the configuration is rewritten and
reloaded when it changes.

Environment (defaults in brackets):
  CALLSENTRY_ALERTMANAGER_PORT         listen port on 127.0.0.1 (9093 is Kafka's)  [9097]
  CALLSENTRY_ALERTMANAGER_WEBHOOK_URL  where notifications go                      []
  CALLSENTRY_ALERTMANAGER_GROUP_WAIT   wait before the first notification of a group [10s]
  CALLSENTRY_ALERTMANAGER_GROUP_INTERVAL  wait before notifying a group's changes (and resolution) [1m]
  CALLSENTRY_ALERTMANAGER_RUN_DIR      config, data, log                           [<repo>/.run/alertmanager]

Stop it with infra/alertmanager/stop.sh.
USAGE
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"
# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

command -v prometheus-alertmanager >/dev/null || { am_log "prometheus-alertmanager is not installed: apt-get install prometheus-alertmanager (npm run test:all does it)"; exit 1; }
mkdir -p "$AM_RUN_DIR/data"

{
  echo "# Written by infra/alertmanager/start.sh; edits are overwritten on the next start."
  echo "route:"
  echo "  receiver: noc"
  echo "  group_by: [alertname, tenant, incident]"
  echo "  group_wait: ${CALLSENTRY_ALERTMANAGER_GROUP_WAIT:-10s}"
  echo "  group_interval: ${CALLSENTRY_ALERTMANAGER_GROUP_INTERVAL:-1m}"
  echo "  repeat_interval: 4h"
  echo "receivers:"
  echo "  - name: noc"
  if [[ -n "${CALLSENTRY_ALERTMANAGER_WEBHOOK_URL:-}" ]]; then
    echo "    webhook_configs:"
    echo "      - url: '${CALLSENTRY_ALERTMANAGER_WEBHOOK_URL}'"
    echo "        send_resolved: true"
  fi
} > "$AM_RUN_DIR/alertmanager.yml.new"

ready() { curl -fsS -m 2 "http://$AM_HOST:$AM_PORT/-/ready" >/dev/null 2>&1; }
running() { [[ -f "$AM_PID_FILE" ]] && kill -0 "$(cat "$AM_PID_FILE")" 2>/dev/null; }

if running && ready; then
  if ! cmp -s "$AM_RUN_DIR/alertmanager.yml.new" "$AM_RUN_DIR/alertmanager.yml"; then
    mv "$AM_RUN_DIR/alertmanager.yml.new" "$AM_RUN_DIR/alertmanager.yml"
    curl -fsS -m 5 -X POST "http://$AM_HOST:$AM_PORT/-/reload" >/dev/null || { am_log "reload failed; see $AM_LOG"; exit 1; }
    am_log "configuration changed: reloaded"
  else
    rm -f "$AM_RUN_DIR/alertmanager.yml.new"
  fi
  am_log "already running (pid $(cat "$AM_PID_FILE")) on $AM_HOST:$AM_PORT"
  exit 0
fi
if ready; then
  am_log "another Alertmanager answers on $AM_HOST:$AM_PORT; stop it or set CALLSENTRY_ALERTMANAGER_PORT"
  exit 1
fi
mv "$AM_RUN_DIR/alertmanager.yml.new" "$AM_RUN_DIR/alertmanager.yml"
amtool check-config "$AM_RUN_DIR/alertmanager.yml" >"$AM_RUN_DIR/check.log" 2>&1 || { show_log_tails 30 "$AM_RUN_DIR/check.log"; am_log "configuration check failed"; exit 1; }

nohup prometheus-alertmanager --config.file="$AM_RUN_DIR/alertmanager.yml" --storage.path="$AM_RUN_DIR/data" \
  --web.listen-address="$AM_HOST:$AM_PORT" --cluster.listen-address="" >"$AM_LOG" 2>&1 &
echo $! > "$AM_PID_FILE"
if wait_until_ready ready "$AM_PID_FILE" 20; then
  am_log "started (pid $(cat "$AM_PID_FILE")) on http://$AM_HOST:$AM_PORT"
  exit 0
fi
show_log_tails 30 "$AM_LOG"
am_log "did not become ready"
exit 1
