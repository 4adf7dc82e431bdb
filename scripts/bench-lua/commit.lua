-- Commit one open item to the planned sprint of a product's first team; expects 200.
-- Products rotate; each thread walks its own items above the seeded sprints' range, the
-- warm-up (BENCH_SEED >= 1000) up from 1301 and the measured run down from the last item, so
-- that no item is committed twice however far a fast warm-up goes (at 4,000 commits a second
-- a 3 s warm-up passed 1800, where the measured run used to start, and a tenth of its commits
-- answered 409 "already in this sprint"). The two meet only past 3,700 commits a product.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
c.json()
setup = c.setup

local n = 0
local warmup

function init()
  c.init()
  warmup = c.seed >= 1000
end

function request()
  local p = (n % c.products) + 1
  local step = math.floor(n / c.products) * c.threads
  local number = warmup and (1301 + c.id + step) or (c.items - c.id - step)
  n = n + 1
  -- Team p-1 works on product p; its planned sprint is the 35th: id (p - 1) * 35 + 35.
  local path = "/api/v1/workspaces/" .. c.workspace .. "/products/" .. c.product_key(p) ..
    "/sprints/" .. ((p - 1) * 35 + 35) .. "/commit"
  return wrk.format("POST", path, nil, '{"items":["' .. c.item_key(p, number) .. '"]}')
end
