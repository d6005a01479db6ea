-- The cost of one endpoint change on a cluster of PODS pods (100 per Deployment, each
-- behind its own Service): a pod flipping readiness, and a pod added by scaling a
-- Deployment. Each change goes through the EndpointSlice controller, the DNS follower and
-- the kube-proxy follower; a connect through the changed Service then makes kube-proxy
-- sync and decide on the client's node. The change's cost is (change + connect) minus
-- connect alone. Targets are ClusterIP:port (no DNS lookup in the connect).
local B = dofile(arg[0]:match("^(.*/)") .. "timing.lua")
local pods = tonumber(arg[1]) or 1000
local n = tonumber(arg[2]) or 2000
local perService = 100
local deployments = pods // perService
local nodes = math.max(3, math.ceil(pods / 240))

reset{nodes = nodes, podCIDR = "10.0.0.0/8"}
local t0 = os.clock()
local vips = B.services(deployments, perService)
addPod("client", {labels = {role = "client"}})
local setup = os.clock() - t0

local eps = endpoints("app-1")
local names = {}
for i, e in ipairs(eps) do names[i] = e.pod end
local target = vips[1]
assert(connect("client", target))

local conn = B.time(function() connect("client", target) end, n)
local flip = B.time(function(i)
  setPodReady(names[(i // 2) % #names + 1], i % 2 == 0)
end, n)
local flipConn = B.time(function(i)
  setPodReady(names[(i // 2) % #names + 1], i % 2 == 0)
  connect("client", target)
end, n)
-- scaling adds one pod per step, to each Deployment but app-1 in turn, so that no
-- Deployment grows by more than a few pods
local replicas = {}
local function grow(i)
  local d = i % math.min(deployments - 1, 50) + 2
  replicas[d] = (replicas[d] or perService) + 1
  scale("app-" .. d, replicas[d])
  return d
end
local add = B.time(function(i) grow(i) end, n // 10)
local addConn = B.time(function(i) connect("client", vips[grow(i)]) end, n // 10)
local connOther = B.time(function(i) connect("client", vips[i % math.min(deployments - 1, 50) + 2]) end, n)

print(string.format("pods %d (%d nodes, %d Services of %d pods), built in %.2f s (%.1f us per pod)",
  pods, nodes, deployments, perService, setup, setup / pods * 1e6))
B.row("connect alone", conn)
B.row("setPodReady flip (cluster + DNS + proxy record)", flip)
B.row("setPodReady flip + connect (sync + decision)", flipConn)
B.row("  => one readiness change, end to end", flipConn - conn)
B.row("scale +1 pod", add)
B.row("scale +1 pod + connect", addConn)
B.row("connect alone (to the scaled Services)", connOther)
B.row("  => one pod added, end to end", addConn - connOther)
