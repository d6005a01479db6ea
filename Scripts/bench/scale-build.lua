-- The build part of scale.lua alone, for profiling: reset with NODES nodes, then PODS pods in
-- Deployments of 15, each behind its own Service, through createDeployment and createService.
-- Prints the build's CPU time and the peak RSS (VmHWM).
--   svclab Scripts/bench/scale-build.lua [PODS] [NODES]
local B = dofile(arg[0]:match("^(.*/)") .. "timing.lua")
local pods = tonumber(arg[1]) or 15000
local nodes = tonumber(arg[2]) or 500
local perService = 15
reset { nodes = nodes, podCIDR = "10.128.0.0/11" }
local t0 = os.clock()
B.services(pods // perService, perService)
local build = os.clock() - t0
print(string.format("build %.3f s (%.2f us per pod)", build, build / pods * 1e6))
local f = io.open("/proc/self/status")
if f then
  local hwm = f:read("a"):match("VmHWM:%s*(%d+)")
  f:close()
  if hwm then print(string.format("peak RSS (VmHWM) %.0f MiB", tonumber(hwm) / 1024)) end
end
