#!/usr/bin/env bash
# Gossip endpoint throughput on loopback: wrk POSTs a three-sample message (the cluster's own nodes,
# stamped long ago, so the store does not change) to node 1 of a three-node sample cluster, for 5 s of
# warm-up and DURATION of measurement, first without a secret (loopback accepted), then with one (every
# request's HMAC is verified; the signature is computed once with openssl and replayed, which the node
# accepts within max-clock-skew, raised to 10 min for the test).
#
#   benchmarks/load/gossip-throughput.sh       THREADS (2), CONNECTIONS (16), DURATION (15s), JAVA_OPTS
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source-path=SCRIPTDIR source=cluster-lib.sh
. benchmarks/load/cluster-lib.sh

THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-15s}
SECRET=bench-secret-0123456789
trap stop_cluster EXIT
install_wrk
command -v openssl >/dev/null || { echo "The signed run needs openssl." >&2; exit 1; }
find_base_port 18281
BODY=$(mktemp)
declare -A result

# Runs wrk against node 1 (warm-up, then measured) and prints the measured run's wrk-result line.
measure() {
  local url="http://127.0.0.1:$BASE_PORT"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s benchmarks/load/gossip.lua "$url" -- "$BODY" "$@" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s benchmarks/load/gossip.lua "$url" -- "$BODY" "$@" \
    >"$BODY.out"
  cat "$BODY.out" >&2
  grep '^wrk-result' "$BODY.out"
}

echo "== no secret (JAVA_OPTS: ${JAVA_OPTS:-the default of run-cluster.sh})" >&2
start_cluster
wait_for_view
write_gossip_body "$BODY"
result[plain]=$(measure)
stop_cluster

echo "== with a secret" >&2
start_cluster "--cluster.metrics.gossip.secret=$SECRET" --cluster.metrics.gossip.max-clock-skew=10m
wait_for_view
TS=$(($(date +%s) * 1000))
SIG="sha256=$({ printf '%s\n' "$TS"; cat "$BODY"; } | openssl dgst -sha256 -hmac "$SECRET" | awk '{ print $NF }')"
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -H "X-Cluster-Metrics-Timestamp: $TS" -H "X-Cluster-Metrics-Signature: $SIG" \
  --data-binary @"$BODY" "http://127.0.0.1:$BASE_PORT/cluster-metrics/gossip")
[ "$status" = 200 ] || { echo "A signed message was answered $status, not 200." >&2; exit 1; }
result[signed]=$(measure "$TS" "$SIG")
stop_cluster

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, 3-sample message ($(wc -c <"$BODY") bytes), node 1 of 3"
printf "| %-9s | %10s | %7s | %7s | %7s | %6s |\n" run "messages/s" "p50 ms" "p99 ms" "max ms" errors
for run in plain signed; do
  line=${result[$run]}
  errors=$(( $(wrk_field "$line" non2xx) + $(wrk_field "$line" connect) + $(wrk_field "$line" read) \
    + $(wrk_field "$line" write) + $(wrk_field "$line" timeout) ))
  printf "| %-9s | %10s | %7s | %7s | %7s | %6s |\n" "$run" "$(wrk_field "$line" rate)" "$(wrk_field "$line" p50_ms)" \
    "$(wrk_field "$line" p99_ms)" "$(wrk_field "$line" max_ms)" "$errors"
done
rm -f "$BODY" "$BODY.out"
