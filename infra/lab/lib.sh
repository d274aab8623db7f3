# Shared by the lab scripts (edge-lab.sh, verdict-lab.sh): namespaces, lab hosts on the bridge and
# background processes inside them. Source it after defining die, NS_BR (the bridge's namespace)
# and RUN_DIR (logs and pid files); it defines functions only.

has_ns() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
is_int() { [[ $1 =~ ^[0-9]+$ ]] && (($1 > 0)); }

# attach NAME_IN_BRIDGE NS IP: one lab host on the bridge (br0 in NS_BR), eth0 inside NS
attach() {
  local port=$1 ns=$2 addr=$3
  ip link add "$port" netns "$NS_BR" type veth peer name eth0 netns "$ns"
  in_ns "$NS_BR" ip link set "$port" master br0 up
  in_ns "$ns" ip addr add "$addr/24" dev eth0
  in_ns "$ns" ip link set eth0 up
  in_ns "$ns" ip link set lo up
}

module_dir() {
  local d
  for d in /usr/lib/x86_64-linux-gnu/kamailio/modules /usr/lib/aarch64-linux-gnu/kamailio/modules /usr/lib/kamailio/modules /usr/local/lib64/kamailio/modules; do
    [ -f "$d/siptrace.so" ] && { echo "$d"; return; }
  done
  die "Kamailio modules not found: apt-get install kamailio"
}

# start_bg NAME NS CMD...: a background process in a namespace, pid in RUN_DIR/NAME.pid
start_bg() {
  local name=$1 ns=$2
  shift 2
  stop_bg "$name"
  ip netns exec "$ns" "$@" >"$RUN_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

stop_bg() {
  local pid_file=$RUN_DIR/$1.pid pid
  [ -f "$pid_file" ] || return 0
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pid_file"
}

running() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

# wait_listen NAME NS ADDR PROTO: bounded wait until a socket listens, or the process died
wait_listen() {
  local name=$1 ns=$2 addr=$3 proto=$4
  for _ in $(seq 1 50); do
    in_ns "$ns" ss -ln"${proto}" | grep -q "$addr:5060" && return 0
    running "$name" || { cat "$RUN_DIR/$name.log" >&2; die "$name exited"; }
    sleep 0.1
  done
  cat "$RUN_DIR/$name.log" >&2
  die "$name did not start listening on $addr:5060"
}
