-- Swap an item in and another out of a running sprint, with If-Match; expects 200.
-- Each thread cycles through its own teams' running sprints (team t: id t * 35 + 34, product
-- t % 20 + 1) and swaps a spare item (first of the planned sprint's range) with the sprint's
-- first item, back and forth. The warm-up (BENCH_SEED >= 1000) uses teams 25-49 and the
-- measured run teams 0-24, so each starts from sprints at version 1. The version comes back
-- in each answer. A thread's connections share its teams, and answers can come back out of
-- order, so a team whose swap is still on its way is skipped until its answer (with the new
-- version) is in: a 412 would mean two swaps raced.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
c.json()
setup = c.setup

local teams = {}
local version = {}
local flipped = {}
local pending = {}
local at = 0

function init()
  c.init()
  local from = (c.seed >= 1000) and 25 or 0
  for t = from + c.id, from + 24, c.threads do
    table.insert(teams, t)
    version[t * 35 + 34] = 1
    flipped[t * 35 + 34] = false
  end
end

function request()
  -- The next team without a swap on its way (a thread has more teams than connections).
  for _ = 1, #teams do
    at = at % #teams + 1
    if not pending[teams[at] * 35 + 34] then break end
  end
  local t = teams[at]
  local sprint = t * 35 + 34
  pending[sprint] = true
  local p = t % 20 + 1
  local base = math.floor(t / 20) * 420 + 1
  local inside, spare = c.item_key(p, base + 33 * 12), c.item_key(p, base + 34 * 12)
  local add, remove = spare, inside
  if flipped[sprint] then add, remove = inside, spare end
  wrk.headers["If-Match"] = '"' .. version[sprint] .. '"'
  local path = "/api/v1/workspaces/" .. c.workspace .. "/products/" .. c.product_key(p) ..
    "/sprints/" .. sprint .. "/scope"
  return wrk.format("POST", path, nil,
    '{"add":"' .. add .. '","remove":"' .. remove .. '","reason":"benchmark swap"}')
end

function response(status, headers, body)
  local sprint = tonumber(body:match('"sprint_id":(%d+)'))
  local v = tonumber(body:match('"version":(%d+)'))
  if status == 200 and sprint and v then
    pending[sprint] = nil
    version[sprint] = v
    flipped[sprint] = not flipped[sprint]
  elseif status == 412 then
    -- Stale: the answer carries the sprint as it is now; retry from its version.
    local id = tonumber(body:match('"id":(%d+)'))
    if id and v then
      version[id] = v
      pending[id] = nil
    end
  end
end
