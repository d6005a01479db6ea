#!/usr/bin/env bash
# help() on an 80-column terminal (tmux): every line fits, and the text breaks between
# words only: each word on screen is a word of the unwrapped help; and COLUMNS sets the
# width without a terminal.
#   Scripts/test-help-width.sh [path/to/svclab]
# Prints TAP and ends with "help-width: N passed, N failed"; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${1:-.build/debug/svclab}")
work=$(mktemp -d)
session=help
timeout=${HELP_TEST_TIMEOUT:-30}
join= # the pane as shown, one terminal line per line (wrapped lines not joined)
# shellcheck source=Scripts/lib/tmux.sh
. Scripts/lib/tmux.sh
suite=help-width
# shellcheck source=Scripts/lib/tap.sh
. Scripts/lib/tap.sh

# The words of every help text, unwrapped (a width no line reaches).
COLUMNS=100000 "$bin" -e '
  local names = {}
  for line in help():gmatch("[^\n]+") do names[#names + 1] = line:match("^(%w+)") end
  io.write(help(), "\n")
  for _, n in ipairs(names) do io.write(help(n), "\n") end' | tr -s ' \n' '\n\n' | sort -u >"$work/words"

# show CODE: runs CODE at the REPL's prompt in an 80x50 terminal; waits for the next prompt.
start() {
  tm kill-session -t "$session" 2>/dev/null || true
  tm new-session -d -s "$session" -x 80 -y 50 "env -u COLUMNS SVCLAB_HISTORY=$work/history NO_COLOR=1 TERM=xterm $bin"
}
wait_prompts() {
  local want=$1 deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    (($(prompts) >= want)) && return 0
    sleep 0.1
  done
  return 1
}

# longer N: the lines of standard input longer than N characters (not bytes).
longer() { python3 -c 'import sys; n = int(sys.argv[1]); [print(l, end="") for l in sys.stdin if len(l.rstrip("\n")) > n]' "$1"; }

check_screen() {
  local what=$1 shown
  shown=$(screen | grep -v -e '^svclab>' -e '^svclab [0-9.]* (Lua' | sed 's/[[:space:]]*$//')
  local long
  long=$(longer 80 <<<"$shown")
  if [ -z "$long" ]; then result "$what: every line fits in 80 columns" 0; else result "$what: every line fits in 80 columns" 1 "$long"; fi
  local broken
  broken=$(tr -s ' ' '\n' <<<"$shown" | grep -v '^$' | sort -u | comm -23 - "$work/words")
  if [ -z "$broken" ]; then result "$what: no word is broken" 0; else result "$what: no word is broken" 1 "$broken"; fi
}

start
wait_prompts 1 || true
line 'help()'
wait_prompts 2 || true
n=$(screen | grep -cE '^[a-zA-Z]+\(' || true)
if ((n > 40)); then result "help() lists the primitives" 0; else result "help() lists the primitives" 1 "$(screen)"; fi
check_screen "help()"

start
wait_prompts 1 || true
for name in apply connect createService resolve; do
  line "help(\"$name\")"
done
wait_prompts 5 || true
if screen | grep -q '^apply(pathOrYaml, opts)'; then result "help(name) shows the usage line whole" 0; else result "help(name) shows the usage line whole" 1 "$(screen)"; fi
check_screen "help(name)"

# Without a terminal COLUMNS sets the width.
out=$(COLUMNS=60 "$bin" -e 'io.write(help(), "\n", help("apply"), "\n")')
long=$(longer 60 <<<"$out")
if [ -z "$long" ]; then result "COLUMNS=60 fits the text to 60 columns" 0; else result "COLUMNS=60 fits the text to 60 columns" 1 "$long"; fi
joined=$(tr -s ' \n' '\n\n' <<<"$out" | grep -v '^$' | sort -u | comm -23 - "$work/words")
if [ -z "$joined" ]; then result "COLUMNS=60 breaks between words" 0; else result "COLUMNS=60 breaks between words" 1 "$joined"; fi

finish
