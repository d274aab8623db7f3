# Shared settings and helpers for infra/kafka/*.sh. Source it; don't run it.
# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this

# Pinned versions, cache paths, JAVA and kafka_install() live in install.sh.
# shellcheck source=install.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/install.sh"

KAFKA_HOST="127.0.0.1"
KAFKA_PORT="${CALLSENTRY_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${CALLSENTRY_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"

KAFKA_RUN_DIR="${CALLSENTRY_KAFKA_RUN_DIR:-$REPO_ROOT/.run/kafka}"
KAFKA_DATA_DIR="$KAFKA_RUN_DIR/data"
KAFKA_LOG_DIR="$KAFKA_RUN_DIR/logs"
KAFKA_PID_FILE="$KAFKA_RUN_DIR/kafka.pid"
KAFKA_CONFIG="$KAFKA_RUN_DIR/server.properties"

KAFKA_TOOLS_LOG4J="$KAFKA_SCRIPT_DIR/log4j2-tools.xml"
KAFKA_BROKER_LOG4J="$KAFKA_SCRIPT_DIR/log4j2.xml"

# Run a Kafka command-line class from the installed jars (quiet logging).
# KAFKA_TOOL_JVM_OPTS defaults to options for quick start-up of short-lived tools;
# override it for anything that measures throughput.
kafka_run_class() {
  local jvm_opts="${KAFKA_TOOL_JVM_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
  # shellcheck disable=SC2086
  "$JAVA" $jvm_opts -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$KAFKA_TOOLS_LOG4J" \
    -cp "$KAFKA_CLASSPATH:$KAFKA_PROBE_CLASSES" "$@"
}

# Is anything accepting TCP connections on 127.0.0.1:$1 ?
kafka_port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$KAFKA_HOST/$1" 2>/dev/null
}

# Does pid $1 belong to *our* broker (the one using $KAFKA_CONFIG)?
kafka_pid_is_ours() {
  local pid="$1" args=()
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # read without forking: this runs for every process when the pid file is gone
  mapfile -d '' -t args 2>/dev/null <"/proc/$pid/cmdline" || return 1
  [[ " ${args[*]} " == *" kafka.Kafka $KAFKA_CONFIG "* ]]
}

# Print the pid of our running broker, if any. Uses the pid file, and falls back
# to looking for a process started with exactly our server.properties (in case
# the pid file was deleted while the broker ran).
kafka_running_pid() {
  local pid
  if [[ -f "$KAFKA_PID_FILE" ]]; then
    pid="$(cat "$KAFKA_PID_FILE" 2>/dev/null || true)"
    if kafka_pid_is_ours "$pid"; then
      printf '%s\n' "$pid"
      return 0
    fi
  fi
  local p
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    if kafka_pid_is_ours "$pid"; then
      printf '%s\n' "$pid"
      return 0
    fi
  done
  return 1
}

# KafkaProbe BOOTSTRAP TIMEOUT_MS [TOPIC]: see KafkaProbe.java.
KAFKA_PROBE_JVM_OPTS="-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dcallsentry.tools.log.level=ERROR"
kafka_run_probe() {
  KAFKA_TOOL_JVM_OPTS="$KAFKA_PROBE_JVM_OPTS" kafka_run_class KafkaProbe "$@"
}

# One readiness probe: describeCluster has a live broker and listTopics answers.
kafka_probe() {
  kafka_run_probe "$KAFKA_BOOTSTRAP" "${1:-5000}"
}

# needs lib/process.sh, which every script that calls it has sourced
kafka_show_logs() {
  show_log_tails 40 "$KAFKA_LOG_DIR/kafka.out" "$KAFKA_LOG_DIR/server.log"
  printf '\nlogs: %s\n' "$KAFKA_LOG_DIR" >&2
}
