-- Shared by the wrk scripts of benchmarks/serve.sh (loaded with dofile from the same directory).
-- Each wrk thread runs its own copy of the script; done() runs once, in the main state, and prints one JSON line
-- (latencies in ms from wrk's own histogram) that serve.sh picks up.

function read_lines(path)
   local t = {}
   for line in io.lines(path) do
      if #line > 0 then t[#t + 1] = line end
   end
   if #t == 0 then error("no lines in " .. path) end
   return t
end

local threads = {}

-- Keep every thread so done() can add up the per-thread counters (sent recommend / event requests).
function setup(thread)
   thread:set("thread_id", #threads + 1)
   threads[#threads + 1] = thread
end

function done(summary, latency, requests)
   local function ms(us) return string.format("%.3f", us / 1000) end
   local seconds = summary.duration / 1e6
   local counts = {}
   for _, t in ipairs(threads) do
      for _, key in ipairs({"sent_recommend", "sent_events"}) do
         local v = t:get(key)
         if v then counts[key] = (counts[key] or 0) + v end
      end
   end
   local e = summary.errors
   local extra = ""
   for k, v in pairs(counts) do extra = extra .. string.format(', "%s": %d', k, v) end
   io.write(string.format(
      '{"requests": %d, "duration_s": %.3f, "rps": %.1f, "bytes": %d, '
         .. '"latency_ms": {"mean": %s, "p50": %s, "p90": %s, "p99": %s, "p999": %s, "max": %s}, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}%s}\n',
      summary.requests, seconds, summary.requests / seconds, summary.bytes,
      ms(latency.mean), ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
      ms(latency:percentile(99.9)), ms(latency.max),
      e.connect, e.read, e.write, e.status, e.timeout, extra))
end
