#!/usr/bin/env bash
# The edge lab: a Kamailio edge, a legitimate phone, a callee and an attacker, each in its own
# network namespace, joined by a bridge that lives in a namespace of its own. Kamailio mirrors
# every SIP message as HEP v3 to the host over a separate veth pair. See infra/lab/README.md.
#
#   cs-edge-legit  10.250.70.10 ─┐
#   cs-edge-callee 10.250.70.20 ─┼─ br0 (cs-edge-br) ─ 10.250.70.1 cs-edge-edge ─ 10.250.71.2 ═ 10.250.71.1 host
#   cs-edge-atk    10.250.70.66 ─┘                      kamailio :5060            veth         HEP collector
#
# Nothing is routed beyond these addresses; the namespaces have no default route.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
P=cs-edge-
NS_BR=${P}br NS_EDGE=${P}edge NS_LEGIT=${P}legit NS_CALLEE=${P}callee NS_ATK=${P}atk
NET=10.250.70
EDGE_IP=$NET.1 LEGIT_IP=$NET.10 CALLEE_IP=$NET.20 ATK_IP=$NET.66
HOST_IF=${P}h0 EDGE_HOST_IF=${P}h1 HOST_IP=10.250.71.1 EDGE_HOST_IP=10.250.71.2
RUN_DIR=${CALLSENTRY_EDGE_LAB_DIR:-/tmp/callsentry-edge-lab}
# the HEP authentication key Kamailio sends; the collector must be configured with the same
AUTH_KEY=${CALLSENTRY_HEP_AUTH_KEY:-callsentry-lab-key}
# digest password of the lab account 105 (checked by Kamailio, used by the legit phone)
LAB_PASSWORD=lab-password
# our counting table: "arrived" before callsentry's chains (priority -10), "reached" after them
COUNT_TABLE=cs_edge_lab

usage() {
  cat <<EOF
usage: edge-lab.sh COMMAND

  up                     namespaces, bridge, veth to the host, counting table at the edge
  kamailio HEP_PORT      start Kamailio at $EDGE_IP:5060 (udp, tcp), HEP v3 to $HOST_IP:HEP_PORT
  callee                 start the callee (sipp UAS) at $CALLEE_IP:5060, in the background
  legit CALLS PERIOD_MS  the legit phone (foreground): CALLS calls, one every PERIOD_MS; stats in $RUN_DIR/legit-stats.csv
  flood SECONDS RATE     the attacker's INVITE flood (sipp, foreground), RATE per second for SECONDS
  crack                  the attacker's digest brute force on account 105 (svcrack, 200 guesses, foreground)
  forge COUNT RATE [AS]  COUNT INVITEs forged from the attacker with another's address as source:
                         AS = legit (the phone, default), pbx (the edge's own $EDGE_IP) or carrier
                         (the callee $CALLEE_IP, the trunk the edge routes calls to)
  counters               JSON: UDP/5060 packets per lab source that arrived at the edge and that reached Kamailio
  status                 what is up
  down                   stop everything, remove the namespaces and the veth

Needs root and the Debian packages in infra/apt-packages.txt (kamailio, sip-tester, sipvicious,
nftables, jq). Logs, generated configuration and sipp statistics: $RUN_DIR
Environment: CALLSENTRY_HEP_AUTH_KEY (HEP key, default: the lab key), CALLSENTRY_EDGE_LAB_DIR.
EOF
}

die() { echo "edge-lab: $*" >&2; exit 1; }
log() { echo "edge-lab: $*" >&2; }
# shellcheck source=infra/lab/lib.sh
source "$HERE/lib.sh"

require_root() { [ "$(id -u)" = 0 ] || die "needs root for network namespaces and nftables (run with sudo)"; }

require_tools() {
  local missing=() t
  for t in ip nft jq kamailio sipp; do command -v "$t" >/dev/null || missing+=("$t"); done
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]}; install the packages in infra/apt-packages.txt (apt-get install kamailio sip-tester nftables jq)"
}


up() {
  require_root
  require_tools
  has_ns "$NS_EDGE" && { log "already up"; return 0; }
  mkdir -p "$RUN_DIR"
  for ns in "$NS_BR" "$NS_EDGE" "$NS_LEGIT" "$NS_CALLEE" "$NS_ATK"; do ip netns add "$ns"; done
  in_ns "$NS_BR" ip link add br0 type bridge
  in_ns "$NS_BR" ip link set br0 up
  attach "cs-e-edge" "$NS_EDGE" "$EDGE_IP"
  attach "cs-e-legit" "$NS_LEGIT" "$LEGIT_IP"
  attach "cs-e-callee" "$NS_CALLEE" "$CALLEE_IP"
  attach "cs-e-atk" "$NS_ATK" "$ATK_IP"
  # the edge's own link to the host, for HEP only
  ip link add "$HOST_IF" type veth peer name "$EDGE_HOST_IF" netns "$NS_EDGE"
  ip addr add "$HOST_IP/30" dev "$HOST_IF"
  ip link set "$HOST_IF" up
  in_ns "$NS_EDGE" ip addr add "$EDGE_HOST_IP/30" dev "$EDGE_HOST_IF"
  in_ns "$NS_EDGE" ip link set "$EDGE_HOST_IF" up
  # a flood forged with the edge's own address must reach Kamailio as it would on a real wire:
  # Linux drops packets whose source is a local address unless accept_local (and no rp_filter)
  in_ns "$NS_EDGE" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.eth0.accept_local=1
  # HEP leaves from Kamailio's SIP address: a route back keeps strict reverse-path filters happy
  ip route add "$NET.0/24" via "$EDGE_HOST_IP" dev "$HOST_IF"
  counting_table
  # bounded wait for carrier on every lab link
  local ns
  for ns in "$NS_EDGE" "$NS_LEGIT" "$NS_CALLEE" "$NS_ATK"; do
    for i in $(seq 1 30); do
      in_ns "$ns" ip -o link show eth0 | grep -q LOWER_UP && break
      ((i == 30)) && die "the link of $ns did not come up"
      sleep 0.1
    done
  done
  log "up: edge $EDGE_IP, legit $LEGIT_IP, callee $CALLEE_IP, attacker $ATK_IP; host $HOST_IP"
}

counting_table() {
  local chain rules=""
  for chain in arrived:-20 reached:10; do
    local name=${chain%%:*} prio=${chain#*:}
    rules+="add chain inet $COUNT_TABLE $name { type filter hook input priority $prio; policy accept; }"$'\n'
    rules+="add rule inet $COUNT_TABLE $name ip saddr $ATK_IP udp dport 5060 counter comment \"$name attacker\""$'\n'
    rules+="add rule inet $COUNT_TABLE $name ip saddr $LEGIT_IP udp dport 5060 counter comment \"$name legit\""$'\n'
  done
  printf 'add table inet %s\n%s' "$COUNT_TABLE" "$rules" | in_ns "$NS_EDGE" nft -f -
}

counters() {
  require_root
  has_ns "$NS_EDGE" || die "the lab is not up (edge-lab.sh up)"
  # {"arrived":{"attacker":N,"legit":N},"reached":{...}}: the rule comment is "<chain> <source>"
  in_ns "$NS_EDGE" nft -j list table inet "$COUNT_TABLE" | jq -c '
    [.nftables[] | .rule? | select(. != null and .comment != null)
      | {k: (.comment | split(" ")), v: ([.expr[] | .counter? | select(. != null) | .packets][0])}]
    | reduce .[] as $r ({}; .[$r.k[0]][$r.k[1]] = $r.v)'
}

# the defines of edge/kamailio.cfg, written into the generated file so the key is not on a command line
kamailio_config() {
  local port=$1
  printf '#!KAMAILIO\n'
  printf '#!define EDGE_IP %s\n' "$EDGE_IP"
  printf '#!define CALLEE_URI "sip:%s:5060"\n' "$CALLEE_IP"
  printf '#!define HEP_URI "sip:%s:%s"\n' "$HOST_IP" "$port"
  printf '#!define HEP_KEY "%s"\n' "$AUTH_KEY"
  printf '#!define LAB_PASSWORD "%s"\n' "$LAB_PASSWORD"
  tail -n +2 "$HERE/edge/kamailio.cfg"
}


start_kamailio() {
  require_root
  local port=${1:-}
  [[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "usage: edge-lab.sh kamailio HEP_PORT (got '$port')"
  has_ns "$NS_EDGE" || up
  mkdir -p "$RUN_DIR"
  stop_bg kamailio
  (umask 077 && kamailio_config "$port" >"$RUN_DIR/kamailio.cfg")
  kamailio -c -L "$(module_dir)" -f "$RUN_DIR/kamailio.cfg" >"$RUN_DIR/check.log" 2>&1 || { cat "$RUN_DIR/check.log" >&2; die "config check failed"; }
  # -DD: foreground (children still fork), so the pid we keep is the main process
  start_bg kamailio "$NS_EDGE" kamailio -DD -E -m 64 -M 8 -L "$(module_dir)" -f "$RUN_DIR/kamailio.cfg" -Y "$RUN_DIR"
  wait_listen kamailio "$NS_EDGE" "$EDGE_IP" u
  wait_listen kamailio "$NS_EDGE" "$EDGE_IP" t
  log "kamailio listening on $EDGE_IP:5060 (udp, tcp), HEP v3 to $HOST_IP:$port"
}

start_callee() {
  require_root
  has_ns "$NS_CALLEE" || die "the lab is not up (edge-lab.sh up)"
  start_bg callee "$NS_CALLEE" sipp -sn uas -i "$CALLEE_IP" -p 5060 -nostdin -trace_err -error_file "$RUN_DIR/callee-errors.log"
  wait_listen callee "$NS_CALLEE" "$CALLEE_IP" u
  log "callee (sipp uas) on $CALLEE_IP:5060"
}

# The phone in the foreground: exec, so a caller that spawned us can stop sipp by our pid.
legit() {
  require_root
  local calls=${1:-} period=${2:-}
  is_int "$calls" && ((calls <= 10000)) || die "usage: edge-lab.sh legit CALLS PERIOD_MS (CALLS 1..10000)"
  is_int "$period" && ((period >= 100)) || die "usage: edge-lab.sh legit CALLS PERIOD_MS (PERIOD_MS >= 100)"
  mkdir -p "$RUN_DIR"
  rm -f "$RUN_DIR/legit-stats.csv"
  # one call per period; a call that gets no answer fails after 8 s instead of hanging
  exec ip netns exec "$NS_LEGIT" sipp "$EDGE_IP:5060" -sf "$HERE/edge/legit-uac.xml" -i "$LEGIT_IP" -p 5060 \
    -au 105 -ap "$LAB_PASSWORD" -m "$calls" -r 1 -rp "$period" -l 20 \
    -recv_timeout 8000 -nostdin -trace_stat -stf "$RUN_DIR/legit-stats.csv" -fd 1 \
    -trace_err -error_file "$RUN_DIR/legit-errors.log"
}

flood() {
  require_root
  local seconds=${1:-} rate=${2:-}
  is_int "$seconds" && ((seconds <= 300)) || die "usage: edge-lab.sh flood SECONDS RATE (SECONDS 1..300)"
  is_int "$rate" && ((rate <= 2000)) || die "usage: edge-lab.sh flood SECONDS RATE (RATE 1..2000)"
  # -timeout: bounded however many calls remain; -m caps the total
  exec ip netns exec "$NS_ATK" sipp "$EDGE_IP:5060" -sf "$HERE/edge/flood-invite.xml" -i "$ATK_IP" -p 5060 \
    -r "$rate" -m $((seconds * rate)) -timeout "${seconds}s" -nostdin -trace_err -error_file "$RUN_DIR/flood-errors.log"
}

crack() {
  require_root
  command -v svcrack >/dev/null || die "svcrack missing: apt-get install sipvicious"
  # 200 numeric guesses for account 105; none is the lab password
  exec ip netns exec "$NS_ATK" svcrack -u 105 -r 1000-1199 --domain=edge.lab --maximumtime=60 "$EDGE_IP"
}

forge() {
  require_root
  local count=${1:-} rate=${2:-} as=${3:-legit} src
  is_int "$count" && is_int "$rate" || die "usage: edge-lab.sh forge COUNT RATE [legit|pbx|carrier]"
  case "$as" in
    legit) src=$LEGIT_IP ;;
    pbx) src=$EDGE_IP ;;
    carrier) src=$CALLEE_IP ;;
    *) die "usage: edge-lab.sh forge COUNT RATE [legit|pbx|carrier] (got '$as')" ;;
  esac
  exec ip netns exec "$NS_ATK" python3 "$HERE/edge/forge-flood.py" "$src" "$EDGE_IP" "$count" "$rate"
}

status() {
  local ns
  for ns in "$NS_BR" "$NS_EDGE" "$NS_LEGIT" "$NS_CALLEE" "$NS_ATK"; do
    has_ns "$ns" && echo "namespace $ns: up" || echo "namespace $ns: absent"
  done
  for p in kamailio callee; do
    running "$p" && echo "$p: running (pid $(cat "$RUN_DIR/$p.pid"))" || echo "$p: stopped"
  done
}

down() {
  require_root
  stop_bg callee
  stop_bg kamailio
  # anything else still running in a lab namespace (a phone, a flood) was started from it: end it
  local ns pid
  for ns in "$NS_LEGIT" "$NS_ATK" "$NS_CALLEE" "$NS_EDGE"; do
    has_ns "$ns" || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  done
  ip link del "$HOST_IF" 2>/dev/null || true
  # deleting a namespace takes its veth ends, and so the pairs, with it
  for ns in "$NS_ATK" "$NS_CALLEE" "$NS_LEGIT" "$NS_EDGE" "$NS_BR"; do
    has_ns "$ns" && ip netns del "$ns"
  done
  return 0
}

case "${1:-}" in
  -h | --help) usage ;;
  up) up ;;
  kamailio) start_kamailio "${2:-}" ;;
  callee) start_callee ;;
  legit) legit "${2:-}" "${3:-}" ;;
  flood) flood "${2:-}" "${3:-}" ;;
  crack) crack ;;
  forge) forge "${2:-}" "${3:-}" "${4:-}" ;;
  counters) counters ;;
  status) status ;;
  down) down ;;
  *) usage >&2; exit 2 ;;
esac
