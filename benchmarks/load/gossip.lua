-- wrk script: POSTs one gossip message, read from a file, to /cluster-metrics/gossip, over and over.
--   wrk -s gossip.lua http://127.0.0.1:8081 -- BODY_FILE [TIMESTAMP SIGNATURE]
-- With TIMESTAMP and SIGNATURE (sha256=<hex>, precomputed by the caller with openssl), the message is
-- signed: the node verifies the HMAC on every request, as it would for fresh messages, and accepts the
-- replay while TIMESTAMP is within its max-clock-skew.
-- done() prints one "wrk-result" line for scripts: requests, errors by kind, rate, latency percentiles.

function init(args)
  local file = assert(io.open(args[1], "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.path = "/cluster-metrics/gossip"
  wrk.headers["Content-Type"] = "application/json"
  if args[3] then
    wrk.headers["X-Cluster-Metrics-Timestamp"] = args[2]
    wrk.headers["X-Cluster-Metrics-Signature"] = args[3]
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wrk-result requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d rate=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
