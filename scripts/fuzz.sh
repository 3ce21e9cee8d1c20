#!/usr/bin/env bash
# Coverage-guided fuzzing of every reader of untrusted input (configs, --cfg-options, checkpoints: safetensors and
# PyTorch .pth, JPEG frames, annotation files, video files) with libFuzzer, through Tests/Fuzz (the `reel-fuzz` target).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]    default 20 s each, every target
#
# Seeds: Tests/Fuzz/Corpus/<target>/ (committed), the configs in configs/, and seeds `reel-fuzz --make-seeds`
# writes (a checkpoint of a tiny model, small JPEGs). Findings (crash, timeout, out-of-memory) are written to
# .fuzz/findings/ with the input, and the run fails; each becomes a test and a file in Tests/Fuzz/Regressions/.
# Limits per input: 10 s, 2 GiB RSS. Prints one line per target, "fuzz <target>: passed|failed (…)".
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(config cfg-options safetensors pth jpeg annotations video)
work=.fuzz
mkdir -p "$work/findings"
# Instrumented build in its own scratch path (libFuzzer's `main` clashes with gold, so link with lld).
if ! swift build -c release --scratch-path .build-fuzz --product reel-fuzz \
        -Xswiftc -sanitize=fuzzer -Xswiftc -DLIBFUZZER -Xswiftc -use-ld=lld > "$work/build.log" 2>&1; then
    tail -20 "$work/build.log"; echo "fuzz build: failed"; exit 1
fi
fuzzer=.build-fuzz/release/reel-fuzz
generated="$work/generated"; rm -rf "$generated"; mkdir -p "$generated"
swift build -c release --product reel-fuzz > /dev/null 2>&1 && .build/release/reel-fuzz --make-seeds "$generated" > /dev/null
status=0
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"; mkdir -p "$corpus"
    # Only folders that exist (git keeps no empty folder; libFuzzer stops on a missing one).
    seeds=()
    for dir in "Tests/Fuzz/Corpus/$target" "$generated/$target"; do [ -d "$dir" ] && seeds+=("$dir"); done
    [ "$target" = config ] && seeds+=(configs/demo configs/bench)
    [ -d "Tests/Fuzz/Regressions/$target" ] && seeds+=("Tests/Fuzz/Regressions/$target")
    extra=()
    case $target in
        config) extra=(-max_len=65536 -dict=Tests/Fuzz/config.dict) ;;
        safetensors|pth|jpeg|video) extra=(-max_len=65536) ;;
        *) extra=(-max_len=8192) ;;
    esac
    log="$work/$target.log"
    REEL_FUZZ_TARGET=$target "$fuzzer" "$corpus" "${seeds[@]}" "${extra[@]}" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/findings/$target-" > "$log" 2>&1
    rc=$?
    runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" || echo 0)
    cov=$(grep -oE "cov: [0-9]+" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0)
    if [ $rc -eq 0 ]; then
        echo "fuzz $target: passed ($runs inputs in ${seconds} s, coverage $cov)"
    else
        status=1
        echo "fuzz $target: failed (exit $rc after $runs inputs; findings: $(ls "$work/findings" | grep "^$target-" | tr '\n' ' '))"
        grep -E "ERROR|SUMMARY|Fatal error" "$log" | head -5
    fi
done
exit $status
