#!/usr/bin/env bash
# Runs the whole test suite in a release build (numeric tests are slow unoptimised) and ends with one plain line,
# "N passed, N failed", counted from XCTest's own per-test results.
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
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
