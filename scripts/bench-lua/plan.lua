-- GET the Implementation Plan of P01's biggest initiative as Markdown (issue 12: <= 200 ms).
-- scripts/bench finds the initiative and sets BENCH_INITIATIVE.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.method = "GET"
wrk.path = "/api/v1/workspaces/" .. c.workspace .. "/products/" .. c.backlog_product
  .. "/documents/plan?initiative=" .. (os.getenv("BENCH_INITIATIVE") or "1")
wrk.headers["Accept"] = "text/markdown"
