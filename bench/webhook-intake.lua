-- wrk script for the webhook intake benchmark: signed GitHub deliveries, precomputed by gen_deliveries.py.
--
-- Environment:
--   BENCH_DIR     directory holding templates.txt and <BENCH_PREFIX>-<thread>.tsv
--   BENCH_PREFIX  which delivery list to send (one file per wrk thread)
--   BENCH_OUT     where done() writes the run's figures as JSON
--
-- Each thread sends its own list in order, one request per call of request(), so a redelivery (a line repeated
-- further down) always goes out after its original. If a thread runs out of deliveries it keeps sending a
-- request the service refuses before touching the database (415, wrong content type), and the run is reported as
-- "exhausted" (the list was too short for the run's length).

local threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local function split_template(t)
   -- literal pieces and placeholder names, alternating: {lit, name, lit, name, ..., lit}
   local parts, pos = {}, 1
   while true do
      local s, e, name = t:find("@@(%u+)@@", pos)
      if not s then
         table.insert(parts, t:sub(pos))
         return parts
      end
      table.insert(parts, t:sub(pos, s - 1))
      table.insert(parts, name)
      pos = e + 1
   end
end

function init(args)
   local dir = os.getenv("BENCH_DIR")
   local prefix = os.getenv("BENCH_PREFIX")
   templates = {}
   for line in io.lines(dir .. "/templates.txt") do
      table.insert(templates, split_template(line))
   end
   deliveries = {}
   for line in io.lines(dir .. "/" .. prefix .. "-" .. tid .. ".tsv") do
      local id, event, tmpl, before, after, sig = line:match("^(%S+)\t(%S+)\t(%d+)\t(%x+)\t(%x+)\t(%S+)$")
      table.insert(deliveries, { id, event, tonumber(tmpl) + 1, before, after, sig })
   end
   issued = 0
   overflow = 0
   statuses = {}
   filler = wrk.format("POST", "/webhooks/github", { ["Content-Type"] = "text/plain" }, "exhausted")
end

local headers = {
   ["Content-Type"] = "application/json",
   ["User-Agent"] = "GitHub-Hookshot/bench",
}

function request()
   local d = deliveries[issued + 1]
   if not d then
      overflow = overflow + 1
      return filler
   end
   issued = issued + 1
   local parts = templates[d[3]]
   local values = { BEFORE = d[4], AFTER = d[5] }
   local buf = {}
   for i = 1, #parts do
      if i % 2 == 1 then buf[i] = parts[i] else buf[i] = values[parts[i]] end
   end
   headers["X-GitHub-Event"] = d[2]
   headers["X-GitHub-Delivery"] = d[1]
   headers["X-Hub-Signature-256"] = d[6]
   return wrk.format("POST", "/webhooks/github", headers, table.concat(buf))
end

function response(status, hdrs, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local out = {}
   local function add(s) table.insert(out, s) end
   local all_statuses = {}
   local issued_per_thread = {}
   local total_overflow = 0
   for _, t in ipairs(threads) do
      table.insert(issued_per_thread, tostring(t:get("issued")))
      total_overflow = total_overflow + t:get("overflow")
      for status, n in pairs(t:get("statuses")) do
         all_statuses[status] = (all_statuses[status] or 0) + n
      end
   end
   add('{')
   add(string.format('"duration_us": %d,', summary.duration))
   add(string.format('"requests": %d,', summary.requests))
   add(string.format('"bytes": %d,', summary.bytes))
   add(string.format('"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d},',
      summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
   add(string.format('"latency_us": {"min": %d, "mean": %.1f, "stdev": %.1f, "max": %d, "p50": %d, "p90": %d, "p99": %d, "p999": %d},',
      latency.min, latency.mean, latency.stdev, latency.max, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9)))
   local st = {}
   for status, n in pairs(all_statuses) do table.insert(st, string.format('"%d": %d', status, n)) end
   add('"statuses": {' .. table.concat(st, ", ") .. '},')
   add('"issued_per_thread": [' .. table.concat(issued_per_thread, ", ") .. '],')
   add(string.format('"exhausted_requests": %d', total_overflow))
   add('}')
   local f = assert(io.open(os.getenv("BENCH_OUT"), "w"))
   f:write(table.concat(out, "\n"), "\n")
   f:close()
end
