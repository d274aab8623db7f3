# Shared by the infra scripts: argument handling and stopping a background process.
# Source it; it defines functions only.

# accept_only_help USAGE_FUNCTION "$@": --help prints the usage, any other argument is an error.
accept_only_help() {
  local usage_fn=$1
  shift
  case "${1:-}" in
    -h | --help) "$usage_fn"; exit 0 ;;
    "") ;;
    *) echo "unknown argument: $1" >&2; "$usage_fn" >&2; exit 2 ;;
  esac
}

# stop_gracefully PID TIMEOUT_SECONDS LOG_FUNCTION: SIGTERM, wait, then SIGKILL. Returns 1 only if
# the process survives SIGKILL.
stop_gracefully() {
  local pid=$1 timeout=$2 log_fn=$3 deadline
  "$log_fn" "stopping pid $pid (SIGTERM, up to ${timeout}s)"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -0 "$pid" 2>/dev/null || return 0
  "$log_fn" "still alive after ${timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  "$log_fn" "pid $pid survived SIGKILL"
  return 1
}

# show_log_tails LINES FILE...: the last lines of each non-empty file on stderr, for a failed start.
show_log_tails() {
  local lines=$1 f
  shift
  for f in "$@"; do
    if [[ -s "$f" ]]; then
      printf '\n----- last %s lines of %s -----\n' "$lines" "$f" >&2
      tail -n "$lines" "$f" >&2
    fi
  done
}
