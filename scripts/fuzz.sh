#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (debug, so overflow and bounds checks trap; AddressSanitizer on) and runs
# each for SECONDS (default 60), one after another, from its seed corpus in Fuzz/corpus/<target>/ and with the
# tokens of Fuzz/dictionaries/<target>.dict.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      e.g. scripts/fuzz.sh 300 FuzzTables
#
# Crashing, timing-out and over-allocating inputs go to Fuzz/crashes/<target>/; the script exits non-zero if
# any target produced one. New corpus entries go to .build-fuzz/corpus/<target>/ (the committed seeds are only
# read). FUZZ_KEEP_GOING=1 keeps fuzzing after a crash (libFuzzer fork mode) to find more than the first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(FuzzTables FuzzHistory FuzzSafeTensors FuzzConfig FuzzDataset FuzzJSON)
fi
scratch="$root/.build-fuzz"

./scripts/setup.sh
echo "building ${targets[*]} with -sanitize=fuzzer,address -DFUZZING"
swift build --package-path Fuzz --scratch-path "$scratch" -c debug \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
bin=$(swift build --package-path Fuzz --scratch-path "$scratch" -c debug \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --show-bin-path)

options=(-max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=5 -print_final_stats=1)
if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
    options+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
# Swift's runtime keeps metadata caches for the life of the process; they are not leaks of the readers.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
# Swift's own crash backtracer trips AddressSanitizer; libFuzzer's handler reports the crash and saves the input.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

failed=()
for target in "${targets[@]}"; do
    crashes="$root/Fuzz/crashes/$target"
    work="$scratch/corpus/$target"
    log="$scratch/logs/$target.log"
    mkdir -p "$crashes" "$work" "$(dirname "$log")"
    echo "fuzzing $target for ${seconds}s (log: $log)"
    stamp="$scratch/logs/$target.start"
    touch "$stamp"
    dictionary=()
    if [ -f "$root/Fuzz/dictionaries/$target.dict" ]; then dictionary=(-dict="$root/Fuzz/dictionaries/$target.dict"); fi
    status=0
    "$bin/$target" "${options[@]}" "${dictionary[@]}" -artifact_prefix="$crashes/" "$work" "$root/Fuzz/corpus/$target" >"$log" 2>&1 || status=$?
    # One process prints its final stats; fork mode (FUZZ_KEEP_GOING) only its progress lines (#runs: ...).
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    found=$(find "$crashes" -type f -newer "$stamp" | wc -l)
    echo "  $target: exit $status, ${runs:-?} executions, $found new input(s) in Fuzz/crashes/$target/"
    if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
        failed+=("$target")
        grep -m 20 -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*error:|    #[0-9]+ 0x[0-9a-f]+ in )' "$log" | head -20 || true
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "crashes in: ${failed[*]} (inputs in Fuzz/crashes/; logs in .build-fuzz/logs/)" >&2
    exit 1
fi
echo "no crashes"
