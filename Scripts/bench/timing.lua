-- Shared by the bench-*.sh scripts: time(f, n) runs f(i) n times, five times over,
-- and returns the median cost of one call in nanoseconds (os.clock, CPU time).
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

function M.row(label, ns, base)
  if base then
    print(string.format("%-44s %10.1f ns  (%.2f x)", label, ns, ns / base))
  else
    print(string.format("%-44s %10.1f ns", label, ns))
  end
end

return M
