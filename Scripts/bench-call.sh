#!/usr/bin/env bash
# Measures, in one release-built process, what a call from Lua costs into an empty
# Swift function (behind the error trampoline) and into an empty C function.
#   Scripts/bench-call.sh [ITERATIONS]
# SVCLAB=path/to/svclab measures that binary instead of building the release one.
# Prints ns per call for each (median of 5 runs) and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000000}
bin=${SVCLAB:-}
if [ -z "$bin" ]; then
  swift build -c release --product svclab >/dev/null
  bin=.build/release/svclab
fi
"$bin" --bench -e "
local n = $n
local function time(f)
  local runs = {}
  for r = 1, 5 do
    local t0 = os.clock()
    for i = 1, n do f(i) end
    runs[r] = (os.clock() - t0) / n * 1e9
  end
  table.sort(runs)
  return runs[3]
end
local function lua(x) return x end
local empty = time(function() end)
local c = time(_bench.c)
local swift = time(_bench.swift)
print(string.format('iterations        %d (median of 5)', n))
print(string.format('Lua function      %.1f ns/call', time(lua)))
print(string.format('empty C function  %.1f ns/call', c))
print(string.format('empty Swift func  %.1f ns/call', swift))
print(string.format('ratio Swift / C   %.2f', swift / c))
"
