-- GET the alignment report of one quarter of P01 (2026-Q1: its teams' sprints of that quarter).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.method = "GET"
wrk.path = "/api/v1/workspaces/" .. c.workspace .. "/products/" .. c.backlog_product .. "/alignment?quarter=2026-Q1"
wrk.headers["Accept"] = "application/json"
