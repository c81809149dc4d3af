-- wrk script: GETs the URL's path (e.g. /work) and prints the same "wrk-result" line as gossip.lua.
--   wrk -s get.lua http://127.0.0.1:8082/work

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wrk-result requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d rate=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
