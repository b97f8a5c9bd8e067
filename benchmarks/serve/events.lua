-- POST /v1/events, one event a request: a random user out of 100,000 synthetic ones and a random known item.
--   wrk -s benchmarks/serve/events.lua URL -- ITEMS.jsonl [TOKEN]
-- ITEMS.jsonl holds one JSON string literal a line (ids are escaped once, in Python, not here).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local items, headers
sent_events = 0

function init(args)
   items = read_lines(args[1])
   headers = {["Content-Type"] = "application/json"}
   if args[2] and #args[2] > 0 then headers["Authorization"] = "Bearer " .. args[2] end
   math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function event_request()
   sent_events = sent_events + 1
   local body = string.format('{"user": "bench-u%d", "item": %s}', math.random(1, 100000), items[math.random(#items)])
   return wrk.format("POST", "/v1/events", headers, body)
end

request = event_request
