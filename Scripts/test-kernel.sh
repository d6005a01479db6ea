#!/usr/bin/env bash
# The lab on the real kernel: Tests/kernel/matrix.lua builds a 3-node cluster in network
# namespaces (materialize()) and checks, case by case, that the kernel's outcome equals the
# lab's and that every chain the traces name counted packets. Then checks that nothing is
# left behind. Needs root and network namespaces; skips with the reason otherwise.
#   Scripts/test-kernel.sh path/to/svclab
# Ends with "N passed, N failed" (", N skipped" where any).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-.build/debug/svclab}")
# Not under svl-: a sweep of the default prefix must not take this run's namespaces.
export SVCLAB_NETNS_PREFIX="svk$$-"

skip_all() {
  echo "ok - the lab on the kernel # SKIP $1"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "not root: network namespaces need root"
command -v ip >/dev/null || skip_all "iproute2 (ip) is not installed"
ip netns add "${SVCLAB_NETNS_PREFIX}probe" 2>/dev/null || skip_all "cannot create a network namespace here"
ip netns del "${SVCLAB_NETNS_PREFIX}probe"

cleanup() { "$bin" down >/dev/null 2>&1; }
trap cleanup EXIT INT TERM

out=$(timeout 600 "$bin" test Tests/kernel/matrix.lua 2>&1)
status=$?
echo "$out" | sed '$d'
summary=$(echo "$out" | tail -1)
passed=$(sed -nE 's/^([0-9]+) passed.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$summary")
skipped=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$summary")
passed=${passed:-0}; failed=${failed:-0}; skipped=${skipped:-0}
if [ -z "$summary" ] || { [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
  echo "not ok - svclab test Tests/kernel/matrix.lua (status $status)"
  failed=$((failed + 1))
fi

ok() { echo "ok - $1"; passed=$((passed + 1)); }
notok() { echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/# /' <<<"$2"; failed=$((failed + 1)); }
count_left() { ip netns list | grep -c "^${SVCLAB_NETNS_PREFIX}" || true; }
# Up to 3 s for the run's guardian to finish sweeping.
wait_clean() { for _ in $(seq 30); do [ "$(count_left)" -eq 0 ] && return 0; sleep 0.1; done; return 1; }

# `svclab up` without root explains what it needs and stops.
if command -v setpriv >/dev/null; then
  msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" up 2>&1)
  st=$?
  if [ "$st" -ne 0 ] && grep -q "needs root" <<<"$msg"; then ok "svclab up without root: $msg"
  else notok "svclab up without root stops with a reason" "status $st: $msg"; fi
fi

# `svclab up SCRIPT` killed with SIGTERM leaves nothing behind (under a prefix of its own).
wait_clean
main_prefix=$SVCLAB_NETNS_PREFIX
export SVCLAB_NETNS_PREFIX="svk$$u-"
lab=$(mktemp --suffix=.lua)
printf 'addPod("web-1", { ports = { { containerPort = 8080 } } })\n' >"$lab"
fifo=$(mktemp -u)
mkfifo "$fifo"
exec 3<>"$fifo"  # its standard input stays open: the REPL waits, as on a terminal
upout=$(mktemp)
"$bin" up "$lab" <&3 >"$upout" 2>&1 &
up_pid=$!
for _ in $(seq 300); do grep -q "the lab is on the kernel" "$upout" && break; sleep 0.1; done
built=$(count_left)
kill -TERM "$up_pid" 2>/dev/null
wait "$up_pid" 2>/dev/null
exec 3>&-
if [ "$built" -ge 3 ] && wait_clean; then ok "svclab up built $built namespaces; SIGTERM removed them all"
else notok "svclab up then SIGTERM leaves nothing" "built $built, left $(count_left): $(cat "$upout")"; fi
rm -f "$lab" "$fifo" "$upout"
"$bin" down >/dev/null 2>&1
export SVCLAB_NETNS_PREFIX=$main_prefix

# Nothing may be left behind: no namespace under the prefix, no /etc/netns directory.
wait_clean
left=$(count_left)
etc=$(ls -d /etc/netns/"${SVCLAB_NETNS_PREFIX}"* 2>/dev/null | wc -l)
if [ "$left" -eq 0 ] && [ "$etc" -eq 0 ]; then
  echo "ok - nothing left behind after the run"
  passed=$((passed + 1))
else
  echo "not ok - $left namespaces and $etc /etc/netns directories left behind"
  failed=$((failed + 1))
fi

line="$passed passed, $failed failed"
((skipped > 0)) && line+=", $skipped skipped"
echo "$line"
((failed == 0))
