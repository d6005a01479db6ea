#!/usr/bin/env bash
# Runs svclab on a fresh machine: installs what it needs, builds if needed (showing the
# build's progress), links `svclab` into a folder on PATH, then opens the REPL (no
# arguments) or runs a script.
#   Scripts/run.sh [FILE [ARGS...]]
# The link goes to /usr/local/bin when run as root, else ~/.local/bin ($SVCLAB_BIN_DIR
# chooses another folder; SVCLAB_BIN_DIR= with nothing after it links nothing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/Scripts/setup.sh"
bin="$root/.build/release/svclab"

say() { echo "run: $*" >&2; }

# build: swift build with its own [n/N] counter and the time on one line, ticking while a
# long step runs (without a terminal: a line per tenth of the way, and one a minute while
# nothing moves); the compiler's messages are shown as they come.
build() {
  local first=0 start=$SECONDS tty=0 shown=-1
  [ -x "$bin" ] || first=1
  [ -t 2 ] && tty=1
  if ((first)); then
    say "first build (release, about 400 steps): 3-10 minutes on 2 idle cores,"
    say "much longer when other builds share them; later runs rebuild only changes"
  else
    say "checking the build (seconds unless sources changed)"
  fi
  (cd "$root" && swift build -c release --product svclab 2>&1) | {
    local line n=0 total=0 step="" status quiet=0
    # show: the counter line on a terminal (the clock ticks while one step takes long);
    # without one, a line per tenth of the way and one a minute while nothing moves.
    show() {
      local at="[$n/$total]"
      ((total > 0)) || at="planning the build"
      if ((tty)); then
        printf '\r\033[Krun: %s %ds %.60s' "$at" $((SECONDS - start)) "$step" >&2
      elif ((total > 0 && n * 10 / total != shown)); then
        shown=$((n * 10 / total)) quiet=$SECONDS
        say "[$n/$total] $((SECONDS - start))s"
      elif ((SECONDS - quiet >= 60)); then
        quiet=$SECONDS
        say "$at $((SECONDS - start))s${step:+, still at: $step}"
      fi
    }
    quiet=$SECONDS
    while true; do
      IFS= read -r -t 2 line && status=0 || status=$?
      if ((status > 128)); then show; continue; fi
      ((status == 0)) || break
      if [[ $line =~ ^\[([0-9]+)/([0-9]+)\]\ (.*)$ ]]; then
        n=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]} step=${BASH_REMATCH[3]}
        show
      elif ! [[ $line =~ ^(Building|Compiling|Build\ of\ product|Build\ complete) ]]; then
        ((tty)) && printf '\r\033[K' >&2
        echo "$line" >&2
      fi
    done
    ((tty)) && printf '\r\033[K' >&2
    true
  } || true
  [ -x "$bin" ] || { say "build failed (see the errors above)"; exit 1; }
  local took=$((SECONDS - start))
  if ((first)); then say "built in $((took / 60))m$((took % 60))s"; fi
}

# link: a `svclab` on PATH, pointing at this build.
link() {
  local dir
  if [ -n "${SVCLAB_BIN_DIR+x}" ]; then dir=$SVCLAB_BIN_DIR
  elif [ "$(id -u)" -eq 0 ]; then dir=/usr/local/bin
  else dir="$HOME/.local/bin"
  fi
  [ -n "$dir" ] || return 0
  mkdir -p "$dir" 2>/dev/null || { say "cannot create $dir: run svclab as $bin"; return 0; }
  if [ "$(readlink "$dir/svclab" 2>/dev/null)" != "$bin" ]; then
    ln -sfn "$bin" "$dir/svclab" 2>/dev/null || { say "cannot link $dir/svclab: run svclab as $bin"; return 0; }
    say "linked $dir/svclab -> $bin"
  fi
  case ":$PATH:" in
    *":$dir:"*) say "type \`svclab\` anywhere (svclab tutorial, svclab FILE, ...)" ;;
    *) say "$dir is not on your PATH: add it (export PATH=\"$dir:\$PATH\") to type \`svclab\`" ;;
  esac
}

build
link
exec "$bin" "$@"
