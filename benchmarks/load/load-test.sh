#!/usr/bin/env bash
# Issue 7's load test: with the three-node sample cluster up (./run-cluster.sh, SKIP_BUILD=1, free loopback
# ports), wrk loads node 1's gossip endpoint (a three-sample message about the cluster's own nodes, stamped
# long ago) and node 2's /work route at the same time for DURATION. Fails (exit 1, with the reason) on any
# non-2xx answer or socket error, if any node stops listing exactly 3 nodes, or if a node's heap after a
# full GC grew more than HEAP_TOLERANCE_MIB over its baseline. Prints a summary table; always stops the
# cluster. Needs the built jar (mvn -B -ntp verify or install), curl, jcmd, and wrk (installed with apt-get).
#
#   benchmarks/load/load-test.sh [node arguments]    DURATION (30s), HEAP_TOLERANCE_MIB (8), JAVA_OPTS
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source-path=SCRIPTDIR source=cluster-lib.sh
. benchmarks/load/cluster-lib.sh

DURATION=${DURATION:-30s}
HEAP_TOLERANCE_MIB=${HEAP_TOLERANCE_MIB:-8}
WRK_PIDS=""
cleanup() {
  # shellcheck disable=SC2086 # a list
  [ -z "$WRK_PIDS" ] || kill $WRK_PIDS 2>/dev/null || true
  stop_cluster
}
trap cleanup EXIT
install_wrk
find_base_port 18381
echo "Starting the cluster on 127.0.0.1:$BASE_PORT-$((BASE_PORT + 2))..."
start_cluster "$@" # extra arguments go to every node
wait_for_view
# shellcheck disable=SC2206 # lists on purpose
pids=($NODE_PIDS) ports=($PORTS)
BODY=$(mktemp)
write_gossip_body "$BODY"
OUT=$(mktemp -d)

echo "Baseline heaps after a full GC..."
before=()
for i in 0 1 2; do before[i]=$(heap_after_gc "${pids[i]}" "${ports[i]}"); done

echo "Loading gossip on :${ports[0]} and /work on :${ports[1]} for $DURATION..."
wrk -t1 -c8 -d"$DURATION" --timeout 5s -s benchmarks/load/gossip.lua "http://127.0.0.1:${ports[0]}" -- "$BODY" \
  >"$OUT/gossip" 2>&1 &
gossip_wrk=$!
wrk -t1 -c4 -d"$DURATION" --timeout 5s -s benchmarks/load/get.lua "http://127.0.0.1:${ports[1]}/work" >"$OUT/work" 2>&1 &
work_wrk=$!
WRK_PIDS="$gossip_wrk $work_wrk"
wait "$gossip_wrk" "$work_wrk"
WRK_PIDS=""

failures=()
for load in gossip work; do
  line=$(grep '^wrk-result' "$OUT/$load" || true)
  [ -n "$line" ] || { cat "$OUT/$load" >&2; failures+=("$load: wrk printed no result"); continue; }
  declare "${load}_line=$line"
  errors=$(( $(wrk_field "$line" non2xx) + $(wrk_field "$line" connect) + $(wrk_field "$line" read) \
    + $(wrk_field "$line" write) + $(wrk_field "$line" timeout) ))
  [ "$errors" -eq 0 ] || failures+=("$load: $errors failed requests ($line)")
  [ "$(wrk_field "$line" requests)" -gt 0 ] || failures+=("$load: no requests completed")
done
kill -0 "$CLUSTER_PID" 2>/dev/null || failures+=("a node stopped during the load (see $CLUSTER_LOG)")

nodes=() after=()
for i in 0 1 2; do
  nodes[i]=$(tracked_nodes "${ports[i]}")
  [ "${nodes[i]}" -eq 3 ] || failures+=("node ${ports[i]} lists ${nodes[i]} nodes, not 3")
  after[i]=$(heap_after_gc "${pids[i]}" "${ports[i]}")
  growth=$(( (after[i] - before[i]) / 1048576 ))
  [ "$growth" -le "$HEAP_TOLERANCE_MIB" ] || failures+=("node ${ports[i]}: heap after GC grew $growth MiB (> $HEAP_TOLERANCE_MIB)")
done

echo
echo "| load | requests | requests/s | p50 ms | p99 ms | max ms | failed |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for load in gossip work; do
  line_var="${load}_line"
  line=${!line_var:-}
  [ -n "$line" ] || continue
  printf "| %s | %s | %s | %s | %s | %s | %s |\n" "$load" "$(wrk_field "$line" requests)" "$(wrk_field "$line" rate)" \
    "$(wrk_field "$line" p50_ms)" "$(wrk_field "$line" p99_ms)" "$(wrk_field "$line" max_ms)" \
    $(( $(wrk_field "$line" non2xx) + $(wrk_field "$line" connect) + $(wrk_field "$line" read) \
      + $(wrk_field "$line" write) + $(wrk_field "$line" timeout) ))
done
echo
echo "| node | tracked nodes | heap after GC before (MiB) | after (MiB) | change (MiB) |"
echo "|---|---:|---:|---:|---:|"
for i in 0 1 2; do
  awk -v p="${ports[i]}" -v n="${nodes[i]}" -v b="${before[i]}" -v a="${after[i]}" \
    'BEGIN { printf "| %s | %d | %.1f | %.1f | %+.1f |\n", p, n, b / 1048576, a / 1048576, (a - b) / 1048576 }'
done
echo
rm -rf "$BODY" "$OUT"
if [ "${#failures[@]}" -gt 0 ]; then
  printf 'LOAD TEST FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "Load test passed: no failed request, 3 nodes tracked everywhere, heap within $HEAP_TOLERANCE_MIB MiB of its baseline."
