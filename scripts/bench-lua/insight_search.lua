-- GET a full-text search over a random product's insights and sources (1,000 insights each on
-- large) for two random words of the seeded vocabulary.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
c.json()
setup = c.setup
init = c.init

local words = { "import", "invite", "checklist", "report", "billing", "sprint", "export", "search",
  "mobile", "slow", "permissions", "integration" }

function request()
  local q = words[math.random(#words)] .. "%20" .. words[math.random(#words)]
  local path = "/api/v1/workspaces/" .. c.workspace .. "/products/" .. c.product_key(math.random(c.products))
    .. "/research/search?q=" .. q
  return wrk.format("GET", path)
end
