# Shared by the test scripts that drive svclab through a real terminal (tmux): a tmux server
# of the script's own, reading its pane, waiting for text and typing into it. The server and
# the scratch folder $work (when set) are removed on exit.
# Source it after setting `session` (the server is svclab-$session-PID); optional:
# `timeout` (seconds wait_for waits, 30), `scrollback` (lines screen reads, 3000) and
# `join` (capture-pane's -J, joining wrapped lines; set it empty to keep terminal lines).
socket="svclab-$session-$$"
timeout=${timeout:-30}
scrollback=${scrollback:-3000}
join=${join--J}

cleanup() {
  tmux -L "$socket" kill-server 2>/dev/null || true
  if [ -n "${work:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

tm() { tmux -L "$socket" "$@"; }

# screen [OPTION...]: the pane's scrollback (-e keeps colours).
# shellcheck disable=SC2086 # $join is one option or none
screen() { tm capture-pane -p $join "$@" -S "-$scrollback" -t "$session" 2>/dev/null || true; }

# count TEXT: how many lines on screen hold TEXT.
count() { screen | grep -cF -- "$1" || true; }

# prompts: how many REPL prompts are on screen.
prompts() { screen | grep -c '^svclab> ' || true; }

# wait_for TEXT [COUNT]: polls until TEXT occurs on at least COUNT lines (default 1).
wait_for() {
  local text=$1 want=${2:-1} deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    (($(count "$text") >= want)) && return 0
    sleep 0.1
  done
  return 1
}

# key NAME...: presses keys (Enter, C-c, Tab, Up); type TEXT: types it literally;
# line TEXT: types TEXT and presses Enter.
key() { tm send-keys -t "$session" "$@"; }
type() { tm send-keys -t "$session" -l -- "$1"; }
line() { type "$1"; key Enter; }
