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

# wait_until_ready READY_FUNCTION PID_FILE SECONDS: polls READY_FUNCTION every 0.2 s while the
# process of PID_FILE lives. Returns 0 once ready, 1 if it died or the time ran out.
wait_until_ready() {
  local ready_fn=$1 pid_file=$2 seconds=$3 i
  for ((i = 0; i < seconds * 5; i++)); do
    "$ready_fn" && return 0
    kill -0 "$(cat "$pid_file")" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# stop_service PID_FILE TIMEOUT_SECONDS LOG_FUNCTION [FIND_PID_FUNCTION]: stops the process a start
# script started, found by FIND_PID_FUNCTION when given (the pid file, or a process running with our
# configuration), else by the pid file alone. Not running is not an error.
stop_service() {
  local pid_file=$1 timeout=$2 log_fn=$3 find_fn=${4:-} pid=""
  if [[ -n "$find_fn" ]]; then
    pid="$("$find_fn")" || pid=""
  elif [[ -f "$pid_file" ]]; then
    pid="$(cat "$pid_file")"
  fi
  if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pid_file"
    "$log_fn" "not running"
    return 0
  fi
  stop_gracefully "$pid" "$timeout" "$log_fn" || return 1
  rm -f "$pid_file"
  "$log_fn" "stopped"
}
