#!/usr/bin/env bash
# Runs the sample cluster: three sample-app nodes on 127.0.0.1, each its own JVM, gossiping their load to
# each other. Builds the project with Maven first when the jar is missing or older than the sources.
# Ctrl-C (or SIGTERM) stops all three.
#
#   ./run-cluster.sh                   nodes on 127.0.0.1:8081, 8082 and 8083
#   BASE_PORT=9001 ./run-cluster.sh    nodes on 9001, 9002 and 9003
#   ./run-cluster.sh --cluster.metrics.selector=mix    arguments go to every node
#
# Also: SKIP_BUILD=1 uses the jar as it is; LOG_DIR (default sample-app/target/cluster) holds one log per
# node; JAVA_OPTS (default "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1") is passed to every node;
# JAVA_HOME picks the Java to run them with.

# shellcheck disable=SC2086 # PIDS, PORTS and JAVA_OPTS are space-separated lists, split on purpose
set -euo pipefail
cd "$(dirname "$0")"

BASE_PORT=${BASE_PORT:-8081}
NODES=3
JAR=sample-app/target/sample-app-0.1.0-SNAPSHOT.jar
LOG_DIR=${LOG_DIR:-sample-app/target/cluster}
JAVA_OPTS=${JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
JAVA=java
if [ -n "${JAVA_HOME:-}" ]; then JAVA="$JAVA_HOME/bin/java"; fi

# ---- build ----
# What the jar is built from: the sample and the starter's modules.
SOURCES="pom.xml sample-app/pom.xml sample-app/src cluster-metrics-spring-boot-starter/pom.xml
  cluster-metrics-spring-boot-autoconfigure/pom.xml cluster-metrics-spring-boot-autoconfigure/src"
stale() {
  [ ! -f "$JAR" ] || [ -n "$(find $SOURCES -newer "$JAR" -print 2>/dev/null | head -n 1)" ]
}
if [ "${SKIP_BUILD:-}" != 1 ] && stale; then
  command -v mvn >/dev/null || { echo "Building the sample needs Maven 3.8+ (mvn) on the PATH." >&2; exit 1; }
  echo "Building with Maven (the first time, Maven downloads the dependencies: a few minutes)..."
  mvn -B -ntp -q -DskipTests install
fi
if [ ! -f "$JAR" ]; then
  echo "No $JAR: run without SKIP_BUILD=1 to build it." >&2
  exit 1
fi

# ---- start, and stop on the way out ----
PIDS=""
stop_nodes() {
  trap - INT TERM EXIT
  [ -n "$PIDS" ] || return 0
  echo "Stopping the nodes (pids $PIDS)..."
  kill -TERM $PIDS 2>/dev/null || true
  for _ in $(seq 1 100); do # up to 10 s for a clean shutdown, then no more waiting
    alive=""
    for pid in $PIDS; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
    [ -n "$alive" ] || break
    sleep 0.1
  done
  [ -z "$alive" ] || kill -KILL $alive 2>/dev/null || true
  wait 2>/dev/null || true
  PIDS=""
  echo "Cluster stopped."
}
trap 'stop_nodes; exit 130' INT
trap 'stop_nodes; exit 143' TERM
trap 'stop_nodes' EXIT

PORTS=""
PEERS=""
for i in $(seq 0 $((NODES - 1))); do
  PORTS="$PORTS $((BASE_PORT + i))"
  PEERS="$PEERS${PEERS:+,}http://127.0.0.1:$((BASE_PORT + i))"
done

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in $PORTS; do
  if port_open "$port"; then
    echo "Port $port is in use (is a cluster running already?); choose others with BASE_PORT=..." >&2
    exit 1
  fi
done

mkdir -p "$LOG_DIR"
for port in $PORTS; do
  "$JAVA" $JAVA_OPTS -jar "$JAR" --server.port="$port" --cluster.metrics.gossip.peers="$PEERS" "$@" \
    >"$LOG_DIR/node-$port.log" 2>&1 &
  PIDS="$PIDS $!"
  echo "Starting node http://127.0.0.1:$port (pid $!, log $LOG_DIR/node-$port.log)"
done

# A node has started when its port answers; one that exits stops the whole cluster.
check_alive() {
  set -- $PIDS
  for port in $PORTS; do
    if ! kill -0 "$1" 2>/dev/null; then
      echo "Node $port stopped; the end of $LOG_DIR/node-$port.log:" >&2
      tail -n 20 "$LOG_DIR/node-$port.log" >&2
      exit 1
    fi
    shift
  done
}
for _ in $(seq 1 240); do # up to 2 minutes
  check_alive
  waiting=""
  for port in $PORTS; do port_open "$port" || waiting="$waiting $port"; done
  [ -n "$waiting" ] || break
  sleep 0.5 & wait $!
done
if [ -n "$waiting" ]; then
  echo "Ports$waiting did not open within 2 minutes; see $LOG_DIR." >&2
  exit 1
fi

echo
echo "The cluster is up. Open a dashboard (each node has one, showing its own view of the cluster):"
for port in $PORTS; do echo "  http://127.0.0.1:$port/"; done
echo "Or: curl http://127.0.0.1:${BASE_PORT}/work   curl http://127.0.0.1:${BASE_PORT}/actuator/clustermetrics"
echo "Press Ctrl-C to stop all three nodes."

while true; do
  check_alive
  sleep 1 & wait $!
done
