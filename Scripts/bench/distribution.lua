-- distribution(from, "clusterIP:port", N) to a Service of 3 pods, in each proxy mode.
local n = tonumber(arg[1]) or 1000000
reset{}
createDeployment("web", {replicas = 3, labels = {app = "web"}, ports = {{containerPort = 8080}}})
local svc = createService("web", {selector = {app = "web"}, ports = {{port = 80, targetPort = 8080}}})
addPod("client", {labels = {app = "client"}})
local target = svc.clusterIP .. ":80"
for _, mode in ipairs{"iptables", "nftables"} do
  setProxyMode(mode)
  local runs = {}
  for r = 1, 3 do
    collectgarbage()
    local t0 = os.clock()
    local counts = distribution("client", target, n)
    runs[r] = os.clock() - t0
    local total = 0
    for _, v in pairs(counts) do total = total + v end
    assert(total == n)
  end
  table.sort(runs)
  print(string.format("%-44s %10.3f s  (%.2f M connections/s)",
    string.format("distribution(%s), %d connections", mode, n), runs[2], n / runs[2] / 1e6))
end
