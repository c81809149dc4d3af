#!/usr/bin/env bash
# The starter's cost at startup: Spring's "Started ... in X seconds", the time from launch to the first 200
# from /actuator/health, and the heap in use after a full GC, for four configurations on the same class
# path (the sample app's jars, exploded; its Spring Cloud jars for the sample only) and the same JVM flags,
# RUNS rounds, alternating the order:
#
#   sample      the sample app (starter on, its ProcessProbe)
#   plain-on    PlainApp, a one-controller webmvc app, starter on (default OSHI probe)
#   plain-jdk   PlainApp, starter on with cluster.metrics.probe.type=jdk
#   plain-off   PlainApp with --cluster.metrics.enabled=false: no bean of the starter, but its jars (the
#               starter, Actuator, OSHI) still on the class path, so Actuator still configures itself
#
#   SKIP_BUILD=1 benchmarks/startup/startup.sh       RUNS (default 5), PORT (default 18181), JAVA_OPTS
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-5}
PORT=${PORT:-18181}
JAVA_OPTS=${JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
JAR=sample-app/target/sample-app-0.1.0-SNAPSHOT.jar
[ -f "$JAR" ] || { echo "No $JAR: build first (./mvnw -q -DskipTests install)." >&2; exit 1; }

WORK=$(mktemp -d)
PID=""
cleanup() { [ -z "$PID" ] || kill -KILL "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
unzip -q "$JAR" -d "$WORK/app"
LIB="$WORK/app/BOOT-INF/lib/*"
# The sample's Spring Cloud LoadBalancer jars (for /work?via=loadbalancer) go on the sample's class path only:
# PlainApp measures the starter as an app without Spring Cloud has it.
mkdir "$WORK/cloud"
for jar in "$WORK"/app/BOOT-INF/lib/{spring-cloud-,reactor-,reactive-streams-,spring-boot-cache-,evictor-}*.jar; do
  [ ! -f "$jar" ] || mv "$jar" "$WORK/cloud/"
done
javac -nowarn -cp "$LIB" -d "$WORK/plain" benchmarks/startup/PlainApp.java

COMMON="--server.port=$PORT --server.address=127.0.0.1 --management.endpoints.web.exposure.include=health,metrics"
sample_cp="$WORK/app/BOOT-INF/classes:$LIB:$WORK/cloud/*"; sample_main=io.clustermetrics.sample.SampleApplication
plain_cp="$WORK/plain:$LIB"; plain_main=io.clustermetrics.benchmarks.startup.PlainApp
CONFIGS="sample plain-on plain-jdk plain-off"

# Starts one configuration, waits for its first 200, measures, stops it. Prints "config started first200 heapMiB".
run_one() {
  local config=$1 cp main args log start now first200 started heap
  case $config in
    sample) cp=$sample_cp; main=$sample_main; args="" ;;
    plain-on) cp=$plain_cp; main=$plain_main; args="" ;;
    plain-jdk) cp=$plain_cp; main=$plain_main; args="--cluster.metrics.probe.type=jdk" ;;
    plain-off) cp=$plain_cp; main=$plain_main; args="--cluster.metrics.enabled=false" ;;
  esac
  log="$WORK/$config.log"
  start=$(date +%s%N)
  # shellcheck disable=SC2086 # JAVA_OPTS and the arguments are lists
  java $JAVA_OPTS -cp "$cp" "$main" $COMMON $args >"$log" 2>&1 &
  PID=$!
  first200=""
  for _ in $(seq 1 1200); do # up to 60 s
    if curl -fs -o /dev/null "http://127.0.0.1:$PORT/actuator/health"; then
      now=$(date +%s%N); first200=$(( (now - start) / 1000000 )); break
    fi
    kill -0 "$PID" 2>/dev/null || { echo "$config exited; its log:" >&2; tail -n 30 "$log" >&2; exit 1; }
    sleep 0.05
  done
  [ -n "$first200" ] || { echo "$config did not answer within 60 s" >&2; exit 1; }
  started=$(sed -n 's/.*Started .* in \([0-9.]*\) seconds.*/\1/p' "$log" | head -n 1)
  jcmd "$PID" GC.run >/dev/null
  sleep 1
  heap=$(curl -fs "http://127.0.0.1:$PORT/actuator/metrics/jvm.memory.used?tag=area:heap" \
    | sed -n 's/.*"value":\([0-9.eE+]*\).*/\1/p')
  kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  awk -v c="$config" -v s="$started" -v f="$first200" -v h="$heap" \
    'BEGIN { printf "%-10s %7.3f %8d %8.1f\n", c, s, f, h / 1048576 }'
}

echo "java: $(java -version 2>&1 | head -n 1); JAVA_OPTS: $JAVA_OPTS; $RUNS rounds"
printf "%-10s %7s %8s %8s\n" config started first200 heapMiB
printf "%-10s %7s %8s %8s\n" "" "(s)" "(ms)" ""
RESULTS="$WORK/results"
for round in $(seq 1 "$RUNS"); do
  order=$CONFIGS
  [ $((round % 2)) -eq 0 ] && order=$(echo "$CONFIGS" | tr ' ' '\n' | tac | tr '\n' ' ')
  for config in $order; do
    line=$(run_one "$config")
    echo "$line"
    echo "$round $line" >>"$RESULTS"
  done
done

echo
echo "Medians over $RUNS rounds:"
printf "%-10s %7s %8s %8s\n" config started first200 heapMiB
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for config in $CONFIGS; do
  s=$(awk -v c="$config" '$2 == c { print $3 }' "$RESULTS" | median)
  f=$(awk -v c="$config" '$2 == c { print $4 }' "$RESULTS" | median)
  h=$(awk -v c="$config" '$2 == c { print $5 }' "$RESULTS" | median)
  printf "%-10s %7.3f %8d %8.1f\n" "$config" "$s" "$f" "$h"
  eval "med_${config//-/_}_s=$s med_${config//-/_}_f=$f med_${config//-/_}_h=$h"
done
echo
# shellcheck disable=SC2154 # set by the eval above
awk -v on="$med_plain_on_s" -v off="$med_plain_off_s" -v jdk="$med_plain_jdk_s" \
    -v fon="$med_plain_on_f" -v foff="$med_plain_off_f" -v hon="$med_plain_on_h" -v hoff="$med_plain_off_h" 'BEGIN {
  printf "starter on/off, Started in:   %.3f (+%.1f%%); with the JDK probe %.3f (+%.1f%%)\n", on / off, 100 * (on / off - 1), jdk / off, 100 * (jdk / off - 1)
  printf "starter on/off, first 200:    %.3f (+%.1f%%)\n", fon / foff, 100 * (fon / foff - 1)
  printf "starter on - off, heap:       %+.1f MiB\n", hon - hoff }'
# The same round's on/off ratio, which cancels the machine's drift between rounds.
paired=$(awk '$2 == "plain-on" { on[$1] = $3 } $2 == "plain-off" { off[$1] = $3 }
  END { for (r in on) print on[r] / off[r] }' "$RESULTS" | median)
awk -v p="$paired" 'BEGIN { printf "starter on/off, Started in, median of the rounds'"'"' ratios: %.3f (+%.1f%%)\n", p, 100 * (p - 1) }'
