#!/usr/bin/env bash
# Runs the whole test suite in a release build (numeric tests are slow unoptimised), then a bounded fuzzing pass
# over every reader of untrusted input (scripts/fuzz.sh, FUZZ_SECONDS per target, 0 to skip), and ends with one
# plain line, "N passed, N failed", counted from XCTest's own per-test results plus one result per fuzz target.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test -c release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -cE "^Test Case '.*' passed" "$log")
failed=$(grep -cE "^Test Case '.*' failed" "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    # The build or the runner itself failed: count that as a failure, never as a pass.
    failed=1
fi
if [ "${FUZZ_SECONDS:-15}" != 0 ] && [ $# -eq 0 ]; then
    bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}" 2>&1 | tee "$log"
    fuzz_status=${PIPESTATUS[0]}
    fuzz_passed=$(grep -cE "^fuzz .*: passed" "$log")
    fuzz_failed=$(grep -cE "^fuzz .*: failed" "$log")
    if [ "$fuzz_status" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; then fuzz_failed=1; fi
    passed=$((passed + fuzz_passed)); failed=$((failed + fuzz_failed))
    [ "$fuzz_status" -eq 0 ] || status=1
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
