#!/usr/bin/env bash
# The fuzzer's share of the test command: a fixed seed and a fixed budget of 90 seconds
# (Scripts/fuzz.sh runs longer on demand). Ends with "fuzz: N passed, N failed".
#   Scripts/test-fuzz.sh [path/to/svclab]
set -euo pipefail
cd "$(dirname "$0")/.."
SVCLAB_BIN=${1:-.build/debug/svclab} exec Scripts/fuzz.sh 11 100000 --budget 90
