-- wrk script for the "post-4k" workload: POST a 4 KiB body to /echo, which echoes it back.
-- wrk.format adds Content-Length for the body.
wrk.method = "POST"
wrk.body = string.rep("x", 4096)
wrk.headers["Content-Type"] = "application/octet-stream"
