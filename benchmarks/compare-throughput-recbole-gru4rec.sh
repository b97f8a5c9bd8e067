#!/usr/bin/env bash
# Training throughput at RecBole's own GRU4Rec architecture and loss (state 128, history 50, dropout 0.3, full
# softmax), beside RecBole 1.2.1's GRU4Rec in the same run: ROUNDS rounds (default 3) of one epoch of
# `mind compare` over the users split (our default GRU4Rec with the full softmax, then RecBole's architecture),
# each followed by RecBole's GRU4Rec for one epoch over the first 400 training users, as compare-throughput.sh
# runs it. BASELINE=/path/to/an/older/mind also times that binary in every round (a before/after in one run).
# Run it on a quiet machine.
#
#   benchmarks/compare-throughput-recbole-gru4rec.sh   # writes benchmarks/results/compare-throughput-recbole-gru4rec{,-reference}.{txt,jsonl}
source "$(dirname "$0")/common.sh"
WORK=${WORK:-$CACHE/bench-compare}
OUT=$ROOT/benchmarks/results
G=gru4rec+gru-hidden-size=128+dropout=0.3+max-history-length=50+sampler=full
prepare_movielens users "$WORK/users"
if [ ! -f "$WORK/jsonl-users/valid.jsonl" ]; then
    $MIND bench export-split --dataset "$WORK/users" --output "$WORK/jsonl-users" >&2
    $MIND bench export-split --dataset "$WORK/users" --split valid --output "$WORK/jsonl-users-valid" >&2
    mv "$WORK/jsonl-users-valid/test.jsonl" "$WORK/jsonl-users/valid.jsonl"
fi
bash benchmarks/reference/setup-recbole-venv.sh >&2
binaries=("current:$MIND"); [ -n "${BASELINE:-}" ] && binaries+=("baseline:$BASELINE")
lscpu | grep 'Model name' | tee "$OUT/compare-throughput-recbole-gru4rec.txt"
: > "$OUT/compare-throughput-recbole-gru4rec-reference.jsonl"
for round in $(seq 1 "${ROUNDS:-3}"); do
    for entry in "${binaries[@]}"; do
        name=${entry%%:*} binary=${entry#*:} dir=$WORK/throughput-$name
        rm -rf "$dir"
        "$binary" compare --dataset "$WORK/users" --models "gru4rec+sampler=full,$G" --budget epochs:1 --output "$dir" \
            --json "$dir.json" > /dev/null 2>&1
        python3 -c "
import json, sys
for e in json.load(open(sys.argv[1]))['entries']:
    if e.get('samplesPerSecond'): print(sys.argv[2], 'round', sys.argv[3], e['name'], round(e['samplesPerSecond']), 'samples/s')
" "$dir.json" "$name" "$round" | tee -a "$OUT/compare-throughput-recbole-gru4rec.txt"
    done
    "$CACHE/venv-recbole/bin/python" benchmarks/reference/recbole_sequential.py --split-dir "$WORK/jsonl-users" \
        --models gru4rec --epochs 1 --threads 2 --max-train-users 400 --max-test-users 100 2>/dev/null \
        | grep '"samples_per_s"' | tee -a "$OUT/compare-throughput-recbole-gru4rec-reference.jsonl"
done
