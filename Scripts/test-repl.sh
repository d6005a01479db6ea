#!/usr/bin/env bash
# Drives the svclab REPL through a real terminal (tmux) and checks what a user sees:
# auto-print, multi-line input, Ctrl-C at the prompt and while code runs, tab
# completion, history kept across restarts, Ctrl-D.
#   Scripts/test-repl.sh [path/to/svclab]
# Prints TAP and ends with "repl: N passed, N failed"; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${1:-.build/debug/svclab}")
work=$(mktemp -d)
session=repl
timeout=${REPL_TEST_TIMEOUT:-30}
scrollback=1000
# shellcheck source=Scripts/lib/tmux.sh
. Scripts/lib/tmux.sh
passed=0
failed=0
number=0

# check NAME TEXT [COUNT]: one TAP line for waiting on TEXT.
check() {
  number=$((number + 1))
  if wait_for "$2" "${3:-1}"; then
    passed=$((passed + 1))
    echo "ok $number - repl › $1"
  else
    failed=$((failed + 1))
    echo "not ok $number - repl › $1"
    echo "# expected to see: $2"
    screen | sed 's/^/#   | /'
  fi
}

start() {
  tm kill-session -t "$session" 2>/dev/null || true
  tm new-session -d -s "$session" -x 160 -y 50 \
    "env SVCLAB_HISTORY=$work/history NO_COLOR=1 TERM=xterm $bin"
  wait_for "svclab> " || { echo "not ok - repl did not start"; screen; exit 1; }
}

start
line 'x = 20 + 1'
line 'x * 2'
check "auto-prints an expression" "42"
line '=x + 1000'
check "=expr prints" "1021"
line 'for i = 1, 3 do'
check "an incomplete statement asks for more" ">> "
line "io.write(i * 111, ' ')"
line 'end'
check "multi-line statement runs once complete" "111 222 333"
line "{3, 'b', name = 'web', ports = {{port = 80}}}"
check "tables are pretty-printed" '{ 3, "b", name = "web", ports = { { port = 80 } } }'

# Ctrl-C at the prompt drops the line and gives a fresh prompt; state is kept.
n=$(prompts)
type 'this line is abandoned'
key C-c
wait_for "svclab> " $((n + 1)) || true
line 'x + 555'
check "Ctrl-C at the prompt clears the line" "576"

# Ctrl-C while code runs: interrupted!, traceback, back at the prompt, state kept.
line 'spins = 0; while true do spins = spins + 1 end'
sleep 0.5
key C-c
check "Ctrl-C stops a running loop" "interrupted!"
check "the interruption shows a traceback" "stack traceback:"
line 'spins > 0 and "kept-" .. type(spins)'
check "the state survives the interruption" "kept-number"

# Tab completion of a global, then of a table field.
line 'completeMeTable = {alphaField = 7, betaField = 8}'
type 'completeMe'
key Tab
check "Tab completes a global" "svclab> completeMeTable"
type '.alp'
key Tab
check "Tab completes a table field" "completeMeTable.alphaField"
line ' * 100'
check "the completed expression runs" "700"

# Inside a string argument, Tab completes object names: a Service name in resolve("… as it
# resolves from a pod in the current namespace (an FQDN gets its trailing dot: absolute).
type 'resolve("kube-dns.kube-system.s'
key Tab
check "Tab completes a Service FQDN inside resolve(\"" 'resolve("kube-dns.kube-system.svc.cluster.local."'
line ').rcode'
check "the completed lookup runs" "NOERROR"

# _PROMPT and _PROMPT2 replace the prompts, as in lua.c.
line '_PROMPT, _PROMPT2 = "lab> ", "... "'
check "_PROMPT replaces the prompt" "lab> "
line 'if true then'
check "_PROMPT2 replaces the continuation prompt" "... "
line 'end'
line '_PROMPT, _PROMPT2 = nil, nil'

# History survives a restart (a multi-line statement as one entry); Ctrl-D exits.
line 'for k = 1, 2 do'
line 'io.write(k * 1000 + 1, " ")'
line 'end'
check "a multi-line loop runs" "1001 2001"
line 'historyMarker = 4242'
wait_for "svclab> " $(($(prompts) + 0)) || true
key C-d
number=$((number + 1))
deadline=$((SECONDS + timeout))
while tm has-session -t "$session" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
if tm has-session -t "$session" 2>/dev/null; then
  failed=$((failed + 1)); echo "not ok $number - repl › Ctrl-D exits"
else
  passed=$((passed + 1)); echo "ok $number - repl › Ctrl-D exits"
fi
tm new-session -d -s keepalive 2>/dev/null || true
start
key Up
check "history is recalled after a restart" "svclab> historyMarker = 4242"
key Enter
line 'historyMarker + 1'
check "the recalled line runs" "4243"
key C-r
type 'k * 1000'
key Enter
check "a multi-line statement is recalled whole after a restart" "1001 2001"

echo "1..$number"
echo "repl: $passed passed, $failed failed"
((failed == 0))
