-- Commit one open item to the planned sprint of a product's first team; expects 200.
-- Products rotate; each thread walks its own items above the seeded sprints' range, the
-- warm-up (BENCH_SEED >= 1000) in 1301-1800 and the measured run from 1801 up, so no item
-- is committed twice.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
c.json()
setup = c.setup

local n = 0
local first

function init()
  c.init()
  first = (c.seed >= 1000) and 1301 or 1801
end

function request()
  local p = (n % c.products) + 1
  local number = first + c.id + math.floor(n / c.products) * c.threads
  n = n + 1
  -- Team p-1 works on product p; its planned sprint is the 35th: id (p - 1) * 35 + 35.
  local path = "/api/v1/workspaces/" .. c.workspace .. "/products/" .. c.product_key(p) ..
    "/sprints/" .. ((p - 1) * 35 + 35) .. "/commit"
  return wrk.format("POST", path, nil, '{"items":["' .. c.item_key(p, number) .. '"]}')
end
