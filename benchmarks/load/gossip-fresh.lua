-- wrk script: gossip.lua, with every "@TS@" in the body replaced, request by request, by a newer timestamp
-- from START_MILLIS on, so that every message is merged: the samples it carries there are always fresh.
--   wrk -s gossip-fresh.lua http://127.0.0.1:8081 -- BODY_FILE START_MILLIS     (from the project root)

dofile("benchmarks/load/gossip.lua")

local load_body = init
local start, sent

function init(args)
  load_body(args)
  start, sent = tonumber(args[2]), 0
end

function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, (wrk.body:gsub("@TS@", tostring(start + sent))))
end
