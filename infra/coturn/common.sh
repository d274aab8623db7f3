# Shared settings and helpers for infra/coturn/*.sh. Source it; don't run it.
# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this

COTURN_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$COTURN_SCRIPT_DIR/../.." && pwd)"

COTURN_HOST="127.0.0.1"
COTURN_PORT="${CALLSENTRY_COTURN_PORT:-3478}"
# relay endpoints come from a small fixed range so a lab never collides with the whole
# ephemeral range of the machine
COTURN_MIN_PORT="${CALLSENTRY_COTURN_MIN_PORT:-49160}"
COTURN_MAX_PORT="${CALLSENTRY_COTURN_MAX_PORT:-49260}"
COTURN_CLI_PORT="${CALLSENTRY_COTURN_CLI_PORT:-5766}"
COTURN_REALM="${CALLSENTRY_COTURN_REALM:-callsentry.test}"
COTURN_USER="${CALLSENTRY_COTURN_USER:-lab}"

REDIS_HOST="${CALLSENTRY_REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${CALLSENTRY_REDIS_PORT:-6379}"
COTURN_REDIS_DB="${CALLSENTRY_COTURN_REDIS_DB:-5}"
# coturn's own connection-string syntax (not a URL), used by turnserver and turnadmin -N
COTURN_REDIS_CONN="ip=$REDIS_HOST dbname=$COTURN_REDIS_DB port=$REDIS_PORT connect_timeout=5"

COTURN_RUN_DIR="${CALLSENTRY_COTURN_RUN_DIR:-$REPO_ROOT/.run/coturn}"
COTURN_CONFIG="$COTURN_RUN_DIR/turnserver.conf"
COTURN_PID_FILE="$COTURN_RUN_DIR/turnserver.pid"
COTURN_LOG_FILE="$COTURN_RUN_DIR/turnserver.log"
COTURN_OUT_FILE="$COTURN_RUN_DIR/turnserver.out"
# secrets live in files of mode 600, never on stdout or in a log
COTURN_PASSWORD_FILE="$COTURN_RUN_DIR/$COTURN_USER.password"
COTURN_CLI_PASSWORD_FILE="$COTURN_RUN_DIR/cli.password"

coturn_log() { printf '[coturn] %s\n' "$*" >&2; }

# A random secret written once to $1 (mode 600) and kept across restarts.
coturn_secret_file() {
  local file="$1"
  if [[ ! -s "$file" ]]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$file")
  fi
}

# Does pid $1 belong to *our* turnserver (the one started with $COTURN_CONFIG)?
coturn_pid_is_ours() {
  local pid="$1" args=()
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  mapfile -d '' -t args 2>/dev/null <"/proc/$pid/cmdline" || return 1
  (( ${#args[@]} )) || return 1 # kernel threads have no command line
  [[ "${args[0]##*/}" == "turnserver" && " ${args[*]} " == *" -c $COTURN_CONFIG "* ]]
}

# Prints the pid of our running turnserver, from the pid file or else by its exact config path.
coturn_running_pid() {
  local pid p
  pid="$(cat "$COTURN_PID_FILE" 2>/dev/null || true)"
  if coturn_pid_is_ours "$pid"; then printf '%s\n' "$pid"; return 0; fi
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    if coturn_pid_is_ours "$pid"; then printf '%s\n' "$pid"; return 0; fi
  done
  return 1
}

# One STUN Binding round trip to the listener: proves it serves, not only that it is bound.
coturn_probe() {
  timeout 3 turnutils_stunclient -p "$COTURN_PORT" "$COTURN_HOST" >/dev/null 2>&1
}

coturn_redis() {
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" -n "$COTURN_REDIS_DB" "$@"
}

# needs lib/process.sh, which every script that calls it has sourced
coturn_show_logs() {
  show_log_tails 30 "$COTURN_OUT_FILE" "$COTURN_LOG_FILE"
}
