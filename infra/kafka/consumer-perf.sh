#!/usr/bin/env bash
# Runs Kafka's own consumer benchmark (org.apache.kafka.tools.ConsumerPerformance,
# from the same jars as the broker) and ends with one machine-readable line:
#   records_per_sec=<number>
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bash infra/kafka/consumer-perf.sh TOPIC MESSAGES [BOOTSTRAP] [-- EXTRA_TOOL_FLAGS...]

Consumes MESSAGES records of TOPIC from the beginning with a fresh consumer group
(org.apache.kafka.tools.ConsumerPerformance --bootstrap-server --topic --messages
--group --timeout), prints the tool's own output, then four summary lines:

  fetch_mb_per_sec=<fetch.MB.sec>          MB/s over the fetch time only
  mb_per_sec=<MB.sec>                      MB/s over the whole run
  fetch_records_per_sec=<fetch.nMsg.sec>   rate over the fetch time only
  records_per_sec=<nMsg.sec>               the tool's headline rate: records over
                                           the whole run, incl. the group join

records_per_sec is always the last line. Exit status is 1 if fewer than MESSAGES
records were consumed (the lines are still printed).

Arguments:
  TOPIC       topic to read (must exist and hold at least MESSAGES records)
  MESSAGES    number of records to consume
  BOOTSTRAP   default 127.0.0.1:${CALLSENTRY_KAFKA_PORT:-9092}
  after --    passed to ConsumerPerformance as is (e.g. --fetch-size 2097152)

Environment:
  CALLSENTRY_PERF_TIMEOUT_MS   max gap between returned records, ms   [30000]
  CALLSENTRY_PERF_JVM_OPTS     JVM options for the tool               [-Xmx512m -XX:+UseG1GC]
EOF
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
esac
if (($# < 2)); then usage >&2; exit 2; fi

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

topic="$1"; messages="$2"; shift 2
bootstrap="$KAFKA_BOOTSTRAP"
if (($#)) && [[ "$1" != "--" ]]; then bootstrap="$1"; shift; fi
if (($#)) && [[ "$1" == "--" ]]; then shift; fi
extra=("$@")

[[ "$messages" =~ ^[0-9]+$ && "$messages" -gt 0 ]] || { echo "MESSAGES must be a positive integer: $messages" >&2; exit 2; }

kafka_install

# Fail fast on a missing or too small topic (the tool itself would wait for
# --timeout and then report 0 records).
if info="$(kafka_run_probe "$bootstrap" 10000 "$topic" 2>&1)"; then
  available="$(sed -n 's/.* records=\([0-9]*\).*/\1/p' <<<"$info")"
  if [[ -n "$available" ]] && ((available < messages)); then
    echo "consumer-perf: topic $topic holds $available records, fewer than MESSAGES=$messages" >&2
    exit 1
  fi
else
  echo "consumer-perf: cannot use topic $topic on $bootstrap: $info" >&2
  exit 1
fi

group="callsentry-consumer-perf-$(date +%s)-$$"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

set +e
KAFKA_TOOL_JVM_OPTS="${CALLSENTRY_PERF_JVM_OPTS:--Xmx512m -XX:+UseG1GC}" \
  kafka_run_class org.apache.kafka.tools.ConsumerPerformance \
    --bootstrap-server "$bootstrap" \
    --topic "$topic" \
    --messages "$messages" \
    --group "$group" \
    --timeout "${CALLSENTRY_PERF_TIMEOUT_MS:-30000}" \
    ${extra[@]+"${extra[@]}"} | tee "$out"
rc=${PIPESTATUS[0]}
set -e

# The summary is a header line naming the columns and, after it (a WARNING line
# may come in between), one line of values:
# start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg,
# nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
# Without a header (--hide-header) that default column order is assumed.
read -r consumed rate fetch_rate mb_rate fetch_mb_rate < <(awk -F', *' '
  BEGIN { split("start.time end.time data.consumed.in.MB MB.sec data.consumed.in.nMsg nMsg.sec rebalance.time.ms fetch.time.ms fetch.MB.sec fetch.nMsg.sec", names, " ")
          for (i in names) col[names[i]] = i; want = 10 }
  /(^|, *)nMsg\.sec(,|$)/ { delete col; for (i = 1; i <= NF; i++) col[$i] = i; want = NF; next }
  !done && NF == want && $col["data.consumed.in.nMsg"] ~ /^[0-9]+$/ {
    printf "%s %s %s %s %s\n", $col["data.consumed.in.nMsg"], $col["nMsg.sec"], \
      (("fetch.nMsg.sec" in col) ? $col["fetch.nMsg.sec"] : "nan"), $col["MB.sec"], \
      (("fetch.MB.sec" in col) ? $col["fetch.MB.sec"] : "nan")
    done = 1
  }' "$out") || true

if [[ -z "${rate:-}" ]]; then
  echo "consumer-perf: could not find the nMsg.sec column in ConsumerPerformance output (exit $rc)" >&2
  exit 1
fi

echo "fetch_mb_per_sec=$fetch_mb_rate"
echo "mb_per_sec=$mb_rate"
echo "fetch_records_per_sec=$fetch_rate"
echo "records_per_sec=$rate"

if ((rc != 0)); then
  echo "consumer-perf: ConsumerPerformance exited with $rc" >&2
  exit "$rc"
fi
if ((consumed < messages)); then
  echo "consumer-perf: consumed $consumed of $messages records (topic too small, or timeout)" >&2
  exit 1
fi
