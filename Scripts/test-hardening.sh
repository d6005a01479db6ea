#!/usr/bin/env bash
# Inputs that once crashed svclab, kept as tests: every input class ends in an error message (or a
# normal result) with exit status below 128, no "Program crashed", within 60 s and 2 GiB of
# address space (ulimit -v), the cluster unchanged; from `svclab -e`, from a script, and from
# the REPL in a real terminal (tmux, as Scripts/test-repl.sh drives it).
#   Scripts/test-hardening.sh [path/to/svclab]
# Prints TAP and ends with "hardening: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${1:-.build/debug/svclab}")
work=$(mktemp -d)
session=repl
timeout=60
# shellcheck source=Scripts/lib/tmux.sh
. Scripts/lib/tmux.sh
passed=0
failed=0
number=0

ok() { number=$((number + 1)); passed=$((passed + 1)); echo "ok $number - $1"; }
notok() {
  number=$((number + 1)); failed=$((failed + 1)); echo "not ok $number - $1"
  shift
  for l in "$@"; do printf '%s\n' "$l" | head -c 3000 | sed 's/^/#   /'; done
}

# The inputs. A deep Lua table is built in a loop (a literal that deep does not compile).
cat >"$work/lib.lua" <<'EOF'
function deep(n) local t = {} for _ = 1, n do t = { t } end return t end
function deepmap(n, k) local t = {} for _ = 1, n do t = { [k] = t } end return t end
function big(n) local s, t = ("x"):rep(200), {} for i = 1, n do t[i] = s end return t end
function snapshot() return #pods({ allNamespaces = true }) .. "/" .. #services({ allNamespaces = true }) .. "/" .. #nodes() end
EOF
python3 - "$work" <<'EOF'
import sys
d = sys.argv[1]
# 100,000 nested flow sequences in a Service's ports.
with open(d + "/deep.yaml", "w") as f:
    f.write("apiVersion: v1\nkind: Service\nmetadata: {name: deep}\nspec:\n  ports: " + "[" * 100000 + "]" * 100000 + "\n")
# Billion laughs: nine levels of nine aliases (about 1 KB), 9^9 strings if expanded.
lines = ["apiVersion: v1", "kind: Service", "metadata: {name: lol}", "spec:",
         '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
prev = "a"
for c in "bcdefghi":
    lines.append("  %s: &%s [%s]" % (c, c, ",".join(["*" + prev] * 9)))
    prev = c
with open(d + "/laughs.yaml", "w") as f:
    f.write("\n".join(lines) + "\n")
# The same nesting as JSON.
with open(d + "/deep.json", "w") as f:
    f.write('{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "j"}, "spec": {"ports": ' + "[" * 100000 + "]" * 100000 + "}}\n")
EOF

# A lab file is data: its chunk runs on loadLab's instruction budget.
loop_lab="local f = io.open('$work/loop.lua', 'w') f:write('while true do end')"
loop_lab+=" f:close() loadLab('$work/loop.lua')"
loop_error="loadLab: $work/loop.lua: instruction budget exceeded (200000000 instructions)"

# name|chunk|expected text in the output. Every chunk runs after lib.lua, prints the
# snapshot before and after, and ends by checking the invariants.
cases=(
  "deep ports table into createService|createService('x', { ports = deep(200000) })|createService: spec.ports: nested too deeply (limit 200)"
  "deep labels into addPod|addPod('p', { labels = deepmap(200000, 'app') })|addPod: opts.labels: nested too deeply (limit 200)"
  "deep labels into createService|createService('x', { selector = deepmap(200000, 'a') })|createService: spec.selector: nested too deeply (limit 200)"
  "deep table into dnsConfig|dnsConfig(deep(200000))|dnsConfig: opts[0]: nested too deeply (limit 200)"
  "deep table into apply|apply(deep(200000))|apply: bad argument #1 (string expected, got table)"
  "deep table into createEndpointSlice|createEndpointSlice('s', { endpoints = deep(300) })|createEndpointSlice: opts.endpoints: nested too deeply (limit 200)"
  "deep YAML flow sequences in apply|apply('$work/deep.yaml')|yaml: line 5: nested too deeply (limit 200)"
  "deep JSON in apply|apply('$work/deep.json')|yaml: line 1: nested too deeply (limit 200)"
  "YAML billion laughs in apply|apply('$work/laughs.yaml')|document contains excessive aliasing"
  "an endless loop in a loaded lab file|$loop_lab|$loop_error"
  "deep table from a loaded lab file|local f = io.open('$work/lab.lua', 'w') f:write('return {version=1, random=1, calls={{call=\"reset\", random=1, args={}}, {call=\"createService\", random=1, args={\"x\", {ports=(function() local t = {} for _ = 1, 100000 do t = {t} end return t end)()}}}}}') f:close() loadLab('$work/lab.lua')|nested too deeply (limit 200)"
)

run_e() { (ulimit -v 2097152; timeout 60 "$bin" "$@" 2>&1); }

for c in "${cases[@]}"; do
  IFS='|' read -r name chunk expect <<<"$c"
  for how in -e script; do
    prog="dofile('$work/lib.lua') addNode('n9') local before = snapshot()
local ok, err = pcall(function() $chunk end)
print(ok, err)
print('unchanged:', snapshot() == before, checkInvariants())"
    if [ "$how" = -e ]; then
      out=$(run_e -e "$prog"); status=$?
    else
      printf '%s\n' "$prog" >"$work/case.lua"
      out=$(run_e "$work/case.lua"); status=$?
    fi
    label="$name ($how)"
    if ((status >= 124)) || grep -q "Program crashed" <<<"$out"; then
      notok "$label: status $status" "$out"
    elif ! grep -qF -- "$expect" <<<"$out"; then
      notok "$label: expected \"$expect\"" "$out"
    elif ! grep -q "unchanged:	true	true" <<<"$out"; then
      notok "$label: the cluster changed" "$out"
    else
      ok "$label"
    fi
  done
done

# --max-memory counts what a primitive builds on the Swift side: 900,000 copies of one
# 200-byte string take about 16 MiB in Lua (one string, shared) and far more than 100 MiB
# once each is a Swift string; the error is
# catchable and nothing changes. Lua alone is still capped as before.
mem_prog="dofile('$work/lib.lua') local t = big(900000) local before = snapshot()
local ok, err = pcall(createService, 'm', { ports = t })
print(ok, err)
print('unchanged:', snapshot() == before, checkInvariants())
t = nil collectgarbage()
print('after:', pcall(createService, 'ok', { ports = { { port = 80 } } }))"
out=$(run_e --max-memory 100M -e "$mem_prog"); status=$?
if ((status < 124)) && grep -q "createService: not enough memory" <<<"$out" && grep -q "unchanged:	true	true" <<<"$out" \
  && grep -q "after:	true" <<<"$out"; then
  ok "--max-memory counts Swift-side allocations; pcall catches it; the cluster is as it was"
else
  notok "--max-memory counts Swift-side allocations (status $status)" "$out"
fi

# The REPL: an error or an out-of-memory inside a chunk returns to the prompt with the
# cluster intact.
check() {
  if wait_for "$2" "${3:-1}"; then ok "repl › $1"; else notok "repl › $1" "$(screen | tail -20)"; fi
}
tm new-session -d -s repl -x 200 -y 50 \
  "bash -c 'ulimit -v 2097152; env SVCLAB_HISTORY=$work/history NO_COLOR=1 TERM=xterm $bin --max-memory 100M; echo REPL-EXITED \$?; sleep 600'"
if wait_for "svclab> "; then
  line "dofile('$work/lib.lua') addNode('n9') createDeployment('web', { replicas = 2 }) before = snapshot()"
  line "createService('x', { ports = deep(200000) })"
  check "a deep table is an error, not a crash" "createService: spec.ports: nested too deeply (limit 200)"
  line "apply('$work/deep.yaml')"
  check "deep YAML is an error" "yaml: line 5: nested too deeply (limit 200)"
  line "apply('$work/laughs.yaml')"
  check "the billion laughs is an error" "document contains excessive aliasing"
  line "t = big(900000) createService('m', { ports = t })"
  check "out of memory on the Swift side is an error" "createService: not enough memory"
  line "t = nil collectgarbage() s = {} for i = 1, 1e9 do s[i] = i end"
  check "out of memory in Lua is an error" "not enough memory" 2
  line "s = nil collectgarbage() print('intact:' .. tostring(snapshot() == before) .. ',' .. tostring(checkInvariants()))"
  check "back at the prompt with the cluster intact" "intact:true,true"
  if screen | grep -q "REPL-EXITED\|Program crashed"; then notok "repl › still running" "$(screen | tail -20)"; else ok "repl › still running"; fi
else
  notok "repl › starts" "$(screen)"
fi

echo "hardening: $passed passed, $failed failed"
((failed == 0))
