#!/usr/bin/env bash
# Instructions per endpoint change, end to end, counted by callgrind (the load does not move
# them): readiness flips on Services of 15 and of 100 pods, scale +1 and scale -1, each minus
# a connect alone. Each figure is (count with N changes - count with none) / N. Not a test:
# the figures go to Docs/Benchmarks.md ("One endpoint change"). About 15 minutes per binary.
#   Scripts/bench-changes.sh [BINARY...]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || apt-get install -y valgrind >/dev/null
if [ $# -eq 0 ]; then
  swift build -c release --product svclab >/dev/null
  set -- .build/release/svclab
fi
# Swift seeds its hashing per process; a fixed seed makes the counts repeatable to the unit.
export SWIFT_DETERMINISTIC_HASHING=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# count BIN ARGS...: the instructions of one run of changes.lua
count() {
  local bin=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$work/out" "$bin" Scripts/bench/changes.lua "$@" \
    2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for bin in "$@"; do
  # valgrind cannot read some release binaries' debug information: count a stripped copy
  strip --strip-debug -o "$work/svclab" "$bin"
  b="$work/svclab"
  base15=$(count "$b" 1500 0 flip)
  base100=$(count "$b" 1000 0 flip 100)
  conn15=$(count "$b" 1500 400 conn)
  conn100=$(count "$b" 1000 400 conn 100)
  flip15=$(count "$b" 1500 400 flip)
  flip100=$(count "$b" 1000 400 flip 100)
  up=$(count "$b" 1500 200 up)
  down=$(count "$b" 1500 200 down)
  c15=$(((conn15 - base15) / 400))
  c100=$(((conn100 - base100) / 400))
  echo "$bin"
  printf '  %-46s %9d\n' "connect alone, 15 per Service" "$c15"
  printf '  %-46s %9d\n' "readiness, 1,500 pods, 15 per Service" $(((flip15 - base15) / 400 - c15))
  printf '  %-46s %9d\n' "readiness, 1,000 pods, 100 per Service" \
    $(((flip100 - base100) / 400 - c100))
  printf '  %-46s %9d\n' "scale +1, 1,500 pods" $(((up - base15) / 200 - c15))
  printf '  %-46s %9d\n' "scale -1, 1,500 pods" $(((down - up) / 200 - c15))
done
