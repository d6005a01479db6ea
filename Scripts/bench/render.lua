-- One node's rules rendered at scale: SERVICES Services of 15 pods each on NODES nodes (the
-- cluster of scale.lua), then iptablesSave, nftRuleset and ipvsadm of the last node REPS times
-- each (median CPU time), then proxyWork for one readiness change, then the peak RSS.
-- With REPS = 0 it only builds: the difference of two callgrind runs (REPS 0 and 2) is the
-- cost of the renders alone.
--   svclab Scripts/bench/render.lua [SERVICES] [NODES] [REPS]
local B = dofile(arg[0]:match("^(.*/)") .. "timing.lua")
local services = tonumber(arg[1]) or 10000
local nodes = tonumber(arg[2]) or 5000
local reps = tonumber(arg[3]) or 3
local perService = 15

reset { nodes = nodes, podCIDR = "10.128.0.0/11" }
B.services(services, perService)
local node = "node-" .. nodes
print(string.format("%d Services x %d pods on %d nodes; rendering %s %d times",
  services, perService, nodes, node, reps))
if reps == 0 then return end

local function render(label, f)
  local runs = {}
  local bytes, lines
  for r = 1, reps do
    collectgarbage()
    local t = os.clock()
    local text = f()
    runs[r] = os.clock() - t
    bytes, lines = #text, select(2, text:gsub("\n", "\n"))
  end
  table.sort(runs)
  print(string.format("%-28s %8.3f s  (%d lines, %d bytes)", label, runs[(reps + 1) // 2],
    lines, bytes))
end

render("iptablesSave(" .. node .. ")", function() return iptablesSave(node) end)
setProxyMode("nftables", { node = node })
render("nftRuleset(" .. node .. ")", function() return nftRuleset(node) end)
setProxyMode("ipvs", { node = node })
render("ipvsadm(" .. node .. ")", function() return ipvsadm(node) end)
setProxyMode("iptables", { node = node })

local pod = endpoints("app-1")[1].pod
local t = os.clock()
local w = proxyWork(node, function() setPodReady(pod, not getPod(pod).ready) end)
print(string.format("%-28s %8.3f s", "proxyWork(readiness change)", os.clock() - t))
print(string.format("  iptables %d rules %d chains %d bytes, total %d", w.iptables.rules,
  w.iptables.chains, w.iptables.bytes, w.iptables.total))
print(string.format("  nftables %d rules %d chains %d bytes, total %d + %d elements",
  w.nftables.rules, w.nftables.chains, w.nftables.bytes, w.nftables.total, w.nftables.elements))
local f = io.open("/proc/self/status")
if f then
  local hwm = f:read("a"):match("VmHWM:%s*(%d+)")
  f:close()
  if hwm then print(string.format("%-28s %8.0f MiB", "peak RSS (VmHWM)", tonumber(hwm) / 1024)) end
end
