-- traceRules over one node's iptables-save text of a cluster of SERVICES Services (Deployments
-- of 15 pods each, built as scale.lua builds them): the time to read the dump and walk one
-- packet to a ClusterIP through it. Not a test: the figures go to Docs/Benchmarks.md.
--   svclab Scripts/bench/trace-rules.lua SERVICES
local B = dofile(arg[0]:match("^(.*/)") .. "timing.lua")
local services = tonumber(arg[1]) or 1000
reset { nodes = math.max(50, services * 15 // 80), podCIDR = "10.128.0.0/11" }
local vips = B.services(services, 15)
addPod("client", { node = "node-1" })
local text = iptablesSave("node-1")
local ip, port = vips[1]:match("^(.*):(%d+)$")
local t = os.clock()
local r = traceRules(text, { src = getPod("client").ip, dst = ip, dport = tonumber(port) })
local lines = select(2, text:gsub("\n", "\n"))
print(string.format("%d Services, %d lines, %d bytes: traceRules %.3f s (%s, %d steps)",
  services, lines, #text, os.clock() - t, r.verdict, #r.steps))
