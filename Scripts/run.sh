#!/usr/bin/env bash
# Runs svclab on a fresh machine: installs what it needs, builds if needed, then
# opens the REPL (no arguments) or runs a script.
#   Scripts/run.sh [FILE [ARGS...]]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/Scripts/setup.sh"
(cd "$root" && swift build -c release --product svclab 2>&1 | grep -vE '^(\[[0-9]+/[0-9]+\]|Building|Compiling|Build of product)' >&2 || true)
bin="$root/.build/release/svclab"
[ -x "$bin" ] || { echo "run: build failed" >&2; exit 1; }
exec "$bin" "$@"
