#!/usr/bin/env bash
# Runs every default suite (lit: dialect, importer, conversion, end-to-end;
# CTest: runtime unit tests) and prints one combined closing line.
set -uo pipefail
build=${1:-build}
lit=/usr/lib/llvm-19/build/utils/lit/lit.py
log=$(mktemp)
trap 'rm -f "$log"' EXIT

/usr/bin/python3 "$lit" -sv "$build/test" 2>&1 | tee -a "$log"
lit_rc=${PIPESTATUS[0]}
ctest --test-dir "$build" --output-on-failure 2>&1 | tee -a "$log"
ctest_rc=${PIPESTATUS[0]}

lit_pass=$(grep -oE '^ *Passed *: *[0-9]+' "$log" | grep -oE '[0-9]+' | paste -sd+ | bc)
lit_fail=$(grep -oE '^ *(Failed|Unresolved|Timed Out) *: *[0-9]+' "$log" | grep -oE '[0-9]+' | paste -sd+ | bc)
ct_line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
ct_fail=$(echo "$ct_line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+)/\1/')
ct_total=$(echo "$ct_line" | sed -E 's/.* tests failed out of ([0-9]+)/\1/')
passed=$(( ${lit_pass:-0} + ${ct_total:-0} - ${ct_fail:-0} ))
failed=$(( ${lit_fail:-0} + ${ct_fail:-0} ))
if [ "$lit_rc" -ne 0 ] || [ "$ctest_rc" -ne 0 ]; then
  [ "$failed" -gt 0 ] || failed=1
fi
echo "kiln: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
