-- GET one random seeded item's page (HTML).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.headers["Accept"] = "text/html"
setup = c.setup
init = c.init

local prefix = "/w/" .. c.workspace .. "/items/"

function request()
  return wrk.format("GET", prefix .. c.random_item_key())
end
