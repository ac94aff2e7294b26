-- wrk script: POST the multipart body built once by bench/submit.sh (binary-safe), with the owner cookie.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. os.getenv("BENCH_BOUNDARY")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
