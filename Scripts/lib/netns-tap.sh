# Shared by the test scripts that load svclab's rules into network namespaces of their own:
# TAP counters and lines, the closing "N passed, N failed" line, and namespaces named
# "$prefix-NAME" that are removed on exit with the scratch folder $work.
# Source it after setting `prefix`.
work=$(mktemp -d)
namespaces=()
passed=0
failed=0
skipped=0

cleanup() {
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1"; [[ -n "${2:-}" ]] && sed 's/^/# /' <<<"$2"; }
skip() { skipped=$((skipped + 1)); echo "ok - $1 # SKIP $2"; }
summary() {
  local line="$passed passed, $failed failed"
  ((skipped > 0)) && line+=", $skipped skipped"
  echo "$line"
}

# A fresh namespace in $ns, removed on exit (not run in a subshell, so the trap sees it).
newns() {
  ns="$prefix-$1"
  ip netns add "$ns" 2>/dev/null || return 1
  namespaces+=("$ns")
}
