-- Kubernetes' documented limits, built through the primitives a user calls: NODES nodes,
-- PODS pods in Deployments of 15 behind one Service each (150,000 pods = 10,000 Services).
-- Prints the build's CPU time and the per-change costs end to end (the change, then a
-- connect through the changed Service so that kube-proxy syncs on the client's node, minus
-- the connect alone), then the time to render one node's rules in iptables and nftables mode.
--   svclab Scripts/bench/scale.lua PODS [NODES] [CHANGES]
local B = dofile(arg[0]:match("^(.*/)") .. "timing.lua")
local pods = tonumber(arg[1]) or 1500
local nodes = tonumber(arg[2]) or 5000
local n = tonumber(arg[3]) or 1000
local perService = 15
local services = pods // perService

local t0 = os.clock()
reset { nodes = nodes, podCIDR = "10.128.0.0/11" }
local resetTime = os.clock() - t0
t0 = os.clock()
local vips = B.services(services, perService)
local build = os.clock() - t0
addPod("client", { node = "node-" .. nodes })

local c = cluster().counts
print(string.format("%d nodes, %d pods, %d Services (%d pods each)", c.nodes, c.pods, c.services, perService))
print(string.format("%-44s %10.3f s", "reset (nodes, system objects)", resetTime))
print(string.format("%-44s %10.3f s  (%.2f us per pod)", "build (createDeployment + createService)", build,
  build / pods * 1e6))

local names = {}
for i, e in ipairs(endpoints("app-1")) do names[i] = e.pod end
local target = vips[1]
assert(connect("client", target))
local others = math.min(services - 1, 50)
local function other(i) return i % others + 2 end

local conn = B.time(function() connect("client", target) end, n)
local flipConn = B.time(function(i)
  setPodReady(names[(i // 2) % #names + 1], i % 2 == 0)
  connect("client", target)
end, n)
local connOther = B.time(function(i) connect("client", vips[other(i)]) end, n)
-- one pod added (scale +1) then deleted (scale -1), in turn over 50 Deployments
local replicas = {}
local upConn = B.time(function(i)
  local d = other(i)
  replicas[d] = (replicas[d] or perService) + 1
  scale("app-" .. d, replicas[d])
  connect("client", vips[d])
end, n // 10)
local downConn = B.time(function(i)
  local d = other(i)
  replicas[d] = replicas[d] - 1
  scale("app-" .. d, replicas[d])
  connect("client", vips[d])
end, n // 10)
-- a pod deleted: the Deployment replaces it at once (one endpoint out, one in)
local delConn = B.time(function(i)
  local d = other(i)
  local e = endpoints("app-" .. d)
  deletePod(e[1].pod)
  connect("client", vips[d])
end, n // 10)
local eps = B.time(function(i) endpoints("app-" .. other(i)) end, n)

B.row("connect alone", conn)
B.row("  => one readiness change, end to end", flipConn - conn)
B.row("  => scale +1 (a pod added), end to end", upConn - connOther)
B.row("  => scale -1 (a pod deleted), end to end", downConn - connOther)
B.row("  => deletePod (replaced), end to end", delConn - connOther - eps)

local function render(f, reps)
  local runs = {}
  for r = 1, reps do
    collectgarbage()
    local t = os.clock()
    local text = f()
    runs[r] = os.clock() - t
    runs.bytes, runs.lines = #text, select(2, text:gsub("\n", "\n"))
  end
  table.sort(runs)
  return runs[(reps + 1) // 2], runs.bytes, runs.lines
end
local node = "node-" .. nodes
local ipt, iptBytes, iptLines = render(function() return iptablesSave(node) end, 3)
print(string.format("%-44s %10.3f s  (%d lines, %d bytes)", "iptablesSave(" .. node .. ")", ipt, iptLines, iptBytes))
setProxyMode("nftables")
local nft, nftBytes, nftLines = render(function() return nftRuleset(node) end, 3)
print(string.format("%-44s %10.3f s  (%d lines, %d bytes)", "nftRuleset(" .. node .. ")", nft, nftLines, nftBytes))
-- what kube-proxy would write on the node for one readiness change, in each mode
local flipTo = not getPod(names[1]).ready
local w = proxyWork(node, function() setPodReady(names[1], flipTo) end)
print(string.format("one readiness change, iptables: %d rules in %d chains, %d bytes to iptables-restore",
  w.iptables.rules, w.iptables.chains, w.iptables.bytes))
print(string.format("one readiness change, IPVS: %d real server added or removed, %d bytes of iptables rules",
  w.ipvs.realServersRemoved + w.ipvs.realServersAdded, w.ipvs.iptablesBytes))
print(string.format("one readiness change, nftables: %d rules in %d chains, %d chain deleted, %d bytes to nft",
  w.nftables.rules, w.nftables.chains, w.nftables.deletedChains, w.nftables.bytes))
print(string.format("node rules: iptables %d, IPVS %d virtual / %d real servers, nftables %d rules + %d elements",
  w.iptables.total, w.ipvs.virtualServers, w.ipvs.realServers, w.nftables.total, w.nftables.elements))
local f = io.open("/proc/self/status")
if f then
  local status = f:read("a")
  f:close()
  local hwm = status:match("VmHWM:%s*(%d+)")
  if hwm then print(string.format("%-44s %10.0f MiB", "peak RSS (VmHWM)", tonumber(hwm) / 1024)) end
end
