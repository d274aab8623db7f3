#!/usr/bin/env bash
# The verdict lab: Kamailio asks callsentry's SIP redirect server before each call leaves for the
# carrier. A legitimate phone, a phone whose credentials were cracked (the attacker) and a carrier,
# each in its own network namespace, on a bridge in a namespace of its own; the verdict service and
# the HEP collector run on the host, at the end of a veth pair. See infra/lab/README.md.
#
#   vd-legit   10.252.80.10 ─┐
#   vd-atk     10.252.80.66 ─┼─ br0 (vd-br) ─ 10.252.80.1 vd-proxy ─ 10.252.81.2 ═ 10.252.81.1 host
#   vd-carrier 10.252.80.20 ─┘                 kamailio :5060          veth        verdict, HEP
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
P=vd-
NS_BR=${P}br NS_PROXY=${P}proxy NS_LEGIT=${P}legit NS_CARRIER=${P}carrier NS_ATK=${P}atk
NET=10.252.80
PROXY_IP=$NET.1 LEGIT_IP=$NET.10 CARRIER_IP=$NET.20 ATK_IP=$NET.66
HOST_IF=${P}h0 PROXY_HOST_IF=${P}h1 HOST_IP=10.252.81.1 PROXY_HOST_IP=10.252.81.2
RUN_DIR=${CALLSENTRY_VERDICT_LAB_DIR:-/tmp/callsentry-verdict-lab}
AUTH_KEY=${CALLSENTRY_HEP_AUTH_KEY:-callsentry-lab-key}
# digest password of the lab accounts 105 (the legit phone) and 106 (cracked: the attacker knows it)
LAB_PASSWORD=lab-password

usage() {
  cat <<USAGE
usage: verdict-lab.sh COMMAND

  up                                  namespaces, bridge, veth to the host
  kamailio HEP_PORT VERDICT_PORT [open|closed] [TIMEOUT_MS]
                                      Kamailio at $PROXY_IP:5060 asking sip:$HOST_IP:VERDICT_PORT before
                                      each call; fail-open (default) or fail-closed after TIMEOUT_MS (300)
  carrier                             the carrier (sipp UAS) at $CARRIER_IP:5060, every message traced
  phone legit|atk NUMBER CALLS PERIOD_MS TALK_MS [TAG]
                                      a phone in the foreground: CALLS calls to NUMBER, one every PERIOD_MS,
                                      each talking TALK_MS when answered; legit is account 105 at
                                      $LEGIT_IP, atk account 106 at $ATK_IP. Messages: $RUN_DIR/<TAG or phone>-messages.log
  carrier-invites PATTERN             INVITEs the carrier received for request-URIs matching PATTERN (grep -E)
  status                              what is up
  down                                stop everything, remove the namespaces and the veth

Needs root and the Debian packages kamailio, sip-tester (sipp) and iproute2. Logs and the generated
configuration: $RUN_DIR. Environment: CALLSENTRY_HEP_AUTH_KEY, CALLSENTRY_VERDICT_LAB_DIR.
USAGE
}

die() { echo "verdict-lab: $*" >&2; exit 1; }
log() { echo "verdict-lab: $*" >&2; }
# shellcheck source=infra/lab/lib.sh
source "$HERE/lib.sh"
require_root() { [ "$(id -u)" = 0 ] || die "needs root for network namespaces (run with sudo)"; }
require_tools() {
  local missing=() t
  for t in ip kamailio sipp ss; do command -v "$t" >/dev/null || missing+=("$t"); done
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]}; apt-get install kamailio sip-tester iproute2"
}

up() {
  require_root
  require_tools
  has_ns "$NS_PROXY" && { log "already up"; return 0; }
  mkdir -p "$RUN_DIR"
  local ns
  for ns in "$NS_BR" "$NS_PROXY" "$NS_LEGIT" "$NS_CARRIER" "$NS_ATK"; do ip netns add "$ns"; done
  in_ns "$NS_BR" ip link add br0 type bridge
  in_ns "$NS_BR" ip link set br0 up
  attach vd-b-proxy "$NS_PROXY" "$PROXY_IP"
  attach vd-b-legit "$NS_LEGIT" "$LEGIT_IP"
  attach vd-b-carrier "$NS_CARRIER" "$CARRIER_IP"
  attach vd-b-atk "$NS_ATK" "$ATK_IP"
  ip link add "$HOST_IF" type veth peer name "$PROXY_HOST_IF" netns "$NS_PROXY"
  ip addr add "$HOST_IP/30" dev "$HOST_IF"
  ip link set "$HOST_IF" up
  in_ns "$NS_PROXY" ip addr add "$PROXY_HOST_IP/30" dev "$PROXY_HOST_IF"
  in_ns "$NS_PROXY" ip link set "$PROXY_HOST_IF" up
  # Kamailio sends from its SIP address: the host routes the answers back through the proxy
  ip route add "$NET.0/24" via "$PROXY_HOST_IP" dev "$HOST_IF"
  for ns in "$NS_PROXY" "$NS_LEGIT" "$NS_CARRIER" "$NS_ATK"; do
    for i in $(seq 1 30); do
      in_ns "$ns" ip -o link show eth0 | grep -q LOWER_UP && break
      ((i == 30)) && die "the link of $ns did not come up"
      sleep 0.1
    done
  done
  log "up: proxy $PROXY_IP, legit $LEGIT_IP, carrier $CARRIER_IP, attacker $ATK_IP; host $HOST_IP"
}

kamailio_config() {
  local hep=$1 verdict=$2 mode=$3 timeout=$4
  printf '#!KAMAILIO\n'
  printf '#!define PROXY_IP %s\n' "$PROXY_IP"
  printf '#!define CARRIER_URI "sip:%s:5060"\n' "$CARRIER_IP"
  printf '#!define VERDICT_URI "sip:%s:%s"\n' "$HOST_IP" "$verdict"
  printf '#!define VERDICT_TIMEOUT_MS %s\n' "$timeout"
  if [ "$mode" = closed ]; then printf '#!define VERDICT_FAIL_CLOSED\n'; fi
  printf '#!define HEP_URI "sip:%s:%s"\n' "$HOST_IP" "$hep"
  printf '#!define HEP_KEY "%s"\n' "$AUTH_KEY"
  printf '#!define LAB_PASSWORD "%s"\n' "$LAB_PASSWORD"
  tail -n +2 "$HERE/verdict/kamailio.cfg"
}


start_kamailio() {
  require_root
  local hep=${1:-} verdict=${2:-} mode=${3:-open} timeout=${4:-300}
  is_int "$hep" && is_int "$verdict" || die "usage: verdict-lab.sh kamailio HEP_PORT VERDICT_PORT [open|closed] [TIMEOUT_MS]"
  [[ $mode == open || $mode == closed ]] || die "fail mode must be open or closed (got '$mode')"
  is_int "$timeout" || die "TIMEOUT_MS must be a whole number of milliseconds (got '$timeout')"
  has_ns "$NS_PROXY" || up
  mkdir -p "$RUN_DIR"
  stop_bg kamailio
  (umask 077 && kamailio_config "$hep" "$verdict" "$mode" "$timeout" >"$RUN_DIR/kamailio.cfg")
  kamailio -c -L "$(module_dir)" -f "$RUN_DIR/kamailio.cfg" >"$RUN_DIR/check.log" 2>&1 || { cat "$RUN_DIR/check.log" >&2; die "config check failed"; }
  start_bg kamailio "$NS_PROXY" kamailio -DD -E -m 64 -M 8 -L "$(module_dir)" -f "$RUN_DIR/kamailio.cfg" -Y "$RUN_DIR"
  wait_listen kamailio "$NS_PROXY" "$PROXY_IP" u
  log "kamailio on $PROXY_IP:5060 asking sip:$HOST_IP:$verdict (fail-$mode after ${timeout} ms), HEP to $HOST_IP:$hep"
}

start_carrier() {
  require_root
  has_ns "$NS_CARRIER" || die "the lab is not up (verdict-lab.sh up)"
  mkdir -p "$RUN_DIR"
  rm -f "$RUN_DIR/carrier-messages.log"
  start_bg carrier "$NS_CARRIER" sipp -sn uas -i "$CARRIER_IP" -p 5060 -nostdin -trace_msg -message_file "$RUN_DIR/carrier-messages.log" -trace_err -error_file "$RUN_DIR/carrier-errors.log"
  wait_listen carrier "$NS_CARRIER" "$CARRIER_IP" u
  log "carrier (sipp uas) on $CARRIER_IP:5060"
}

phone() {
  require_root
  local who=${1:-} number=${2:-} calls=${3:-} period=${4:-} talk=${5:-} tag=${6:-$1} ns ip account
  case "$who" in
    legit) ns=$NS_LEGIT ip=$LEGIT_IP account=105 ;;
    atk) ns=$NS_ATK ip=$ATK_IP account=106 ;;
    *) die "usage: verdict-lab.sh phone legit|atk NUMBER CALLS PERIOD_MS TALK_MS [TAG]" ;;
  esac
  [[ $number =~ ^\+?[0-9]{3,20}$ ]] || die "NUMBER must be digits, optionally after + (got '$number')"
  { is_int "$calls" && ((calls <= 10000)) && is_int "$period" && ((period >= 10)) && is_int "$talk"; } || die "usage: verdict-lab.sh phone legit|atk NUMBER CALLS(1..10000) PERIOD_MS(>=10) TALK_MS [TAG]"
  mkdir -p "$RUN_DIR"
  [[ $tag =~ ^[a-z0-9-]{1,40}$ ]] || die "TAG must be 1 to 40 of a-z, 0-9, - (got '$tag')"
  rm -f "$RUN_DIR/$tag-messages.log"
  exec ip netns exec "$ns" sipp "$PROXY_IP:5060" -sf "$HERE/verdict/phone-uac.xml" -i "$ip" -p 5060 \
    -s "$number" -key caller "$account" -au "$account" -ap "$LAB_PASSWORD" -d "$talk" \
    -m "$calls" -r 1 -rp "$period" -l 50 -recv_timeout 8000 -nostdin \
    -trace_msg -message_file "$RUN_DIR/$tag-messages.log" -trace_err -error_file "$RUN_DIR/$tag-errors.log"
}

carrier_invites() {
  local pattern=${1:-}
  [ -n "$pattern" ] || die "usage: verdict-lab.sh carrier-invites PATTERN"
  [ -f "$RUN_DIR/carrier-messages.log" ] || { echo 0; return; }
  grep -cE "^INVITE sip:($pattern)" "$RUN_DIR/carrier-messages.log" || true
}

status() {
  local ns p
  for ns in "$NS_BR" "$NS_PROXY" "$NS_LEGIT" "$NS_CARRIER" "$NS_ATK"; do
    if has_ns "$ns"; then echo "namespace $ns: up"; else echo "namespace $ns: absent"; fi
  done
  for p in kamailio carrier; do
    if running "$p"; then echo "$p: running (pid $(cat "$RUN_DIR/$p.pid"))"; else echo "$p: stopped"; fi
  done
}

down() {
  require_root
  stop_bg carrier
  stop_bg kamailio
  local ns pid
  for ns in "$NS_LEGIT" "$NS_ATK" "$NS_CARRIER" "$NS_PROXY"; do
    has_ns "$ns" || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  done
  ip link del "$HOST_IF" 2>/dev/null || true
  for ns in "$NS_ATK" "$NS_CARRIER" "$NS_LEGIT" "$NS_PROXY" "$NS_BR"; do
    if has_ns "$ns"; then ip netns del "$ns"; fi
  done
  return 0
}

case "${1:-}" in
  -h | --help) usage ;;
  up) up ;;
  kamailio) start_kamailio "${2:-}" "${3:-}" "${4:-}" "${5:-}" ;;
  carrier) start_carrier ;;
  phone) phone "${2:-}" "${3:-}" "${4:-}" "${5:-}" "${6:-}" "${7:-}" ;;
  carrier-invites) carrier_invites "${2:-}" ;;
  status) status ;;
  down) down ;;
  *) usage >&2; exit 2 ;;
esac
