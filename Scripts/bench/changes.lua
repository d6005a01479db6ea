-- N endpoint changes of one kind, each followed by a connect through the changed Service, on
-- a cluster built as scale.lua builds it, to be counted by callgrind (Scripts/bench-changes.sh),
-- which subtracts a run with N = 0, so the script does no timing of its own.
--   svclab Scripts/bench/changes.lua PODS N MODE [PER_SERVICE]
-- MODE: conn (a connect alone), flip (a readiness flip), up (scale +1), down (N scale +1,
-- then N scale -1: subtract an `up` run of the same N).
local B = dofile(arg[0]:match("^(.*/)") .. "timing.lua")
local pods = tonumber(arg[1]) or 1500
local n = tonumber(arg[2]) or 200
local mode = arg[3] or "flip"
local perService = tonumber(arg[4]) or 15
local nodes = 5000
local services = pods // perService
reset { nodes = nodes, podCIDR = "10.128.0.0/11" }
local vips = B.services(services, perService)
addPod("client", { node = "node-" .. nodes })
local names = {}
for i, e in ipairs(endpoints("app-1")) do names[i] = e.pod end
local target = vips[1]
assert(connect("client", target))
-- warm-up, the same in every run
for i = 1, 50 do
  setPodReady(names[(i // 2) % #names + 1], i % 2 == 0)
  connect("client", target)
end
local replicas = {}
local function scaleBy(i, delta)
  local d = i % 50 + 2
  replicas[d] = (replicas[d] or perService) + delta
  scale("app-" .. d, replicas[d])
  return d
end
if mode == "conn" then
  for _ = 1, n do connect("client", target) end
elseif mode == "flip" then
  for i = 1, n do
    setPodReady(names[(i // 2) % #names + 1], i % 2 == 0)
    connect("client", target)
  end
elseif mode == "up" or mode == "down" then
  for i = 1, n do connect("client", vips[scaleBy(i, 1)]) end
  if mode == "down" then
    for i = 1, n do connect("client", vips[scaleBy(i, -1)]) end
  end
else
  error("mode must be conn, flip, up or down")
end
