#!/usr/bin/env bash
# The test command: all set-up, then every test (unit and integration against the real components).
# Prints a closing line "tests: N passed, N failed, N skipped". Components this run started are
# stopped at the end when CI=true (or CALLSENTRY_STOP_SERVICES=1).
set -euo pipefail
case "${1:-}" in
  -h|--help) echo "Usage: bash infra/test-all.sh [jest arguments]"; exit 0 ;;
esac
cd "$(dirname "$0")/.."

port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
kafka_was_running=0
port_open "${CALLSENTRY_KAFKA_PORT:-9092}" && kafka_was_running=1
coturn_was_running=0
port_open "${CALLSENTRY_COTURN_PORT:-3478}" && coturn_was_running=1
prometheus_was_running=0
port_open "${CALLSENTRY_PROMETHEUS_PORT:-9090}" && prometheus_was_running=1
alertmanager_was_running=0
port_open "${CALLSENTRY_ALERTMANAGER_PORT:-9097}" && alertmanager_was_running=1
es_was_running=0
port_open "${CALLSENTRY_ES_PORT:-9200}" && es_was_running=1

bash infra/setup-test.sh
npx --no-install tsc -p tsconfig.json --noEmit

mkdir -p .run
status=0
npx --no-install jest --ci --json --outputFile=.run/jest-results.json "$@" || status=$?

if [[ -f .run/jest-results.json ]]; then
  node -e '
    const r = require("./.run/jest-results.json");
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  '
fi

if [[ "${CI:-}" == "true" || "${CALLSENTRY_STOP_SERVICES:-0}" == "1" ]]; then
  (( kafka_was_running )) || bash infra/kafka/stop.sh || true
  (( coturn_was_running )) || bash infra/coturn/stop.sh || true
  (( prometheus_was_running )) || bash infra/prometheus/stop.sh || true
  (( alertmanager_was_running )) || bash infra/alertmanager/stop.sh || true
  (( es_was_running )) || bash infra/elasticsearch/stop.sh || true
fi
exit "$status"
