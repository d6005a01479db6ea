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
# svclab dns: serves what the script built until SIGTERM, then exits 0; the wildcard is refused.
cli() {
  local p=0 f=0 out="$tmp/cli.out" port addr answer
  "$bin" dns --listen 127.0.0.1:0 Tests/wire/podlab.lua >"$out" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do grep -q "serving on" "$out" && break; sleep 0.2; done
  addr=$(sed -n 's/.*serving on \([^ ]*\).*/\1/p' "$out")
  port=${addr##*:}
  answer=$(dig @127.0.0.1 -p "$port" +short +tries=1 +time=3 web.default.svc.cluster.local)
  if [ -n "$answer" ]; then p=$((p + 1)); echo "ok    svclab dns answers dig ($answer)"; else f=$((f + 1)); echo "FAIL  svclab dns: no answer on $addr: $(cat "$out")"; fi
  kill -TERM "$pid"
  if wait "$pid"; then p=$((p + 1)); echo "ok    svclab dns stops on SIGTERM with status 0"; else f=$((f + 1)); echo "FAIL  svclab dns exit status on SIGTERM"; fi
  if "$bin" dns --listen 0.0.0.0:0 Tests/wire/podlab.lua >"$tmp/wild.out" 2>&1; then
    f=$((f + 1)); echo "FAIL  svclab dns accepted the wildcard address"
  elif grep -q "refusing to listen on the wildcard address" "$tmp/wild.out"; then
    p=$((p + 1)); echo "ok    svclab dns refuses 0.0.0.0"
  else
    f=$((f + 1)); echo "FAIL  svclab dns wildcard: $(cat "$tmp/wild.out")"
  fi
  echo "$p passed, $f failed"
}
status=0
cli >"$tmp/cli-all.out" 2>&1 || status=$?
cat "$tmp/cli-all.out"
count "$tmp/cli-all.out" "$status"
if [ -x Tests/wire/netns.sh ]; then
  status=0
  timeout 300 Tests/wire/netns.sh "$bin" >"$tmp/netns.out" 2>&1 || status=$?
  cat "$tmp/netns.out"
  count "$tmp/netns.out" "$status"
fi
echo "$passed passed, $failed failed"
((failed == 0))
