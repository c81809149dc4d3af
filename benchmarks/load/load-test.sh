#!/usr/bin/env bash
# Issue 7's load test: with the three-node sample cluster up (./run-cluster.sh, SKIP_BUILD=1, free loopback
# ports), wrk loads node 1's gossip endpoint and node 2's /work route at the same time for DURATION. Each
# gossip message carries the cluster's own nodes, stamped long ago (read and kept out), and two invented
# nodes, stamped fresh every time (merged, and gossiped on by node 1): nodes 2 and 3 under another name,
# http://localhost:<port>, so that the /work requests the nodes send them succeed too. Fails (exit
# 1, with the reason) on any non-2xx answer or socket error; if at the end of the load a node lists any
# node but the three and the two invented ones, or misses one of the three; if the invented ones are still
# listed anywhere a ttl after the load (no zombie copy among the nodes); or if a node's heap after a full GC
# grew more than HEAP_TOLERANCE_MIB over its baseline. Prints summary tables; always stops the cluster.
# Needs the built jar (./mvnw -B -ntp verify or install), curl, jcmd, and wrk (installed with apt-get).
#
#   benchmarks/load/load-test.sh [node arguments]    DURATION (30s), HEAP_TOLERANCE_MIB (8), JAVA_OPTS
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source-path=SCRIPTDIR source=cluster-lib.sh
. benchmarks/load/cluster-lib.sh

DURATION=${DURATION:-30s}
HEAP_TOLERANCE_MIB=${HEAP_TOLERANCE_MIB:-8}
TTL_SECONDS=5 # sample-app's application.yml
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
INVENTED="http://localhost:${ports[1]} http://localhost:${ports[2]}"
BODY=$(mktemp)
# shellcheck disable=SC2086 # a list
write_gossip_body "$BODY" $INVENTED
OUT=$(mktemp -d)

echo "Baseline heaps after a full GC..."
before=()
for i in 0 1 2; do before[i]=$(heap_after_gc "${pids[i]}" "${ports[i]}"); done

echo "Loading gossip on :${ports[0]} and /work on :${ports[1]} for $DURATION..."
wrk -t1 -c8 -d"$DURATION" --timeout 5s -s benchmarks/load/gossip-fresh.lua "http://127.0.0.1:${ports[0]}" -- "$BODY" \
  "$(date +%s%3N)" \
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

expected=$(for port in $PORTS; do echo "http://127.0.0.1:$port"; done)
nodes=() later=() after=()
for i in 0 1 2; do
  listed=$(listed_addresses "${ports[i]}")
  nodes[i]=$(echo "$listed" | grep -c . || true)
  missing=$(comm -23 <(echo "$expected" | sort) <(echo "$listed" | sort) | tr '\n' ' ')
  # shellcheck disable=SC2086 # a list
  unknown=$(comm -13 <(printf '%s\n' $expected $INVENTED | sort) <(echo "$listed" | sort) | tr '\n' ' ')
  [ -z "$missing" ] || failures+=("node ${ports[i]} lost $missing")
  [ -z "$unknown" ] || failures+=("node ${ports[i]} lists unknown nodes $unknown")
done
echo "Waiting a ttl ($TTL_SECONDS s) and two more seconds for the invented nodes to expire everywhere..."
sleep $((TTL_SECONDS + 2))
for i in 0 1 2; do
  later[i]=$(tracked_nodes "${ports[i]}")
  [ "${later[i]}" -eq 3 ] || failures+=("node ${ports[i]} lists ${later[i]} nodes a ttl after the load, not 3: $(listed_addresses "${ports[i]}" | tr '\n' ' ')")
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
echo "| node | tracked at the end of the load | a ttl later | heap after GC before (MiB) | after (MiB) | change (MiB) |"
echo "|---|---:|---:|---:|---:|---:|"
for i in 0 1 2; do
  awk -v p="${ports[i]}" -v n="${nodes[i]}" -v l="${later[i]}" -v b="${before[i]}" -v a="${after[i]}" \
    'BEGIN { printf "| %s | %d | %d | %.1f | %.1f | %+.1f |\n", p, n, l, b / 1048576, a / 1048576, (a - b) / 1048576 }'
done
echo
rm -rf "$BODY" "$OUT"
if [ "${#failures[@]}" -gt 0 ]; then
  printf 'LOAD TEST FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "Load test passed: no failed request, the 3 nodes tracked everywhere and the invented ones gone a ttl later, heap within $HEAP_TOLERANCE_MIB MiB of its baseline."
