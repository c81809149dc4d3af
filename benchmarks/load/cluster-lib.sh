# shellcheck shell=bash
# Helpers for the load scripts (sourced, not run): wrk, a three-node sample cluster started with
# ../../run-cluster.sh on free loopback ports, and the nodes' view and heap. The caller sets -euo pipefail,
# cds to the project root and traps EXIT to stop_cluster.

CLUSTER_PID=""
CLUSTER_LOG=""
BASE_PORT=""
PORTS=""
NODE_PIDS=""

# Installs Debian's wrk when it is missing.
install_wrk() {
  command -v wrk >/dev/null && return 0
  local sudo
  sudo=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sets BASE_PORT to the first of three consecutive free ports from $1 on whose port below is free too, for
# run-cluster.sh's gateway (20 tries, 10 apart).
find_base_port() {
  local base=$1
  for _ in $(seq 1 20); do
    if ! port_open $((base - 1)) && ! port_open "$base" && ! port_open $((base + 1)) && ! port_open $((base + 2)); then
      BASE_PORT=$base
      PORTS="$base $((base + 1)) $((base + 2))"
      return 0
    fi
    base=$((base + 10))
  done
  echo "No four free ports found from $(($1 - 1)) on." >&2
  return 1
}

# Starts the cluster in the background (arguments go to every node) and waits until the ports answer (2 min).
start_cluster() {
  CLUSTER_LOG=$(mktemp -d)
  SKIP_BUILD=1 BASE_PORT=$BASE_PORT LOG_DIR="$CLUSTER_LOG" ./run-cluster.sh \
    --management.endpoints.web.exposure.include=health,clustermetrics,metrics "$@" >"$CLUSTER_LOG/run-cluster.out" 2>&1 &
  CLUSTER_PID=$!
  for _ in $(seq 1 240); do
    grep -q "The cluster is up" "$CLUSTER_LOG/run-cluster.out" && break
    kill -0 "$CLUSTER_PID" 2>/dev/null || { cat "$CLUSTER_LOG/run-cluster.out" >&2; return 1; }
    sleep 0.5
  done
  grep -q "The cluster is up" "$CLUSTER_LOG/run-cluster.out" || { echo "The cluster did not start in 2 minutes." >&2; return 1; }
  NODE_PIDS=$(sed -n 's/^Starting node .* (pid \([0-9]*\),.*/\1/p' "$CLUSTER_LOG/run-cluster.out" | tr '\n' ' ')
}

# Stops the cluster (run-cluster.sh stops its nodes on SIGTERM), waiting up to 15 s.
stop_cluster() {
  [ -n "$CLUSTER_PID" ] || return 0
  kill -TERM "$CLUSTER_PID" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$CLUSTER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$CLUSTER_PID" 2>/dev/null || true
  # shellcheck disable=SC2086 # a list
  [ -z "$NODE_PIDS" ] || kill -KILL $NODE_PIDS 2>/dev/null || true
  CLUSTER_PID=""
}

# How many nodes $1's /actuator/clustermetrics lists (0 when it does not answer).
tracked_nodes() {
  listed_addresses "$1" | wc -l
}

# Waits (up to 60 s) until every node lists 3 nodes.
wait_for_view() {
  local port
  for _ in $(seq 1 120); do
    local ready=1
    for port in $PORTS; do [ "$(tracked_nodes "$port")" -eq 3 ] || ready=0; done
    [ "$ready" -eq 0 ] || return 0
    sleep 0.5
  done
  echo "The nodes did not all list 3 nodes within 60 s." >&2
  return 1
}

# Heap in use (bytes, jvm.memory.used area=heap) of the node with pid $1 on port $2 right after a full GC:
# the lower of two GC-and-read rounds, so that a sample or gossip message landing in between counts less.
heap_after_gc() {
  local best="" value
  for _ in 1 2; do
    jcmd "$1" GC.run >/dev/null
    sleep 0.5
    value=$(curl -fs "http://127.0.0.1:$2/actuator/metrics/jvm.memory.used?tag=area:heap" \
      | sed -n 's/.*"value":\([0-9.eE+]*\).*/\1/p' | awk '{ printf "%d", $1 }')
    if [ -z "$best" ] || [ "$value" -lt "$best" ]; then best=$value; fi
  done
  echo "$best"
}

# Writes to $1 a gossip message about the cluster's own nodes, stamped 1 (long ago): every node accepts it
# as a message but keeps its newer samples, so the store neither changes nor grows. Further arguments are
# invented node addresses, whose samples are stamped @TS@ for gossip-fresh.lua to make fresh.
write_gossip_body() {
  local file=$1 port address samples=""
  shift
  for port in $PORTS; do
    samples="$samples${samples:+,}$(sample_json "http://127.0.0.1:$port" 1)"
  done
  for address in "$@"; do
    samples="$samples,$(sample_json "$address" @TS@)"
  done
  printf '{"metrics":[%s]}' "$samples" >"$file"
}

sample_json() {
  printf '{"address":"%s","timestamp":%s,"cpuLoad":0.25,"memoryUsed":100000000,"memoryMax":268435456,"systemLoadAverage":0.5,"processors":2}' "$1" "$2"
}

# The addresses $1's /actuator/clustermetrics lists, one per line; none when it does not answer.
listed_addresses() {
  (curl -fs "http://127.0.0.1:$1/actuator/clustermetrics" || true) | { grep -o '"address":"[^"]*"' || true; } | cut -d'"' -f4
}

# The value of key $2 in a "wrk-result" line $1.
wrk_field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
