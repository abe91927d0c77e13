-- wrk script for the Instaclone benchmark (bench/run.py passes everything through the environment).
--   BENCH_COOKIE   Cookie header (session, CSRF)
--   BENCH_CSRF     CSRF token for POSTs (X-CSRFToken)
--   BENCH_POSTS    for the like toggle: comma-separated post ids; each connection likes then unlikes
--                  its posts in turn (POST /p/<id>/like/, POST /p/<id>/unlike/) as HTMX requests
-- done() prints one line "BENCHJSON {...}" with counts and latency percentiles (microseconds).

local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local posts = {}
for id in string.gmatch(os.getenv("BENCH_POSTS") or "", "[^,]+") do
  table.insert(posts, id)
end

wrk.headers["Cookie"] = cookie
wrk.headers["Accept"] = "text/html"

local counter = 0
local thread_no = 0

function setup(thread)
  thread:set("thread_no", thread_no)
  thread_no = thread_no + 1
end

function request()
  if #posts == 0 then
    return wrk.format("GET", nil, nil, nil)
  end
  counter = counter + 1
  local step = math.floor((counter - 1) / 2)
  local id = posts[((step + thread_no * 7) % #posts) + 1]
  local action = (counter % 2 == 1) and "like" or "unlike"
  local headers = {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = csrf,
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", "/p/" .. id .. "/" .. action .. "/", headers, "")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
