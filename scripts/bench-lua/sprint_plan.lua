-- GET the planning page (capacity, velocity, forecast) of P01's planned sprint (id 35).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.method = "GET"
wrk.path = "/w/" .. c.workspace .. "/p/" .. c.backlog_product .. "/sprints/35/plan"
wrk.headers["Accept"] = "text/html"
