# Shared settings and helpers for infra/elasticsearch/*.sh. Source it; don't run it.
# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this

# ---- pinned version ------------------------------------------------------------
# 8.19.21: the newest 8.x integ-test-zip on Maven Central, and 8.x is the last major that runs on
# the machine's Java 17 (9.x needs Java 21). The client in package.json is the same major (8.19).
ES_VERSION="8.19.21"
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
# ------------------------------------------------------------------------------

ES_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$ES_SCRIPT_DIR/../.." && pwd)"

CALLSENTRY_CACHE="${CALLSENTRY_CACHE:-$REPO_ROOT/.cache}"
ES_INSTALL_DIR="$CALLSENTRY_CACHE/elasticsearch/$ES_VERSION"
ES_HOME="$ES_INSTALL_DIR/elasticsearch-$ES_VERSION"
ES_MARKER="$ES_INSTALL_DIR/.installed"

ES_HOST="127.0.0.1"
ES_PORT="${CALLSENTRY_ES_PORT:-9200}"
ES_TRANSPORT_PORT="${CALLSENTRY_ES_TRANSPORT_PORT:-9300}"
ES_URL="http://$ES_HOST:$ES_PORT"

ES_RUN_DIR="${CALLSENTRY_ES_RUN_DIR:-$REPO_ROOT/.run/elasticsearch}"
ES_CONF_DIR="$ES_RUN_DIR/config"
ES_DATA_DIR="$ES_RUN_DIR/data"
ES_LOG_DIR="$ES_RUN_DIR/logs"
ES_TMP_DIR="$ES_RUN_DIR/tmp"
ES_PID_FILE="$ES_RUN_DIR/elasticsearch.pid"
ES_CLUSTER_NAME="callsentry-test"

# Elasticsearch refuses to run as root: as root we run it as this system user (created on demand);
# as anyone else, as that user.
ES_USER="${CALLSENTRY_ES_USER:-callsentry-es}"

# Java 17+ from the machine (the integ-test zip has no bundled JDK).
if [[ -z "${ES_JAVA_HOME:-}" ]]; then
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    ES_JAVA_HOME="$JAVA_HOME"
  elif command -v java >/dev/null 2>&1; then
    ES_JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  fi
fi

es_log() { printf '[elasticsearch] %s\n' "$*" >&2; }

es_is_installed() {
  [[ -f "$ES_MARKER" && "$(cat "$ES_MARKER")" == "$ES_ARTIFACT" && -x "$ES_HOME/bin/elasticsearch" ]]
}

# Is anything accepting TCP connections on 127.0.0.1:$1 ?
es_port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$ES_HOST/$1" 2>/dev/null
}

# GET a path of the HTTP API; prints the body, fails on connection errors and HTTP errors.
es_get() {
  curl -sS --fail --max-time "${2:-5}" "$ES_URL$1"
}

# Cluster health is yellow or green (one node: replicas can never be assigned, so yellow is ready).
es_healthy() {
  local body
  body="$(es_get '/_cluster/health?wait_for_status=yellow&timeout=2s' 5 2>/dev/null)" || return 1
  [[ "$body" == *'"status":"green"'* || "$body" == *'"status":"yellow"'* ]]
}

# Does pid $1 belong to *our* node? Settings reach the server on stdin, so its command line names
# no config path; its temporary directory (ES_TMPDIR, under our run dir) identifies it.
es_pid_is_ours() {
  local pid="$1" args=()
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  mapfile -d '' -t args 2>/dev/null <"/proc/$pid/cmdline" || return 1
  [[ " ${args[*]} " == *" -Djava.io.tmpdir=$ES_TMP_DIR "* && " ${args[*]} " == *" org.elasticsearch.server/org.elasticsearch.bootstrap.Elasticsearch "* ]]
}

# Print the pid of our running node, if any: the pid file, else a process started with our config.
es_running_pid() {
  local pid p
  if [[ -f "$ES_PID_FILE" ]]; then
    pid="$(cat "$ES_PID_FILE" 2>/dev/null || true)"
    if es_pid_is_ours "$pid"; then
      printf '%s\n' "$pid"
      return 0
    fi
  fi
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    if es_pid_is_ours "$pid"; then
      printf '%s\n' "$pid"
      return 0
    fi
  done
  return 1
}

# needs lib/process.sh, which every script that calls it has sourced
es_show_logs() {
  show_log_tails 40 "$ES_LOG_DIR/start.out" "$ES_LOG_DIR/$ES_CLUSTER_NAME.log"
  printf '\nlogs: %s\n' "$ES_LOG_DIR" >&2
}
