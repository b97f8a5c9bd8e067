#!/usr/bin/env bash
# "When do multiple interests pay off?" on MovieLens-1M: MIND and YouTubeDNN trained with the demo's budget
# (default settings, 4 epochs, seed 42) on the users split and on leave-one-out, then `mind report` for MIND against
# YouTubeDNN. The report's summary lines (Recall@50 overall, interest cosine, and the paired difference on the most
# diverse quarter of test users) go to benchmarks/results/report-<split>.txt; the pages to $WORK.
#
#   benchmarks/report.sh                       # both splits
#   SPLITS=users benchmarks/report.sh
source "$(dirname "$0")/common.sh"
WORK=${WORK:-$CACHE/bench-report}
OUT=$ROOT/benchmarks/results
EPOCHS=${EPOCHS:-4}
mkdir -p "$WORK" "$OUT"
for split in ${SPLITS:-users leave-one-out}; do
    prepare_movielens "$split" "$WORK/$split"
    for model in mind youtubednn; do
        if [ ! -f "$WORK/model-$split-$model/metrics.json" ] || [ -n "${RETRAIN:-}" ]; then
            $MIND train --dataset "$WORK/$split" --model "$model" --epochs "$EPOCHS" --output "$WORK/model-$split-$model" --force >&2
        fi
    done
    $MIND report --model "$WORK/model-$split-mind" --against "$WORK/model-$split-youtubednn" --dataset "$WORK/$split" \
        --output "$WORK/report-$split.html" | tee "$OUT/report-$split.txt"
done
