# TAP lines for the test scripts. Source it after setting `suite` (the name before " › " and
# in the closing line).
#   result NAME STATUS [DETAILS]: "ok N - SUITE › NAME", or "not ok …" with up to 20 lines
#     of DETAILS below it;
#   finish: the plan and "SUITE: N passed, N failed"; non-zero when any failed.
passed=0
failed=0
number=0

result() {
  number=$((number + 1))
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok $number - $suite › $1"
  else
    failed=$((failed + 1))
    echo "not ok $number - $suite › $1"
    if [ -n "${3:-}" ]; then sed 's/^/#   | /' <<<"$3" | head -20; fi
  fi
}

finish() {
  echo "1..$number"
  echo "$suite: $passed passed, $failed failed"
  ((failed == 0))
}
