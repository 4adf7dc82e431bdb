-- GET the prioritization view (HTML) of a random product's initiatives, sorted by RICE.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
wrk.headers["Accept"] = "text/html"
setup = c.setup
init = c.init

function request()
  local path = "/w/" .. c.workspace .. "/p/" .. c.product_key(math.random(c.products)) .. "/initiatives?sort=rice"
  return wrk.format("GET", path)
end
