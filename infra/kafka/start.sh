#!/usr/bin/env bash
# Starts a single-node Apache Kafka (KRaft, combined broker+controller) on
# 127.0.0.1 for integration tests and benchmarks. Idempotent.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bash infra/kafka/start.sh [--help]

Installs Kafka if needed (infra/kafka/install.sh), writes
.run/kafka/server.properties, formats the KRaft storage on first use, starts the
broker in the background and waits until it serves (AdminClient describeCluster
+ listTopics). If our broker is already running and serving, exits 0 at once.

Environment (defaults in brackets):
  CALLSENTRY_KAFKA_PORT             client listener port                 [9092]
  CALLSENTRY_KAFKA_CONTROLLER_PORT  KRaft controller listener port       [9093]
  CALLSENTRY_KAFKA_RUN_DIR          config, pid, data/ and logs/         [<repo>/.run/kafka]
  CALLSENTRY_KAFKA_HEAP_OPTS        broker heap                          [-Xms256m -Xmx512m]
  CALLSENTRY_KAFKA_START_TIMEOUT    seconds to wait for readiness        [90]
  CALLSENTRY_KAFKA_LOG_LEVEL        broker log level (server.log)        [INFO]
  CALLSENTRY_KAFKA_REUSE_EXISTING   1: if a Kafka broker this checkout    [1]
                                    did not start already serves the port,
                                    use it (exit 0); 0: fail instead
  CALLSENTRY_CACHE, CALLSENTRY_MAVEN_REPO, JAVA_HOME: see install.sh --help

Stop it with infra/kafka/stop.sh; wipe its data with infra/kafka/reset.sh.
EOF
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

START_TIMEOUT="${CALLSENTRY_KAFKA_START_TIMEOUT:-90}"
HEAP_OPTS="${CALLSENTRY_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
LOG_LEVEL="${CALLSENTRY_KAFKA_LOG_LEVEL:-INFO}"

kafka_install

mkdir -p "$KAFKA_RUN_DIR" "$KAFKA_DATA_DIR" "$KAFKA_LOG_DIR"

# One start at a time per run dir (parallel test workers may all call start.sh).
exec {start_lock_fd}>"$KAFKA_RUN_DIR/.start.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w $((START_TIMEOUT + 60)) "$start_lock_fd" || { kafka_log "timed out waiting for another start.sh"; exit 1; }
fi

desired_config() {
  cat <<EOF
# Written by infra/kafka/start.sh; edits are overwritten on the next start.
# Single-node KRaft: this process is both broker and (the only) controller.
process.roles=broker,controller
node.id=1
# Static voter set (kraft.version 0): the controller address comes from this file
# on every start, so changing CALLSENTRY_KAFKA_CONTROLLER_PORT needs no reformat.
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT

log.dirs=$KAFKA_DATA_DIR
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
delete.topic.enable=true

# Internal topics on one broker: replication factor 1, fewer partitions than the
# defaults (50) so the first consumer group / transaction comes up quickly.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Tests: consumers join a group without the 3 s initial rebalance delay.
group.initial.rebalance.delay.ms=0

# Small machine (2 cores).
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4

# Test data does not need to live long.
log.retention.hours=24
log.retention.check.interval.ms=300000
EOF
}

# ---- already running? ---------------------------------------------------------
if pid="$(kafka_running_pid)"; then
  if ! cmp -s <(desired_config) "$KAFKA_CONFIG"; then
    kafka_log "a broker (pid $pid) is running with a different configuration ($KAFKA_CONFIG);"
    kafka_log "run infra/kafka/stop.sh first to restart it with the current settings"
    exit 1
  fi
  echo "$pid" >"$KAFKA_PID_FILE"
  if out="$(kafka_probe 5000 2>&1)"; then
    kafka_log "already running: pid $pid, $KAFKA_BOOTSTRAP ($out)"
    exit 0
  fi
  kafka_log "pid $pid is running but not serving yet; waiting"
else
  rm -f "$KAFKA_PID_FILE"
  # A broker we did not start (e.g. one left running from another checkout, as
  # when CI runs in a fresh clone on the same machine) already serves our port:
  # use it rather than fail, unless told not to.
  if kafka_port_open "$KAFKA_PORT" && [[ "${CALLSENTRY_KAFKA_REUSE_EXISTING:-1}" == "1" ]] \
     && out="$(kafka_probe 5000 2>&1)"; then
    kafka_log "reusing a Kafka broker already serving $KAFKA_BOOTSTRAP that this checkout did not start ($out)"
    kafka_log "(its owner stops it; set CALLSENTRY_KAFKA_REUSE_EXISTING=0 to fail instead)"
    exit 0
  fi
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if kafka_port_open "$port"; then
      kafka_log "port $KAFKA_HOST:$port is already in use by another process:"
      (ss -ltnp 2>/dev/null | grep -E "[:.]$port\\b" || true) >&2
      kafka_log "stop it, or pick other ports (CALLSENTRY_KAFKA_PORT / CALLSENTRY_KAFKA_CONTROLLER_PORT)"
      exit 1
    fi
  done

  desired_config >"$KAFKA_CONFIG"

  # ---- format KRaft storage on first use --------------------------------------
  if [[ ! -f "$KAFKA_DATA_DIR/meta.properties" ]]; then
    cluster_id="$(kafka_run_class kafka.tools.StorageTool random-uuid)"
    kafka_log "formatting $KAFKA_DATA_DIR (cluster id $cluster_id)"
    if ! kafka_run_class kafka.tools.StorageTool format --ignore-formatted \
          --config "$KAFKA_CONFIG" --cluster-id "$cluster_id" >"$KAFKA_LOG_DIR/format.log" 2>&1; then
      cat "$KAFKA_LOG_DIR/format.log" >&2
      kafka_log "formatting failed"
      exit 1
    fi
  fi

  # ---- launch -----------------------------------------------------------------
  : >"$KAFKA_LOG_DIR/kafka.out"
  rm -f "$KAFKA_PID_FILE"
  # The launcher runs in its own session (setsid) so the caller's terminal / job
  # control signals don't reach the broker, closes every inherited fd above 2 (a
  # leaked pipe would keep a CI log or a test runner waiting for EOF), records its
  # own pid and then execs java, so the recorded pid is the broker's.
  setsid=(); command -v setsid >/dev/null 2>&1 && setsid=(setsid)
  # shellcheck disable=SC2016,SC2086
  KAFKA_PID_FILE="$KAFKA_PID_FILE" "${setsid[@]}" bash -c '
    for fd in /proc/$$/fd/*; do
      fd=${fd##*/}
      case "$fd" in 0|1|2) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
    done
    echo $$ >"$KAFKA_PID_FILE"
    exec "$@"' kafka-launcher \
    "$JAVA" $HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError \
    "-Xlog:gc*:file=$KAFKA_LOG_DIR/gc.log:time,tags:filecount=3,filesize=10M" \
    -Djava.awt.headless=true \
    "-Dkafka.logs.dir=$KAFKA_LOG_DIR" \
    "-Dcallsentry.kafka.log.level=$LOG_LEVEL" \
    "-Dlog4j2.configurationFile=$KAFKA_BROKER_LOG4J" \
    -cp "$KAFKA_CLASSPATH" \
    kafka.Kafka "$KAFKA_CONFIG" \
    </dev/null >>"$KAFKA_LOG_DIR/kafka.out" 2>&1 &
  pid=""
  for _ in $(seq 1 100); do
    pid="$(cat "$KAFKA_PID_FILE" 2>/dev/null || true)"
    [[ -n "$pid" ]] && break
    sleep 0.1
  done
  if [[ -z "$pid" ]]; then
    kafka_log "the broker launcher did not start"
    kafka_show_logs
    exit 1
  fi
  kafka_log "started Kafka $KAFKA_VERSION (pid $pid) on $KAFKA_BOOTSTRAP, controller $KAFKA_HOST:$KAFKA_CONTROLLER_PORT; logs in $KAFKA_LOG_DIR"
fi

# ---- wait until it serves -------------------------------------------------------
deadline=$((SECONDS + START_TIMEOUT))
last=""
while ((SECONDS < deadline)); do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$KAFKA_PID_FILE"
    kafka_log "broker process $pid exited during startup"
    kafka_show_logs
    exit 1
  fi
  if kafka_port_open "$KAFKA_PORT"; then
    if last="$(kafka_probe 5000 2>&1)"; then
      kafka_log "ready after ${SECONDS}s: $KAFKA_BOOTSTRAP ($last)"
      exit 0
    fi
  fi
  sleep 1
done

kafka_log "broker (pid $pid) not serving on $KAFKA_BOOTSTRAP after ${START_TIMEOUT}s${last:+: $last}"
kafka_log "it is left running; stop it with infra/kafka/stop.sh"
kafka_show_logs
exit 1
