-- GET the board page (columns, burndown, scope form) of P01's running sprint (id 34, see
-- src/cli/seed_scale_sprints.rs).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.method = "GET"
wrk.path = "/w/" .. c.workspace .. "/p/" .. c.backlog_product .. "/sprints/34/board"
wrk.headers["Accept"] = "text/html"
