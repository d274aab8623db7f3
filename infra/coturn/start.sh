#!/usr/bin/env bash
# Starts a lab coturn (TURN relay) on 127.0.0.1 with its users and statistics in Redis. Idempotent.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bash infra/coturn/start.sh [--help]

Installs coturn if needed (infra/coturn/install.sh), writes
.run/coturn/turnserver.conf, stores the lab user's long-term credentials in the
Redis user database, starts turnserver in the background and waits until it
answers a STUN Binding request. If our turnserver already runs with the same
configuration and answers, exits 0 at once.

The lab user's password is generated once into .run/coturn/<user>.password
(mode 600) and never printed; the CLI (admin) password likewise into
.run/coturn/cli.password.

Environment (defaults in brackets):
  CALLSENTRY_COTURN_PORT           TURN listener port (UDP and TCP)     [3478]
  CALLSENTRY_COTURN_MIN_PORT/MAX_PORT  relay port range              [49160-49260]
  CALLSENTRY_COTURN_CLI_PORT       admin CLI port on 127.0.0.1          [5766]
  CALLSENTRY_COTURN_REALM          realm                                [callsentry.test]
  CALLSENTRY_COTURN_USER           lab user name                        [lab]
  CALLSENTRY_REDIS_HOST/PORT       Redis server                         [127.0.0.1:6379]
  CALLSENTRY_COTURN_REDIS_DB       Redis database for users and stats   [5]
  CALLSENTRY_COTURN_RUN_DIR        config, pid, log, secrets            [<repo>/.run/coturn]
  CALLSENTRY_COTURN_START_TIMEOUT  seconds to wait for readiness        [15]

Stop it with infra/coturn/stop.sh.
EOF
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"

# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"
START_TIMEOUT="${CALLSENTRY_COTURN_START_TIMEOUT:-15}"

bash "$COTURN_SCRIPT_DIR/install.sh"
mkdir -p "$COTURN_RUN_DIR"
chmod 700 "$COTURN_RUN_DIR"

# One start at a time per run dir (parallel test workers may all call start.sh).
exec {lock_fd}>"$COTURN_RUN_DIR/.start.lock"
flock -w $((START_TIMEOUT + 30)) "$lock_fd" || { coturn_log "timed out waiting for another start.sh"; exit 1; }

if ! out="$(timeout 5 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>&1)" || [[ "$out" != "PONG" ]]; then
  coturn_log "Redis does not answer at $REDIS_HOST:$REDIS_PORT ($out); start redis-server first"
  exit 1
fi

coturn_secret_file "$COTURN_PASSWORD_FILE"
coturn_secret_file "$COTURN_CLI_PASSWORD_FILE"

desired_config() {
  cat <<EOF
# Written by infra/coturn/start.sh; edits are overwritten on the next start. LAB ONLY.
listening-ip=$COTURN_HOST
listening-port=$COTURN_PORT
relay-ip=$COTURN_HOST
min-port=$COTURN_MIN_PORT
max-port=$COTURN_MAX_PORT
realm=$COTURN_REALM
server-name=callsentry-lab
lt-cred-mech
fingerprint
# session, permission and channel events (with peer addresses) go to the log
verbose
# users (long-term credentials) and allocation status/traffic (pub/sub) in one Redis database
redis-userdb="$COTURN_REDIS_CONN"
redis-statsdb="$COTURN_REDIS_CONN"
no-tls
no-dtls
# The lab's peers (turnutils_peer) listen on loopback, which coturn refuses by default because
# it lets a client reach services on the relay host itself. Never set this in production.
allow-loopback-peers
no-multicast-peers
# Admin CLI (used to cancel sessions); coturn requires a password with allow-loopback-peers.
cli-ip=$COTURN_HOST
cli-port=$COTURN_CLI_PORT
cli-password=$(cat "$COTURN_CLI_PASSWORD_FILE")
log-file=$COTURN_LOG_FILE
simple-log
new-log-timestamp
no-stdout-log
pidfile=$COTURN_RUN_DIR/turnserver.coturn.pid
EOF
}

# Stores the lab user's key in the Redis user database. coturn's long-term key is
# MD5(user:realm:password), so the stored value tells whether turnadmin needs to run at all
# (turnadmin leaves a log file under /var/log on every run).
ensure_user() {
  local want have
  want="$(printf '%s' "$COTURN_USER:$COTURN_REALM:$(cat "$COTURN_PASSWORD_FILE")" | md5sum | cut -d' ' -f1)"
  have="$(coturn_redis --raw get "turn/realm/$COTURN_REALM/user/$COTURN_USER/key" 2>/dev/null || true)"
  [[ "$have" == "$want" ]] && return 0
  if ! turnadmin -a -N "$COTURN_REDIS_CONN" -u "$COTURN_USER" -r "$COTURN_REALM" \
       -p "$(cat "$COTURN_PASSWORD_FILE")" >/dev/null 2>&1; then
    coturn_log "turnadmin could not store user $COTURN_USER in redis db $COTURN_REDIS_DB"
    exit 1
  fi
  coturn_log "stored user $COTURN_USER (realm $COTURN_REALM) in redis db $COTURN_REDIS_DB"
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$COTURN_PID_FILE"
      coturn_log "turnserver (pid $pid) exited during startup"
      coturn_show_logs
      exit 1
    fi
    if coturn_probe; then
      coturn_log "ready: $COTURN_HOST:$COTURN_PORT realm $COTURN_REALM user $COTURN_USER (pid $pid, redis db $COTURN_REDIS_DB); log $COTURN_LOG_FILE"
      exit 0
    fi
    sleep 0.3
  done
  coturn_log "turnserver (pid $pid) does not answer on $COTURN_HOST:$COTURN_PORT after ${START_TIMEOUT}s; left running, stop it with infra/coturn/stop.sh"
  coturn_show_logs
  exit 1
}

ensure_user

if pid="$(coturn_running_pid)"; then
  if ! cmp -s <(desired_config) "$COTURN_CONFIG"; then
    coturn_log "turnserver (pid $pid) runs with a different configuration ($COTURN_CONFIG);"
    coturn_log "run infra/coturn/stop.sh first to restart it with the current settings"
    exit 1
  fi
  echo "$pid" >"$COTURN_PID_FILE"
  wait_ready "$pid"
fi

rm -f "$COTURN_PID_FILE"
if timeout 3 turnutils_stunclient -p "$COTURN_PORT" "$COTURN_HOST" >/dev/null 2>&1; then
  coturn_log "another STUN/TURN server already answers on $COTURN_HOST:$COTURN_PORT; stop it or set CALLSENTRY_COTURN_PORT"
  exit 1
fi

(umask 077 && desired_config >"$COTURN_CONFIG")
: >"$COTURN_OUT_FILE"
# Own session (setsid) so terminal signals don't reach it; every inherited fd above 2 is closed so a
# test runner waiting for EOF on a pipe is never held by the server; exec keeps the recorded pid.
# shellcheck disable=SC2016
COTURN_PID_FILE="$COTURN_PID_FILE" setsid bash -c '
  for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    case "$fd" in 0|1|2) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
  done
  echo $$ >"$COTURN_PID_FILE"
  exec "$@"' coturn-launcher turnserver -c "$COTURN_CONFIG" \
  </dev/null >>"$COTURN_OUT_FILE" 2>&1 &

pid=""
for _ in $(seq 1 50); do
  pid="$(cat "$COTURN_PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] && break
  sleep 0.1
done
[[ -n "$pid" ]] || { coturn_log "the turnserver launcher did not start"; exit 1; }
coturn_log "started turnserver (pid $pid) with $COTURN_CONFIG"
wait_ready "$pid"
