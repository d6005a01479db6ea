#!/usr/bin/env bash
# Checks that busted can use svclab as its Lua interpreter (busted --lua=svclab):
# busted re-executes itself under svclab, which must behave as lua.c does.
#   Scripts/test-busted.sh [path/to/svclab]
# Ends with "busted: N passed, N failed"; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-.build/debug/svclab}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/interpreter_spec.lua" <<'LUA'
describe("svclab as busted's interpreter", function()
  it("runs plain Lua", function()
    assert.are.same({ 1, 2, { k = "v" } }, { 1, 2, { k = "v" } })
  end)
  it("has svclab's primitives", function()
    assert.is_function(help)
    assert.truthy(help():find("help%(%[name%]%)"))
  end)
  it("sees errors raised from Swift with their position", function()
    local ok, msg = pcall(function() help("nope") end)
    assert.is_false(ok)
    assert.truthy(msg:find("interpreter_spec.lua:%d+: help: no help for 'nope'"))
  end)
end)
LUA

set +e
out=$(cd "$work" && busted --lua="$bin" -o TAP interpreter_spec.lua 2>&1)
status=$?
set -e
echo "$out"
passed=$(grep -c '^ok ' <<<"$out" || true)
failed=$(grep -c '^not ok ' <<<"$out" || true)
if ((status != 0 || passed != 3)) && ((failed == 0)); then failed=1; fi
echo "busted: $passed passed, $failed failed"
((status == 0 && failed == 0 && passed == 3))
