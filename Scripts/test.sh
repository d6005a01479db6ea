#!/usr/bin/env bash
# Runs every test of svclab on a fresh machine: set-up, build, Swift tests, the REPL
# in a real terminal, busted compatibility, and the Lua tests and tutorials.
#   Scripts/test.sh
# The last line sums up: "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

Scripts/setup.sh --test || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# add_counts FILE STATUS: adds the numbers from the "N passed, N failed" line of
# FILE; a non-zero STATUS with no failure counted (or no such line) counts as one.
add_counts() {
  local summary p=0 f=0
  summary=$(grep -E '([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  if [ -n "$summary" ]; then
    p=$(sed -E 's/.*\b([0-9]+) passed.*/\1/' <<<"$summary")
    f=$(sed -E 's/.*\b([0-9]+) failed.*/\1/' <<<"$summary")
  fi
  if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
}

# counted NAME COMMAND...: a step whose output ends with a summary line.
counted() {
  local name=$1 status=0
  step "$@" || status=$?
  add_counts "$log/$name.out" "$status"
}

# step NAME COMMAND...: runs a step, shows its output, and fails it on a non-zero status.
step() {
  local name=$1
  shift
  echo "== $name"
  "$@" 2>&1 | tee "$log/$name.out"
  local status=${PIPESTATUS[0]}
  if ((status != 0)); then echo "== $name failed (status $status)"; fi
  return $status
}

if ! step build swift build; then
  echo "0 passed, 1 failed"
  exit 1
fi

# Swift tests (Swift Testing and XCTest); their own closing lines are printed.
if step swift-test swift test; then
  n=$(grep -oE 'Test run with [0-9]+ tests?' "$log/swift-test.out" | grep -oE '[0-9]+' | tail -1)
  passed=$((passed + ${n:-0}))
else
  issues=$(grep -oE 'with [0-9]+ issues?' "$log/swift-test.out" | grep -oE '[0-9]+' | tail -1)
  failed=$((failed + ${issues:-1}))
fi

bin=.build/debug/svclab
counted repl Scripts/test-repl.sh "$bin"
counted busted Scripts/test-busted.sh "$bin"

# Lua tests and runnable tutorials (paths that do not exist yet are skipped).
lua_paths=()
for p in Tests/lua Docs/tutorials; do [ -e "$p" ] && lua_paths+=("$p"); done
if ((${#lua_paths[@]} > 0)); then
  counted lua-tests "$bin" test "${lua_paths[@]}"
fi

# Any further test scripts: Scripts/test-*.sh other than the ones above.
for script in Scripts/test-*.sh; do
  case "$script" in Scripts/test-repl.sh | Scripts/test-busted.sh) continue ;; esac
  name=$(basename "$script" .sh)
  counted "$name" "$script" "$bin"
done

echo "$passed passed, $failed failed"
((failed == 0))
