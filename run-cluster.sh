#!/usr/bin/env bash
# Runs the sample cluster: three sample-app nodes on 127.0.0.1, each its own JVM, gossiping their load to
# each other, and a Spring Cloud Gateway (sample-gateway) in front of them that routes /work/** to
# lb://sample-app by the nodes' load. Builds the project with Maven first when a jar is missing or older
# than its sources. Ctrl-C (or SIGTERM) stops all four.
#
#   ./run-cluster.sh                   nodes on 127.0.0.1:8081, 8082 and 8083, the gateway on 8080
#   BASE_PORT=9001 ./run-cluster.sh    nodes on 9001, 9002 and 9003, the gateway on 9000
#   GATEWAY_PORT=9090 ./run-cluster.sh the gateway on 9090
#   ./run-cluster.sh --cluster.metrics.selector=mix    arguments go to every node and to the gateway
#
# Also: SKIP_BUILD=1 uses the jars as they are; LOG_DIR (default sample-app/target/cluster) holds one log per
# node and the gateway's; JAVA_OPTS (default "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1") is passed
# to every JVM; JAVA_HOME picks the Java to run them with.

# shellcheck disable=SC2086 # PIDS, PORTS and JAVA_OPTS are space-separated lists, split on purpose
set -euo pipefail
cd "$(dirname "$0")"

BASE_PORT=${BASE_PORT:-8081}
GATEWAY_PORT=${GATEWAY_PORT:-$((BASE_PORT - 1))}
NODES=3
JAR=sample-app/target/sample-app-0.1.0-SNAPSHOT.jar
GATEWAY_JAR=sample-gateway/target/sample-gateway-0.1.0-SNAPSHOT.jar
LOG_DIR=${LOG_DIR:-sample-app/target/cluster}
JAVA_OPTS=${JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
JAVA=java
if [ -n "${JAVA_HOME:-}" ]; then JAVA="$JAVA_HOME/bin/java"; fi

# ---- build ----
# What both jars are built from: the starter's modules; and each jar's own module.
STARTER_SOURCES="pom.xml cluster-metrics-spring-boot-starter/pom.xml
  cluster-metrics-spring-boot-autoconfigure/pom.xml cluster-metrics-spring-boot-autoconfigure/src"
# stale JAR MODULE: the jar is missing, or a source of it is newer
stale() {
  [ ! -f "$1" ] || [ -n "$(find $STARTER_SOURCES "$2/pom.xml" "$2/src" -newer "$1" -print 2>/dev/null | head -n 1)" ]
}
if [ "${SKIP_BUILD:-}" != 1 ] && { stale "$JAR" sample-app || stale "$GATEWAY_JAR" sample-gateway; }; then
  echo "Building with the Maven wrapper (the first time, it downloads Maven and the dependencies: a few minutes)..."
  ./mvnw -B -ntp -q -DskipTests install
fi
for jar in "$JAR" "$GATEWAY_JAR"; do
  if [ ! -f "$jar" ]; then
    echo "No $jar: run without SKIP_BUILD=1 to build it." >&2
    exit 1
  fi
done

# ---- start, and stop on the way out ----
PIDS=""
stop_nodes() {
  trap - INT TERM EXIT
  [ -n "$PIDS" ] || return 0
  echo "Stopping the nodes and the gateway (pids $PIDS)..."
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
INSTANCES=() # the gateway's sample-app instances, for Spring Cloud's simple discovery: one argument each
for i in $(seq 0 $((NODES - 1))); do
  PORTS="$PORTS $((BASE_PORT + i))"
  PEERS="$PEERS${PEERS:+,}http://127.0.0.1:$((BASE_PORT + i))"
  INSTANCES+=("--spring.cloud.discovery.client.simple.instances.sample-app[$i].uri=http://127.0.0.1:$((BASE_PORT + i))")
done
case " $PORTS " in
  *" $GATEWAY_PORT "*)
    echo "GATEWAY_PORT=$GATEWAY_PORT is one of the nodes' ports ($PORTS ); choose another." >&2
    exit 1
    ;;
esac

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in $PORTS $GATEWAY_PORT; do
  if port_open "$port"; then
    echo "Port $port is in use (is a cluster running already?); choose others with BASE_PORT=... (nodes)" \
      "and GATEWAY_PORT=... (the gateway, by default BASE_PORT - 1)" >&2
    exit 1
  fi
done

# log PORT: where the node or the gateway on PORT writes its output
log() { if [ "$1" = "$GATEWAY_PORT" ]; then echo "$LOG_DIR/gateway-$1.log"; else echo "$LOG_DIR/node-$1.log"; fi; }

mkdir -p "$LOG_DIR"
for port in $PORTS; do
  "$JAVA" $JAVA_OPTS -jar "$JAR" --server.port="$port" --cluster.metrics.gossip.peers="$PEERS" \
    --sample.gateway-url="http://127.0.0.1:$GATEWAY_PORT" "$@" >"$(log "$port")" 2>&1 &
  PIDS="$PIDS $!"
  echo "Starting node http://127.0.0.1:$port (pid $!, log $(log "$port"))"
done
"$JAVA" $JAVA_OPTS -jar "$GATEWAY_JAR" --server.port="$GATEWAY_PORT" "${INSTANCES[@]}" "$@" \
  >"$(log "$GATEWAY_PORT")" 2>&1 &
PIDS="$PIDS $!"
echo "Starting gateway http://127.0.0.1:$GATEWAY_PORT (pid $!, log $(log "$GATEWAY_PORT"))"

# A node or the gateway has started when its port answers; one that exits stops the whole cluster.
check_alive() {
  set -- $PIDS
  for port in $PORTS $GATEWAY_PORT; do
    if ! kill -0 "$1" 2>/dev/null; then
      if [ "$port" = "$GATEWAY_PORT" ]; then echo "The gateway ($port) stopped; the end of $(log "$port"):" >&2
      else echo "Node $port stopped; the end of $(log "$port"):" >&2; fi
      tail -n 20 "$(log "$port")" >&2
      exit 1
    fi
    shift
  done
}
for _ in $(seq 1 240); do # up to 2 minutes
  check_alive
  waiting=""
  for port in $PORTS $GATEWAY_PORT; do port_open "$port" || waiting="$waiting $port"; done
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
echo "The gateway, routing /work/** to lb://sample-app by the nodes' load (choose \"through the gateway\" on a"
echo "dashboard to watch where it sends that node's traffic):"
echo "  curl http://127.0.0.1:$GATEWAY_PORT/work/local   curl http://127.0.0.1:$GATEWAY_PORT/actuator/clustermetrics"
echo "Press Ctrl-C to stop the three nodes and the gateway."

while true; do
  check_alive
  sleep 1 & wait $!
done
