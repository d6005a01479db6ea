#!/usr/bin/env bash
# Fuzzes svclab: seeded random primitive calls, mutated manifests, Corefiles and lab files,
# each case in a child process under `ulimit -v` 2 GiB and a 60 s limit (see Scripts/fuzz.py).
#   Scripts/fuzz.sh [SEED] [ITERATIONS] [extra options of fuzz.py, e.g. --budget 90]
# SVCLAB_BIN names the binary (default .build/debug/svclab). Prints the seed, every failing
# case shrunk to the smallest input found, and "fuzz: N passed, N failed"; exits non-zero
# when a case failed.
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${1:-$RANDOM$RANDOM}
iterations=${2:-200}
shift $(($# < 2 ? $# : 2))
exec python3 Scripts/fuzz.py --bin "${SVCLAB_BIN:-.build/debug/svclab}" --seed "$seed" \
  --iterations "$iterations" "$@"
