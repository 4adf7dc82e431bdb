-- Move a random seeded item after another random one of the same product; expects 200.
-- The strict-mode product is left to strict_reorder.lua: most random moves there would be
-- refused, and they would also spoil the tier order that script relies on.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
c.json()
setup = c.setup
init = c.init

local prefix = "/api/v1/workspaces/" .. c.workspace .. "/items/"

function request()
  local p = math.random(c.products)
  while p == c.strict and c.products > 1 do
    p = math.random(c.products)
  end
  local a, b = math.random(c.items), math.random(c.items)
  while b == a and c.items > 1 do
    b = math.random(c.items)
  end
  return wrk.format("POST", prefix .. c.item_key(p, a) .. "/move", nil,
    '{"after":"' .. c.item_key(p, b) .. '"}')
end
