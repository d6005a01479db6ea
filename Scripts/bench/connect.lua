-- connect from a pod to a ClusterIP:port, against an empty Lua->C call and plain Lua
-- building a table shaped like connect's result.
local B = dofile(arg[0]:match("^(.*/)") .. "timing.lua")
local n = tonumber(arg[1]) or 100000

reset{}
createDeployment("web", {replicas = 3, labels = {app = "web"}, ports = {{containerPort = 8080}}})
local svc = createService("web", {selector = {app = "web"}, ports = {{port = 80, targetPort = 8080}}})
addPod("client", {labels = {app = "client"}})
local target = svc.clusterIP .. ":80"
local sample = assert(connect("client", target))

local c = _bench.c
local empty = B.time(function() c("client", target) end, n)
local hops = sample.hops
local plain = B.time(function(i)
  return {
    pod = "web-7548588f9f-zfj6x", namespace = "default", podIP = "10.244.0.2", port = 8080,
    servicePort = 80, node = "node-1", entryNode = "node-3", service = "web",
    sourceIP = "10.244.2.2", id = i, kept = false,
    hops = {hops[1], hops[2], hops[3], hops[4], hops[5], hops[6], hops[7]},
  }
end, n)
local conn = B.time(function() return connect("client", target) end, n)

print(string.format("connect(\"client\", \"%s\"): %d hops; %d calls, median of 5", target, #hops, n))
B.row("(a) empty Lua->C call", empty)
B.row("(b') plain Lua, table shaped like the result", plain)
B.row("connect(pod, clusterIP:port)", conn)
print(string.format("connect / (b') = %.2f (target <= 2), connect / (a) = %.1f", conn / plain, conn / empty))
