#!/usr/bin/env bash
# The tree's layout: no line of Swift or C in Sources/ and Tests/ is over 100 columns (the
# lineLength of .swift-format, counted in characters), CLuaGlue's glue.c stays within the
# 400 lines its README promises, and `swift-format lint` finds nothing about formatting (its
# pretty printer's and whitespace linter's findings; the naming and style rules it also
# checks are left to review).
#   Scripts/test-format.sh [path/to/svclab]   (the binary is not needed)
# Prints TAP and ends with "format: N passed, N failed"; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."

width=100
suite=format
# shellcheck source=Scripts/lib/tap.sh
. Scripts/lib/tap.sh

long=$(find Sources Tests -type f \( -name '*.swift' -o -name '*.c' -o -name '*.h' \) -print0 \
  | sort -z | xargs -0 env LC_ALL=C.UTF-8 grep -nE "^.{$((width + 1)),}" | cut -c1-160)
if [ -z "$long" ]; then status=0; else status=1; fi
result "Swift and C lines fit in $width columns" "$status" "$long"

lines=$(wc -l <Sources/CLuaGlue/glue.c)
if ((lines <= 400)); then status=0; else status=1; fi
result "Sources/CLuaGlue/glue.c has at most 400 lines" "$status" "it has $lines"

# The categories of the pretty printer's and the whitespace linter's findings.
layout='\[(Indentation|TrailingWhitespace|Spacing|RemoveLine|AddLines|LineLength|'
layout+='EndOfLineComment|TrailingComma)\]'
if command -v swift-format >/dev/null; then
  findings=$(swift-format lint --configuration .swift-format --parallel --recursive \
    Sources Tests Package.swift 2>&1 | grep -E "$layout")
  if [ -z "$findings" ]; then status=0; else status=1; fi
  result "swift-format lint finds nothing about formatting" "$status" "$findings"
else
  result "swift-format lint finds nothing about formatting" 1 "swift-format is not on PATH"
fi

finish
