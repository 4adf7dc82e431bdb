-- Reorder in the product seeded in strict tier order (P02): move a random item after another
-- item of the same tier, which the tier order allows, so every move pays for the check and
-- none is refused; expects 200.
--
-- The seed's layout (src/cli/seed_strategy_scale.rs): items 100n+1 ..= 100n+100 belong to
-- initiative n (n < 25); initiatives with n % 5 == 0 serve the quarter's first priority (tier 1),
-- n % 5 == 1 the second (tier 2); every other item is unaligned.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
c.json()
setup = c.setup
init = c.init

local prefix = "/api/v1/workspaces/" .. c.workspace .. "/items/"

-- A random item number of tier 1 or 2, or an unaligned one (tier 3 here).
local function pick(tier)
  if tier <= 2 or c.items <= 2500 then
    tier = math.min(tier, 2)
    local n = (math.random(5) - 1) * 5 + (tier - 1)
    return n * 100 + math.random(100)
  end
  return 2500 + math.random(c.items - 2500)
end

function request()
  local tier = math.random(3)
  local a, b = pick(tier), pick(tier)
  while b == a do
    b = pick(tier)
  end
  return wrk.format("POST", prefix .. c.item_key(c.strict, a) .. "/move", nil,
    '{"after":"' .. c.item_key(c.strict, b) .. '"}')
end
