-- GET a Monte Carlo forecast of P01's top 500 open items: 10,000 simulated futures drawn from
-- its closed sprints' velocities (the history is read, then simulated, on every request).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.method = "GET"
wrk.path = "/api/v1/workspaces/" .. c.workspace .. "/products/" .. c.backlog_product .. "/forecast?items=is:open&top=500&seed=1"
wrk.headers["Accept"] = "application/json"
