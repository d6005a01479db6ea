-- Shared by the bench-*.sh scripts: time(f, n) runs f(i) n times, five times over,
-- and returns the median cost of one call in nanoseconds (os.clock, CPU time);
-- services(count, perService) builds the benchmarks' cluster.
local M = {}

function M.time(f, n)
  local runs = {}
  for r = 1, 5 do
    collectgarbage()
    local t0 = os.clock()
    for i = 1, n do f(i) end
    runs[r] = (os.clock() - t0) / n * 1e9
  end
  table.sort(runs)
  return runs[3]
end

-- Deployments app-1 .. app-COUNT of PER_SERVICE pods (containerPort 8080), each behind its
-- own Service (port 80 to 8080), through createDeployment and createService only; returns
-- the Services' "clusterIP:80" targets in order.
function M.services(count, perService)
  local vips = {}
  for d = 1, count do
    createDeployment("app-" .. d, { replicas = perService, labels = { app = "app-" .. d },
      ports = { { containerPort = 8080 } } })
    local s = createService("app-" .. d, { selector = { app = "app-" .. d },
      ports = { { port = 80, targetPort = 8080 } } })
    vips[d] = s.clusterIP .. ":80"
  end
  return vips
end

function M.row(label, ns, base)
  if base then
    print(string.format("%-44s %10.1f ns  (%.2f x)", label, ns, ns / base))
  else
    print(string.format("%-44s %10.1f ns", label, ns))
  end
end

return M
