-- 90% POST /v1/recommend (bodies from a file, as recommend.lua), 10% POST /v1/events (as events.lua):
--   wrk -s benchmarks/serve/mixed.lua URL -- BODIES.jsonl ITEMS.jsonl [TOKEN]
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local bodies, items, headers, i
sent_recommend, sent_events = 0, 0

function init(args)
   bodies = read_lines(args[1])
   items = read_lines(args[2])
   i = ((thread_id or 1) * 7919) % #bodies
   headers = {["Content-Type"] = "application/json"}
   if args[3] and #args[3] > 0 then headers["Authorization"] = "Bearer " .. args[3] end
   math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function request()
   if math.random() < 0.1 then
      sent_events = sent_events + 1
      local body = string.format('{"user": "bench-u%d", "item": %s}', math.random(1, 100000), items[math.random(#items)])
      return wrk.format("POST", "/v1/events", headers, body)
   end
   i = i % #bodies + 1
   sent_recommend = sent_recommend + 1
   return wrk.format("POST", "/v1/recommend", {["Content-Type"] = "application/json"}, bodies[i])
end
