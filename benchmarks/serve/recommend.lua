-- POST /v1/recommend with request bodies taken in turn from a JSON-lines file (one complete body a line):
--   wrk -s benchmarks/serve/recommend.lua URL -- BODIES.jsonl
-- Each thread starts at a different line so that concurrent requests carry different histories.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local bodies, i
sent_recommend = 0

function init(args)
   bodies = read_lines(args[1])
   i = ((thread_id or 1) * 7919) % #bodies
end

function request()
   i = i % #bodies + 1
   sent_recommend = sent_recommend + 1
   return wrk.format("POST", "/v1/recommend", {["Content-Type"] = "application/json"}, bodies[i])
end
