-- GET the backlog page (HTML, first 100 items) of one product.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.method = "GET"
wrk.path = "/w/" .. c.workspace .. "/p/" .. c.backlog_product .. "/backlog"
wrk.headers["Accept"] = "text/html"
