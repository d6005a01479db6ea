-- connect from CLIENTS different client pods to SERVICES different Services (2 pods each),
-- no two calls alike: call c goes from client c % CLIENTS to Service (c + c // CLIENTS) %
-- SERVICES, and the counter runs on across the five timed loops.
local B = dofile(arg[0]:match("^(.*/)") .. "timing.lua")
local clients = tonumber(arg[1]) or 1000
local services = tonumber(arg[2]) or 1000
local n = tonumber(arg[3]) or 20000

reset{nodes = 20, podCIDR = "10.0.0.0/8"}
local vips = {}
for s = 1, services do
  createDeployment("app-" .. s, {replicas = 2, labels = {app = "app-" .. s},
    ports = {{containerPort = 8080}}})
  vips[s] = createService("app-" .. s, {selector = {app = "app-" .. s},
    ports = {{port = 80, targetPort = 8080}}}).clusterIP .. ":80"
end
local names = {}
for c = 1, clients do
  names[c] = "client-" .. c
  addPod(names[c], {labels = {role = "client"}})
end
assert(connect(names[1], vips[1]))

local c = 0
local conn = B.time(function()
  c = c + 1
  return connect(names[c % clients + 1], vips[(c + c // clients) % services + 1])
end, n)
assert(c <= clients * services, "calls repeat: lower CALLS")
B.row(string.format("connect, %d pods -> %d Services, all different", clients, services), conn)
