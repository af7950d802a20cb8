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
