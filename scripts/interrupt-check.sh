#!/usr/bin/env bash
# Black-box check of stopping: SIGTERM (as Ctrl-C, a supervisor or `timeout` sends it) stops `mind train` and
# `mind compare` at the next batch with exit status 130 and a checkpoint, including while compare trains its
# second model (a second signal listener made per model never fired on Linux, so that model ran on); the same compare
# with --reuse then continues the interrupted model.
#   scripts/interrupt-check.sh [MIND_BINARY]     # default: .build/debug/mind
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIND=${1:-$ROOT/.build/debug/mind}
if [ ! -x "$MIND" ]; then
    echo "interrupt-check: no mind binary at $MIND (run swift build first)" >&2
    exit 2
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mind-interrupt-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$MIND" synth --users 2000 --items 300 --seed 5 --output "$WORK/synth" >/dev/null
"$MIND" prepare --interactions "$WORK/synth/interactions.csv" --items "$WORK/synth/items.csv" --output "$WORK/dataset" >/dev/null

# interrupt NAME MARKER -- COMMAND...: runs COMMAND, sends SIGTERM a second after MARKER appears in its standard
# error (the model's training has begun), then expects exit status 130 and a checkpoint within 60 seconds.
interrupt() {
    local name=$1 marker=$2; shift 3
    "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    local pid=$!
    for _ in $(seq 1 1500); do
        grep -q -- "$marker" "$WORK/$name.err" && break
        if ! kill -0 $pid 2>/dev/null; then echo "interrupt-check: $name ended before it could be interrupted" >&2; cat "$WORK/$name.err" >&2; return 1; fi
        sleep 0.2
    done
    sleep 1
    kill -TERM $pid
    local status=0
    for _ in $(seq 1 300); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done
    if kill -0 $pid 2>/dev/null; then
        echo "interrupt-check: $name still running 60 s after SIGTERM" >&2
        kill -KILL $pid
        return 1
    fi
    wait $pid || status=$?
    if [ $status -ne 130 ]; then echo "interrupt-check: $name exited with $status after SIGTERM, expected 130" >&2; tail -3 "$WORK/$name.err" >&2; return 1; fi
    grep -q "checkpoint saved" "$WORK/$name.err" || { echo "interrupt-check: $name saved no checkpoint" >&2; return 1; }
    echo "interrupt-check: $name stopped by SIGTERM with a checkpoint"
}

status=0
interrupt train "training mind on" -- "$MIND" train --dataset "$WORK/dataset" --output "$WORK/train" --epochs 1000 || status=1
# The first model stops at its minutes budget (between epochs); the second is interrupted a second into its training.
interrupt compare-second-model "training mind on" -- "$MIND" compare --dataset "$WORK/dataset" --models youtubednn,mind \
    --budget minutes:0.2 --output "$WORK/compare" || status=1
# The same command with --reuse keeps the first model and continues the second from its checkpoint.
if "$MIND" compare --dataset "$WORK/dataset" --models youtubednn,mind --budget minutes:0.2 --output "$WORK/compare" --reuse \
        >"$WORK/continue.out" 2>"$WORK/continue.err" \
    && grep -q "youtubednn: reusing" "$WORK/continue.err" && grep -q "mind: continuing the checkpoint" "$WORK/continue.err"; then
    echo "interrupt-check: compare --reuse kept the first model and continued the interrupted one"
else
    echo "interrupt-check: compare --reuse did not continue the interrupted model" >&2; tail -5 "$WORK/continue.err" >&2; status=1
fi
exit $status
