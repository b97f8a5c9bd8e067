#!/usr/bin/env bash
# Quality on MovieLens-1M with default settings: MIND, YouTubeDNN, ComiRec-DR and MostPopular on
# the users split (5-core, users 8:1:1, 80/20 history/truth, full-catalogue ranking, history
# excluded), and the same models on leave-one-out (HR@50); then MIND against YouTubeDNN, paired
# over the same test users with a 95% bootstrap interval. With REFERENCE=1 it also trains
# torch-rechub 0.9.0's MIND and YouTubeDNN on exactly the same split.
#
#   benchmarks/quality.sh                          # writes benchmarks/results/quality-*.json
#   SPLITS=leave-one-out EPOCHS=4 benchmarks/quality.sh
#   SPLITS=users MODELS=comirec-dr benchmarks/quality.sh   # one model; comparisons use models already trained
source "$(dirname "$0")/common.sh"
WORK=${WORK:-$CACHE/bench-quality}
OUT=$ROOT/benchmarks/results
EPOCHS=${EPOCHS:-20}
mkdir -p "$WORK" "$OUT"
for split in ${SPLITS:-users leave-one-out}; do
    prepare_movielens "$split" "$WORK/$split"
    for model in ${MODELS:-mind youtubednn comirec-dr}; do
        $MIND train --dataset "$WORK/$split" --model "$model" --epochs "$EPOCHS" --output "$WORK/model-$split-$model" --force >&2
        $MIND evaluate --model "$WORK/model-$split-$model" --dataset "$WORK/$split" --split test --json "$OUT/quality-$split-$model.json"
    done
    $MIND evaluate --most-popular --dataset "$WORK/$split" --split test --json "$OUT/quality-$split-most-popular.json"
    for other in youtubednn comirec-dr; do
        if [ -d "$WORK/model-$split-mind" ] && [ -d "$WORK/model-$split-$other" ]; then
            $MIND evaluate --model "$WORK/model-$split-mind" --against "$WORK/model-$split-$other" --dataset "$WORK/$split" \
                --split test --at 20,50 --json "$OUT/quality-$split-mind-vs-$other.json"
        fi
    done
done
if [ "${REFERENCE:-0}" = 1 ]; then
    use_torch_venv
    $MIND bench export-split --dataset "$WORK/users" --output "$WORK/jsonl"
    $PY benchmarks/reference/torch_rechub_quality.py --train "$WORK/jsonl/train.jsonl" --test "$WORK/jsonl/test.jsonl" \
        --top 50 --negatives 3 --threads 2 | tee "$OUT/quality-users-torch-rechub.json"
fi
