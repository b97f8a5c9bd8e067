#!/usr/bin/env bash
# Routing collapse on MovieLens-1M: MIND with its default settings, with each remedy, ComiRec-DR and YouTubeDNN,
# trained with the demo's budget (4 epochs, seed 42) on the users split and on leave-one-out. For each model:
# `mind evaluate --against YouTubeDNN` (Recall/NDCG, the beyond-accuracy metrics, paired intervals; JSON) and
# `mind report` (interest cosine and routing decisiveness on the test users). ComiRec's controllable aggregation
# is a retrieval-time option of the default MIND model; its factor is chosen on the validation users.
#
#   benchmarks/remedies.sh                 # writes benchmarks/results/remedies-<split>-<variant>.{json,txt}
#   SPLITS=users VARIANTS="mind mind-diversity" benchmarks/remedies.sh
source "$(dirname "$0")/common.sh"
WORK=${WORK:-$CACHE/bench-remedies}
OUT=$ROOT/benchmarks/results
EPOCHS=${EPOCHS:-4}
mkdir -p "$WORK" "$OUT"

# variant -> training flags
declare -A FLAGS=(
    [mind]="--model mind"
    [youtubednn]="--model youtubednn"
    [comirec-dr]="--model comirec-dr"
    [mind-diversity]="--model mind --interest-diversity 1"
    [mind-remi]="--model mind --routing-regularisation 100 --stop-gradient-routing false"
    [mind-decisive]="--model mind --negative-scoring max-interest --bilinear-init-scale 10"
)
FACTORS=${FACTORS:-0.02 0.05 0.1 0.2}

for split in ${SPLITS:-users leave-one-out}; do
    data=$WORK/$split
    prepare_movielens "$split" "$data"
    for variant in ${VARIANTS:-youtubednn mind comirec-dr mind-diversity mind-remi mind-decisive}; do
        model=$WORK/model-$split-$variant
        if [ ! -f "$model/metrics.json" ] || [ -n "${RETRAIN:-}" ]; then
            # shellcheck disable=SC2086
            $MIND train --dataset "$data" ${FLAGS[$variant]} --epochs "$EPOCHS" --seed 42 --output "$model" --force >&2
        fi
        if [ "$variant" != youtubednn ]; then
            $MIND evaluate --model "$model" --against "$WORK/model-$split-youtubednn" --dataset "$data" --at 20,50 \
                --json "$OUT/remedies-$split-$variant.json" > "$OUT/remedies-$split-$variant.txt"
            $MIND report --model "$model" --against "$WORK/model-$split-youtubednn" --dataset "$data" \
                --output "$WORK/report-$split-$variant.html" >> "$OUT/remedies-$split-$variant.txt"
        else
            $MIND evaluate --model "$model" --dataset "$data" --at 20,50 --json "$OUT/remedies-$split-$variant.json" \
                > "$OUT/remedies-$split-$variant.txt"
        fi
    done
    # The diversity penalty's best validation epoch comes before it has pulled the interests apart: its last
    # epoch (the checkpoint's weights in a copy of the model directory) is measured too.
    last=$WORK/model-$split-mind-diversity-last-epoch
    if [ -d "$WORK/model-$split-mind-diversity/checkpoint" ]; then
        rm -rf "$last" && cp -r "$WORK/model-$split-mind-diversity" "$last" && rm -rf "$last/checkpoint"
        cp "$WORK/model-$split-mind-diversity/checkpoint/weights.safetensors" "$last/weights.safetensors"
        $MIND evaluate --model "$last" --against "$WORK/model-$split-youtubednn" --dataset "$data" --at 20,50 \
            --json "$OUT/remedies-$split-mind-diversity-last-epoch.json" > "$OUT/remedies-$split-mind-diversity-last-epoch.txt"
        $MIND report --model "$last" --against "$WORK/model-$split-youtubednn" --dataset "$data" \
            --output "$WORK/report-$split-mind-diversity-last-epoch.html" >> "$OUT/remedies-$split-mind-diversity-last-epoch.txt"
    fi
    # Controllable aggregation: the largest factor of FACTORS whose validation Recall@50 stays within 0.002 of the
    # plain merge (chosen on the validation users, never on test), then evaluated on the test users.
    best=0
    plain=$($MIND evaluate --model "$WORK/model-$split-mind" --dataset "$data" --split valid --at 50 | awk '$1 == 50 { print $2; exit }')
    for factor in $FACTORS; do
        recall=$($MIND evaluate --model "$WORK/model-$split-mind" --dataset "$data" --split valid --at 50 --diversity-factor "$factor" \
            | awk '$1 == 50 { print $2; exit }')
        echo "$split valid Recall@50 at diversity factor $factor: $recall (plain $plain)" | tee -a "$OUT/remedies-$split-aggregation-valid.txt"
        if awk -v r="$recall" -v p="$plain" 'BEGIN { exit !(r >= p - 0.002) }'; then best=$factor; fi
    done
    echo "$split: chosen diversity factor $best" | tee -a "$OUT/remedies-$split-aggregation-valid.txt"
    $MIND evaluate --model "$WORK/model-$split-mind" --against "$WORK/model-$split-youtubednn" --dataset "$data" --at 20,50 \
        --diversity-factor "$best" --json "$OUT/remedies-$split-mind-aggregation.json" > "$OUT/remedies-$split-mind-aggregation.txt"
done
