-- roadmap_page.lua as a browser asks for it: every current browser but Safari takes zstd, and the
-- server's compression is then part of each answer's cost.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "roadmap_page.lua")
wrk.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"
