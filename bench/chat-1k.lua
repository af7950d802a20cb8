-- wrk script: POST the chat request that run.sh wrote to $BENCH_BODY_FILE (a 1 KB body;
-- "stream" and "max_tokens" vary by case) to the URL given on wrk's command line.
local path = os.getenv("BENCH_BODY_FILE")
assert(path, "BENCH_BODY_FILE is not set")
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench"

-- BENCH_VARY=1: every request carries a different number inside its prompt (same size), so a
-- prompt cache sees only misses (its miss-and-store path is what the pipeline case measures).
-- wrk runs one Lua state per thread: `setup` numbers the threads so their counters never collide.
local next_tid = 1
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

if os.getenv("BENCH_VARY") == "1" then
  local counter = 0
  local prefix, suffix = body:match('^(.-"content":")(.*)$')
  request = function()
    counter = counter + 1
    local tag = string.format("%02d%08d ", tid or 0, counter % 100000000)
    return wrk.format(nil, nil, nil, prefix .. tag .. suffix:sub(12))
  end
end
