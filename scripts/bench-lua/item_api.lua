-- GET one random seeded item as JSON.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
c.json()
setup = c.setup
init = c.init

local prefix = "/api/v1/workspaces/" .. c.workspace .. "/items/"

function request()
  return wrk.format("GET", prefix .. c.random_item_key())
end
