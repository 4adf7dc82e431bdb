-- GET the workspace home page (HTML: every product's overview, 20 products on large).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.method = "GET"
wrk.path = "/w/" .. c.workspace
wrk.headers["Accept"] = "text/html"
