#!/usr/bin/env bash
# Drives `svclab tutorial` through a real terminal (tmux) and checks what a learner
# sees: the introduction and a pause, the first step after Enter and the pause, nothing
# more until Enter, the next step after Enter, `q` to quit; no assertion on screen; a
# step taller than the terminal repeating its heading; colour on a terminal but not
# with NO_COLOR; and, without a terminal, every tutorial running straight through
# without showing a check.
#   Scripts/test-tutorial-tty.sh [path/to/svclab]
# Prints TAP and ends with "tutorial-tty: N passed, N failed"; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${1:-.build/debug/svclab}")
session=tutorial
timeout=${TUTORIAL_TEST_TIMEOUT:-30}
scrollback=2000
# shellcheck source=Scripts/lib/tmux.sh
. Scripts/lib/tmux.sh
passed=0
failed=0
number=0
pause="Press Enter to continue (q to quit)"

# result NAME STATUS: one TAP line.
result() {
  number=$((number + 1))
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1)); echo "ok $number - tutorial › $1"
  else
    failed=$((failed + 1)); echo "not ok $number - tutorial › $1"
    screen | sed 's/^/#   | /'
  fi
}
check() { if wait_for "$2" "${3:-1}"; then result "$1" 0; else result "$1" 1; fi; }

# gone: waits for the session to end (the program exited).
gone() {
  local deadline=$((SECONDS + timeout))
  while tm has-session -t "$session" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  ! tm has-session -t "$session" 2>/dev/null
}

# start ENV...: runs `svclab tutorial $tutorial` in a fresh session of $rows rows; the
# pane stays after the program exits so that its last screen can be read.
tutorial=endpoints
rows=50
start() {
  tm kill-session -t "$session" 2>/dev/null || true
  tm has-session -t keepalive 2>/dev/null || tm new-session -d -s keepalive
  tm new-session -d -s "$session" -x 160 -y "$rows" \
    "env -u LINES -u COLUMNS $* TERM=xterm $bin tutorial $tutorial; echo EXITED \$?; sleep 600"
}
# no_checks NAME: the screen shows no line of a step's hidden checks.
no_checks() {
  if screen | grep -qE 'assert(Equal|Error)?\(|--- (check|end)'; then
    result "$1" 1
  else
    result "$1" 0
  fi
}

steps=$(grep -c '^--- step:' Docs/tutorials/01-endpoints.lua)
titles=()
while IFS= read -r t; do titles+=("$t"); done < <(sed -n 's/^--- step: *//p' Docs/tutorials/01-endpoints.lua)

title=$(sed -n '1s/^--- *//p' Docs/tutorials/01-endpoints.lua)
start NO_COLOR=1
check "shows the introduction" "$title"
check "pauses after the introduction" "$pause"
if (($(count "Step 1 of $steps") == 0)); then result "no step before Enter" 0; else result "no step before Enter" 1; fi
key Enter
check "shows the first step" "Step 1 of $steps: ${titles[0]}"
check "runs the step and shows its result" "-->"
check "pauses after the step" "$pause" 2
# Still paused: output is flushed before the pause reads, so a second step could
# only appear after Enter.
if (($(count "Step 2 of $steps") == 0)); then result "waits for Enter" 0; else result "waits for Enter" 1; fi
key Enter
check "Enter shows the next step" "Step 2 of $steps: ${titles[1]}"
check "and pauses again" "$pause" 3
key Enter
check "steps through in order" "Step 3 of $steps: ${titles[2]}"
wait_for "$pause" 4 || true
type q
key Enter
check "q quits with status 0" "EXITED 0"
if (($(count "Step 4 of $steps") == 0)); then result "nothing runs after q" 0; else result "nothing runs after q" 1; fi
if screen -e | grep -q $'\e\[3[0-9]m'; then result "no colour with NO_COLOR" 1; else result "no colour with NO_COLOR" 0; fi

# To the end, with colour.
start
wait_for "$title" || true
for ((i = 1; i <= steps; i++)); do
  wait_for "$pause" "$i" || break
  key Enter
done
check "Enter through every step reaches the end" "End of \""
check "and exits with status 0" "EXITED 0"
if screen -e | grep -q $'\e\[1m'; then result "colour on a terminal" 0; else result "colour on a terminal" 1; fi
no_checks "no assertion or check marker on screen (endpoints)"

# Every tutorial to its end on a terminal: the teaching code only, never a check.
for file in Docs/tutorials/[0-9]*.lua; do
  tutorial=$(basename "$file" .lua); tutorial=${tutorial#*-}
  n=$(grep -c '^--- step:' "$file")
  start NO_COLOR=1
  for ((i = 1; i <= n; i++)); do
    wait_for "$pause" "$i" || break
    key Enter
  done
  if wait_for "EXITED 0" && wait_for "End of \""; then
    no_checks "$tutorial on a terminal, to its end, shows no assertion"
  else
    result "$tutorial on a terminal, to its end, shows no assertion" 1
  fi
done

# A step taller than the terminal says its heading again before the pause.
tutorial=Tests/fixtures/tutorials/01-long.lua
rows=20
start NO_COLOR=1
wait_for "$pause" || true
key Enter
check "a long step repeats its heading at the pause" "(end of Step 1 of 3: A tall step)"
wait_for "$pause" 2 || true
key Enter
wait_for "$pause" 3 || true
if wait_for "Step 2 of 3: A short step" && (($(count "(end of Step 2 of 3") == 0)); then result "a short step does not" 0; else result "a short step does not" 1; fi
tutorial=endpoints
rows=50

# Without a terminal: every tutorial straight through, no pause, no colour.
for file in Docs/tutorials/[0-9]*.lua; do
  name=$(basename "$file" .lua); name=${name#*-}
  out=$("$bin" tutorial "$name" </dev/null 2>&1) && status=0 || status=$?
  n=$(grep -c '^--- step:' "$file")
  ok=0
  [ "$status" -eq 0 ] || ok=1
  grep -qF "Step $n of $n" <<<"$out" || ok=1
  grep -qF "$pause" <<<"$out" && ok=1
  grep -q $'\e\[' <<<"$out" && ok=1
  grep -qE 'assert(Equal|Error)?\(|--- (check|end)' <<<"$out" && ok=1
  number=$((number + 1))
  if [ "$ok" -eq 0 ]; then
    passed=$((passed + 1)); echo "ok $number - tutorial › $name runs straight through without a terminal"
  else
    failed=$((failed + 1)); echo "not ok $number - tutorial › $name runs straight through without a terminal"
    sed 's/^/#   | /' <<<"$out" | tail -20
  fi
done

echo "1..$number"
echo "tutorial-tty: $passed passed, $failed failed"
((failed == 0))
