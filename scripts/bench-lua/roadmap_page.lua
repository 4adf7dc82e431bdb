-- GET the workspace roadmap page (HTML timeline across all products: 500 initiatives on large).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.method = "GET"
wrk.path = "/w/" .. c.workspace .. "/roadmap"
wrk.headers["Accept"] = "text/html"
