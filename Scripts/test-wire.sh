#!/usr/bin/env bash
# DNS on the wire: serveDNS answers dig and dnspython (UDP and TCP) exactly as resolve answers,
# record kind by record kind (Tests/wire/table.lua, Tests/wire/compare.py), then glibc's and
# musl's resolvers in network namespaces (Tests/wire/netns.sh, when run as root).
#   Scripts/test-wire.sh [SVCLAB]
# Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/svclab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
count() {
  local summary
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  if [ -n "$summary" ]; then
    passed=$((passed + $(cut -d' ' -f1 <<<"$summary")))
    failed=$((failed + $(cut -d' ' -f3 <<<"$summary")))
  fi
  if [ "$2" -ne 0 ] && { [ -z "$summary" ] || [ "$(cut -d' ' -f3 <<<"$summary")" = 0 ]; }; then
    failed=$((failed + 1))
  fi
}
status=0
timeout 300 "$bin" Tests/wire/table.lua "$tmp" >"$tmp/table.out" 2>&1 || status=$?
cat "$tmp/table.out"
count "$tmp/table.out" "$status"
if [ -x Tests/wire/netns.sh ]; then
  status=0
  timeout 300 Tests/wire/netns.sh "$bin" >"$tmp/netns.out" 2>&1 || status=$?
  cat "$tmp/netns.out"
  count "$tmp/netns.out" "$status"
fi
echo "$passed passed, $failed failed"
((failed == 0))
