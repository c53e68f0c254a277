-- Requests for bench/load.py, driven by wrk: `wrk -s bench/load.lua ... -- <data file>`.
--
-- The data file (written by bench/load.py for each page) returns a table:
--   method   "GET" or "POST"
--   paths    the paths to pick from at random (many ideas, so votes are varied and real)
--   sessions session keys to pick from at random (empty: anonymous)
--   csrf     the CSRF secret sent both as the csrftoken cookie and the X-CSRFToken header
--   headers  extra headers (HX-Request for the htmx vote)
--   body     nil, "vote" (value=up/down) or "survey" (answers for `outcomes`, with `segment`)
-- done() prints one line "WRK_JSON {...}" with the counts and latency percentiles (microseconds).

local data = nil

function setup(thread)
  thread_count = (thread_count or 0) + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  data = dofile(args[1])
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919)
end

local function survey_body()
  local parts = { "action=save" }
  if data.segment then
    parts[#parts + 1] = "segment=" .. data.segment
  end
  for _, outcome in ipairs(data.outcomes) do
    parts[#parts + 1] = "importance_" .. outcome .. "=" .. math.random(1, 5)
    parts[#parts + 1] = "satisfaction_" .. outcome .. "=" .. math.random(1, 5)
  end
  return table.concat(parts, "&")
end

function request()
  local headers = {}
  for name, value in pairs(data.headers) do
    headers[name] = value
  end
  if #data.sessions > 0 then
    local session = data.sessions[math.random(#data.sessions)]
    headers["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. data.csrf
    headers["X-CSRFToken"] = data.csrf
  end
  local body = nil
  if data.body == "vote" then
    if math.random() < 0.8 then body = "value=up" else body = "value=down" end
  elseif data.body == "survey" then
    body = survey_body()
  end
  if body then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(data.method, data.paths[math.random(#data.paths)], headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50": %d, "p90": %d, "p99": %d, "mean": %.1f, "max": %d}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
