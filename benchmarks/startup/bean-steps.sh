#!/usr/bin/env bash
# Where the starter's startup time goes: starts PlainApp (starter on) with Spring's startup steps recorded
# (-Dplain.startup-steps=true), reads /actuator/startup and prints the instantiation time of the starter's
# beans, slowest first. Times are inclusive: a bean's time contains the beans it depends on. Needs python3.
#
#   benchmarks/startup/bean-steps.sh        PORT (default 18191), JAVA_OPTS as in startup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${PORT:-18191}
JAVA_OPTS=${JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
JAR=sample-app/target/sample-app-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d)
PID=""
cleanup() { [ -z "$PID" ] || kill -KILL "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
unzip -q "$JAR" -d "$WORK/app"
javac -nowarn -cp "$WORK/app/BOOT-INF/lib/*" -d "$WORK/plain" benchmarks/startup/PlainApp.java

# shellcheck disable=SC2086 # JAVA_OPTS is a list
java $JAVA_OPTS -Dplain.startup-steps=true -cp "$WORK/plain:$WORK/app/BOOT-INF/lib/*" \
  io.clustermetrics.benchmarks.startup.PlainApp --server.port="$PORT" --server.address=127.0.0.1 \
  --management.endpoints.web.exposure.include=startup >"$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do # up to 60 s
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/hello" && break
  sleep 0.1
done
grep -o 'Started .*' "$WORK/log"
curl -fs "http://127.0.0.1:$PORT/actuator/startup" | python3 -c '
import json, re, sys
def millis(d):
    m = re.match(r"PT(?:(\d+)M)?([\d.]+)S", d)
    return (int(m.group(1) or 0) * 60 + float(m.group(2))) * 1000
rows = []
for e in json.load(sys.stdin)["timeline"]["events"]:
    step = e["startupStep"]
    bean = {t["key"]: t["value"] for t in step.get("tags", [])}.get("beanName", "")
    if step["name"] == "spring.beans.instantiate" and re.search(r"(?i)clustermetrics|cluster\.metrics", bean):
        rows.append((millis(e["duration"]), bean))
for ms, bean in sorted(rows, reverse=True)[:12]:
    print("%8.1f ms  %s" % (ms, bean))'
