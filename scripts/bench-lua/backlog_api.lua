-- GET the first 100 backlog items of one product as JSON.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
c.json()
wrk.method = "GET"
wrk.path = "/api/v1/workspaces/" .. c.workspace .. "/products/" .. c.backlog_product .. "/items?limit=100"
