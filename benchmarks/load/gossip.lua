-- wrk script: POSTs one gossip message, read from a file, to /cluster-metrics/gossip, over and over.
--   wrk -s gossip.lua http://127.0.0.1:8081 -- BODY_FILE [TIMESTAMP SIGNATURE]
-- With TIMESTAMP and SIGNATURE (sha256=<hex>, precomputed by the caller with openssl), the message is
-- signed: the node verifies the HMAC on every request, as it would for fresh messages, and accepts the
-- replay while TIMESTAMP is within its max-clock-skew.
-- Run from the project root: done() comes from get.lua.

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

dofile("benchmarks/load/get.lua") -- done(): the "wrk-result" line
