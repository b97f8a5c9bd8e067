#!/usr/bin/env bash
# Training throughput of two mind binaries side by side, interleaved round by round so both see the
# same machine load: BEFORE=path/to/old/mind AFTER=path/to/new/mind benchmarks/before-after-training.sh
# Prints one line per run: binary, threads, samples/s (MIND, d=64, history 20, K=4, batch 128, 600 steps).
set -euo pipefail
: "${BEFORE:?set BEFORE to the old binary}" "${AFTER:?set AFTER to the new binary}"
ROUNDS=${ROUNDS:-5}
for round in $(seq "$ROUNDS"); do
    for threads in 1 2; do
        for side in before after; do
            binary=$BEFORE; [ "$side" = after ] && binary=$AFTER
            rate=$("$binary" bench training --threads "$threads" --steps 600 2>/dev/null \
                | python3 -c 'import json,sys; print(round(json.loads(sys.stdin.read())["samples_per_second"]))')
            echo "$side $threads $rate"
        done
    done
done
