-- Shared by the wrk scripts in this folder. Settings come from the
-- environment, which scripts/bench fills in, so a script can also be run by
-- hand: BENCH_TOKEN=... wrk -t2 -c16 -d20s -s scripts/bench-lua/item_api.lua http://127.0.0.1:PORT
--
--   BENCH_TOKEN      bearer token (every script but healthz.lua)
--   BENCH_WORKSPACE  workspace slug (default bench)
--   BENCH_PRODUCT    product of the backlog scripts (default P01)
--   BENCH_PRODUCTS   seeded products P01..Pnn (default 20)
--   BENCH_STRICT     the product seeded in strict tier order (default 2, i.e. P02)
--   BENCH_ITEMS      seeded items per product, numbered 1..n (default 5000)
--   BENCH_SEED       random seed; each thread adds its id so that runs repeat
--   BENCH_THREADS    edit.lua: must equal wrk -t (the items are split by thread)
--   BENCH_RESUME     edit.lua: per-thread counters printed by the previous run
local M = {}

local function number_env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  local n = tonumber(v)
  if n == nil then error(name .. " is not a number: " .. v) end
  return n
end

M.workspace = os.getenv("BENCH_WORKSPACE") or "bench"
M.backlog_product = os.getenv("BENCH_PRODUCT") or "P01"
M.products = number_env("BENCH_PRODUCTS", 20)
M.strict = number_env("BENCH_STRICT", 2)
M.items = number_env("BENCH_ITEMS", 5000)
M.seed = number_env("BENCH_SEED", 1)
M.threads = number_env("BENCH_THREADS", 2)

function M.authorize()
  local token = os.getenv("BENCH_TOKEN")
  if token == nil or token == "" then error("BENCH_TOKEN is not set") end
  wrk.headers["Authorization"] = "Bearer " .. token
end

function M.json()
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
end

function M.product_key(p)
  return string.format("P%02d", p)
end

function M.item_key(p, n)
  return string.format("P%02d-%d", p, n)
end

function M.random_item_key()
  return M.item_key(math.random(M.products), math.random(M.items))
end

-- wrk runs setup() in its main Lua state, once per thread and before that
-- thread's init(); thread:set() is the only way to hand a thread its id.
M.started = {}
function M.setup(thread)
  thread:set("thread_id", #M.started)
  table.insert(M.started, thread)
end

-- Runs in each thread's own state, where setup() left thread_id.
function M.init()
  M.id = thread_id or 0
  math.randomseed(M.seed + M.id)
end

return M
