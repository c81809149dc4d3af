#!/usr/bin/env bash
# The routing benchmark over real processes (BENCHMARKS.md, "Routing over real processes"): four backend JVMs
# and this client JVM on loopback. Needs `./mvnw package` (or verify) first. Arguments go to ProcessBenchmark:
#   benchmarks/routing/process-benchmark.sh                         # the full run: 3 loads x 2 variants, 20 s phases
#   benchmarks/routing/process-benchmark.sh --short --check         # the CI version: 70% and 90%, 15 s phases
set -euo pipefail
cd "$(dirname "$0")/../.."
classes=benchmarks/target/classes
classpath=benchmarks/target/classpath.txt
if [ ! -f "$classpath" ]; then
  echo "$classpath is missing: run ./mvnw package first" >&2
  exit 2
fi
args=("$@")
for i in "${!args[@]}"; do
  if [ "${args[$i]}" = "--short" ]; then
    args[$i]="--seconds=15"
    args+=("--loads=0.7,0.9")
  fi
done
exec java -Xss256k -XX:+UseSerialGC -cp "$classes:$(cat "$classpath")" \
  io.clustermetrics.benchmarks.processes.ProcessBenchmark --logs=benchmarks/target/process-benchmark "${args[@]}"
