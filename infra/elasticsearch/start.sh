#!/usr/bin/env bash
# Starts a single-node Elasticsearch on 127.0.0.1 for integration tests and benchmarks. Idempotent.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bash infra/elasticsearch/start.sh [--help]

Fetches Elasticsearch if needed (fetch.sh), writes its configuration under
.run/elasticsearch/config, starts it in the background as a dedicated user
(callsentry-es, created if missing, when run as root: Elasticsearch refuses to
run as root) with security disabled, single-node discovery and a small heap,
and waits until the cluster health is yellow or green. If our node is already
running and healthy, says so and exits 0.

Environment (defaults in brackets):
  CALLSENTRY_ES_PORT            HTTP port on 127.0.0.1                   [9200]
  CALLSENTRY_ES_TRANSPORT_PORT  transport port on 127.0.0.1              [9300]
  CALLSENTRY_ES_HEAP            heap size (-Xms = -Xmx)                  [512m]
  CALLSENTRY_ES_RUN_DIR         config/, data/, logs/, tmp/, pid file    [<repo>/.run/elasticsearch]
  CALLSENTRY_ES_USER            user to run as when started by root      [callsentry-es]
  CALLSENTRY_ES_START_TIMEOUT   seconds to wait for a healthy cluster    [120]
  CALLSENTRY_ES_REUSE_EXISTING  1: if an Elasticsearch this checkout did  [1]
                                not start already serves the port, use it
  ES_JAVA_HOME / JAVA_HOME      Java 17+ (default: the java on PATH)
  CALLSENTRY_CACHE, CALLSENTRY_MAVEN_REPO: see fetch.sh --help

Stop it with infra/elasticsearch/stop.sh.
USAGE
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"
# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

START_TIMEOUT="${CALLSENTRY_ES_START_TIMEOUT:-120}"
HEAP="${CALLSENTRY_ES_HEAP:-512m}"

bash "$ES_SCRIPT_DIR/fetch.sh"
[[ -n "${ES_JAVA_HOME:-}" && -x "$ES_JAVA_HOME/bin/java" ]] || { es_log "no Java found: set ES_JAVA_HOME or JAVA_HOME to a Java 17+"; exit 1; }

# ---- the user it runs as ----------------------------------------------------------
run_as=()
run_user="$(id -un)"
if [[ $(id -u) -eq 0 ]]; then
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    es_log "creating system user $ES_USER"
    useradd --system --no-create-home --shell /usr/sbin/nologin --user-group "$ES_USER" 2>/dev/null \
      || id -u "$ES_USER" >/dev/null 2>&1 || { es_log "useradd $ES_USER failed"; exit 1; }
  fi
  # it must be able to reach the install and run folders through every parent directory
  if ! runuser -u "$ES_USER" -- test -x "$ES_HOME/bin/elasticsearch"; then
    es_log "user $ES_USER cannot reach $ES_HOME (a parent directory is not world-executable);"
    es_log "set CALLSENTRY_CACHE / CALLSENTRY_ES_RUN_DIR to a readable place"
    exit 1
  fi
  run_as=(runuser -u "$ES_USER" --)
  run_user="$ES_USER"
fi

mkdir -p "$ES_RUN_DIR"
exec {start_lock_fd}>"$ES_RUN_DIR/.start.lock"
flock -w $((START_TIMEOUT + 60)) "$start_lock_fd" || { es_log "timed out waiting for another start.sh"; exit 1; }

desired_config() {
  cat <<YML
# Written by infra/elasticsearch/start.sh; edits are overwritten on the next start. TESTS ONLY.
cluster.name: $ES_CLUSTER_NAME
node.name: callsentry-test-1
network.host: $ES_HOST
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
discovery.type: single-node
path.data: $ES_DATA_DIR
path.logs: $ES_LOG_DIR
# loopback only, throwaway data: no TLS, no users
xpack.security.enabled: false
# tests create and drop many indices; a nearly full shared disk must not turn them read-only
cluster.routing.allocation.disk.threshold_enabled: false
YML
}

# ---- already running? ---------------------------------------------------------------
if pid="$(es_running_pid)"; then
  if ! cmp -s <(desired_config) "$ES_CONF_DIR/elasticsearch.yml"; then
    es_log "a node (pid $pid) is running with a different configuration ($ES_CONF_DIR/elasticsearch.yml);"
    es_log "run infra/elasticsearch/stop.sh first to restart it with the current settings"
    exit 1
  fi
  if es_healthy; then
    es_log "already running: pid $pid, $ES_URL"
    exit 0
  fi
  es_log "pid $pid is running but not healthy yet; waiting"
else
  rm -f "$ES_PID_FILE"
  if es_port_open "$ES_PORT"; then
    if [[ "${CALLSENTRY_ES_REUSE_EXISTING:-1}" == "1" ]] && es_healthy; then
      es_log "reusing an Elasticsearch already serving $ES_URL that this checkout did not start"
      es_log "(its owner stops it; set CALLSENTRY_ES_REUSE_EXISTING=0 to fail instead)"
      exit 0
    fi
    es_log "port $ES_HOST:$ES_PORT is already in use by another process:"
    (ss -ltnp 2>/dev/null | grep -E "[:.]$ES_PORT\\b" || true) >&2
    es_log "stop it, or pick another port (CALLSENTRY_ES_PORT)"
    exit 1
  fi

  # ---- configuration, data and logs: under .run/, owned by the service user -------
  mkdir -p "$ES_CONF_DIR/jvm.options.d" "$ES_DATA_DIR" "$ES_LOG_DIR" "$ES_TMP_DIR"
  cp "$ES_HOME/config/jvm.options" "$ES_HOME/config/log4j2.properties" "$ES_CONF_DIR/"
  desired_config >"$ES_CONF_DIR/elasticsearch.yml"
  printf -- '-Xms%s\n-Xmx%s\n' "$HEAP" "$HEAP" >"$ES_CONF_DIR/jvm.options.d/callsentry-heap.options"
  : >"$ES_LOG_DIR/start.out"
  if ((${#run_as[@]})); then chown -R "$ES_USER:" "$ES_RUN_DIR"; fi

  # -d: the launcher returns once the node has started (or failed) and leaves the server running
  # in its own session; -p: the server's pid. The working directory receives gc.log and crash files.
  es_log "starting Elasticsearch $ES_VERSION on $ES_URL (heap $HEAP, user $run_user); logs in $ES_LOG_DIR"
  if ! (cd "$ES_LOG_DIR" && timeout "$START_TIMEOUT" "${run_as[@]}" env -i \
        PATH=/usr/bin:/bin HOME="$ES_RUN_DIR" LANG=C.UTF-8 \
        ES_JAVA_HOME="$ES_JAVA_HOME" ES_PATH_CONF="$ES_CONF_DIR" ES_TMPDIR="$ES_TMP_DIR" \
        setsid "$ES_HOME/bin/elasticsearch" -d -p "$ES_PID_FILE" \
        </dev/null >>"$ES_LOG_DIR/start.out" 2>&1); then
    es_log "the launcher failed"
    es_show_logs
    exit 1
  fi
  pid="$(cat "$ES_PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || { es_log "no pid file after start"; es_show_logs; exit 1; }
fi

# ---- wait until healthy --------------------------------------------------------------
deadline=$((SECONDS + START_TIMEOUT))
while ((SECONDS < deadline)); do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$ES_PID_FILE"
    es_log "node process $pid exited during startup"
    es_show_logs
    exit 1
  fi
  if es_healthy; then
    es_log "ready after ${SECONDS}s: $ES_URL (pid $pid)"
    exit 0
  fi
  sleep 1
done
es_log "node (pid $pid) not healthy on $ES_URL after ${START_TIMEOUT}s; it is left running (infra/elasticsearch/stop.sh stops it)"
es_show_logs
exit 1
