-- PATCH the title of seeded items; expects 200.
--
-- Every seeded item starts at version 1 and an edit must name the current
-- version (If-Match), so no two requests may race on one item. Each thread
-- owns the items whose index i satisfies i % BENCH_THREADS == thread id and
-- walks them in order (product = i % products + 1, number = i / products + 1).
-- When a thread has edited all of its items it starts over one version up,
-- so a fast server never runs out of items.
--
-- done() prints "bench-resume: c0,c1,..." (requests made per thread);
-- passing that as BENCH_RESUME lets the measured run continue where the
-- warm-up stopped instead of re-editing items it already bumped.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local c = require("common")

c.authorize()
c.json()
setup = c.setup

local prefix = "/api/v1/workspaces/" .. c.workspace .. "/items/"
local total = c.products * c.items
local owned = 0
-- wrk calls thread 0's request() once before the run, to count pipelined
-- requests, and never sends that one; it must not use up an item.
local unsent = false
-- Global, not local: done() reads it from each thread with thread:get().
edits = 0

function init(args)
  c.init()
  if c.id >= c.threads then
    error("BENCH_THREADS=" .. c.threads .. " is less than wrk -t; items would be edited twice")
  end
  -- Indexes id, id+T, id+2T, ... below total.
  owned = math.floor((total - 1 - c.id) / c.threads) + 1
  unsent = c.id == 0
  local resume = os.getenv("BENCH_RESUME") or ""
  local i = 0
  for v in string.gmatch(resume, "[^,]+") do
    if i == c.id then edits = tonumber(v) end
    i = i + 1
  end
end

function request()
  local k = edits
  if unsent then
    unsent = false
  else
    edits = edits + 1
  end
  local i = (k % owned) * c.threads + c.id
  local version = math.floor(k / owned) + 1
  local key = c.item_key(i % c.products + 1, math.floor(i / c.products) + 1)
  -- A headers argument replaces wrk.headers instead of adding to them.
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["If-Match"] = '"' .. version .. '"'
  return wrk.format("PATCH", prefix .. key, headers,
    string.format('{"title":"Edited %d"}', k * c.threads + c.id))
end

function done(summary, latency, requests)
  if #c.started ~= c.threads then
    io.write(string.format("edit.lua: wrk ran %d threads but BENCH_THREADS=%d\n", #c.started, c.threads))
  end
  local counts = {}
  for _, t in ipairs(c.started) do
    table.insert(counts, tostring(t:get("edits")))
  end
  io.write("bench-resume: " .. table.concat(counts, ",") .. "\n")
end
