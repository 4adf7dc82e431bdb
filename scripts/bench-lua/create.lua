-- POST a new story to a random product; expects 201.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
c.json()
setup = c.setup
init = c.init

local prefix = "/api/v1/workspaces/" .. c.workspace .. "/products/"
local body = '{"kind":"story","title":"Bench story %d","persona":"Admin",'
  .. '"goal":"export the audit log","benefit":"auditors can check changes","points":3,'
  .. '"criteria":["Given an admin When they export Then a CSV downloads"]}'
local count = 0

function request()
  -- Interleaved by thread so that titles never repeat within a run.
  local n = count * c.threads + c.id + 1
  count = count + 1
  return wrk.format("POST", prefix .. c.product_key(math.random(c.products)) .. "/items", nil,
    string.format(body, n))
end
