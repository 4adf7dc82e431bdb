-- GET the hand-off kit of P01's biggest initiative as a zip (issue 12: <= 500 ms).
-- scripts/bench finds the initiative and sets BENCH_INITIATIVE.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.method = "GET"
wrk.path = "/api/v1/workspaces/" .. c.workspace .. "/products/" .. c.backlog_product
  .. "/documents/kit?initiative=" .. (os.getenv("BENCH_INITIATIVE") or "1")
wrk.headers["Accept"] = "application/zip"
