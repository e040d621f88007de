-- wrk script for bench/blue-green/switch.sh: paces each connection (the pause between a response and the next
-- request, in ms, is the script's first argument), counts non-2xx answers and which colour answered, and prints
-- one RESULT line of JSON with wrk's own socket errors and latency percentiles.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  pause = tonumber(args[1]) or 0
  non2xx, blue, green, other = 0, 0, 0, 0
end

function delay()
  return pause
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  if body:find('"blue"', 1, true) then
    blue = blue + 1
  elseif body:find('"green"', 1, true) then
    green = green + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local n, b, g, o = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("non2xx")
    b = b + t:get("blue")
    g = g + t:get("green")
    o = o + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d,' ..
    '"non2xx":%d,"blue":%d,"green":%d,"other":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    n, b, g, o, latency:percentile(50), latency:percentile(99), latency.max))
end
