#!/usr/bin/env bash
# Every model under one budget on MovieLens-1M, both protocols, one table each (`mind compare`):
# MIND, YouTubeDNN, ComiRec-DR, ComiRec-SA, SDM, SASRec and GRU4Rec, with MostPopular, each paired
# against the best by test Recall@50. Then the references on exactly the same split, when
# REFERENCE=1: RecBole 1.2.1's SASRec and GRU4Rec (full softmax, their defaults) and torch-rechub
# 0.9.0's ComiRec-SA (benchmarks/reference/recbole_sequential.py, torch_rechub_quality.py).
#
#   benchmarks/compare.sh                                   # writes benchmarks/results/compare-*.{txt,json}
#   SPLITS=users BUDGET=epochs:3 benchmarks/compare.sh
#   MODELS=sasrec,sasrec+sampler=full SPLITS=users NAME=full benchmarks/compare.sh   # the full-softmax rows
#   REFERENCE=1 SPLITS=users benchmarks/compare.sh
source "$(dirname "$0")/common.sh"
WORK=${WORK:-$CACHE/bench-compare}
OUT=$ROOT/benchmarks/results
BUDGET=${BUDGET:-epochs:3}
MODELS=${MODELS:-mind,youtubednn,comirec-dr,comirec-sa,sdm,sasrec,gru4rec}
NAME=${NAME:-all}
mkdir -p "$WORK" "$OUT"
lscpu | grep 'Model name' >&2
for split in ${SPLITS:-users leave-one-out}; do
    prepare_movielens "$split" "$WORK/$split"
    # --reuse keeps models already trained with the same settings, so a second run only adds what is new.
    $MIND compare --dataset "$WORK/$split" --models "$MODELS" --budget "$BUDGET" --output "$WORK/models-$split" --reuse \
        --json "$OUT/compare-$split-$NAME.json" | tee "$OUT/compare-$split-$NAME.txt"
    if [ "${REFERENCE:-0}" = 1 ]; then
        $MIND bench export-split --dataset "$WORK/$split" --output "$WORK/jsonl-$split" >&2
        $MIND bench export-split --dataset "$WORK/$split" --split valid --output "$WORK/jsonl-$split-valid" >&2
        mv "$WORK/jsonl-$split-valid/test.jsonl" "$WORK/jsonl-$split/valid.jsonl"
        bash benchmarks/reference/setup-recbole-venv.sh >&2
        # Trained to convergence: best epoch by validation Recall@50, 2 epochs of patience, at most 10 (hours on 2 cores).
        "$CACHE/venv-recbole/bin/python" benchmarks/reference/recbole_sequential.py --split-dir "$WORK/jsonl-$split" \
            --models sasrec,gru4rec --epochs 10 --threads 2 --per-user-out "$OUT/compare-$split-{model}.per-user.json" \
            | tee "$OUT/compare-$split-recbole.jsonl"
        use_torch_venv
        $PY benchmarks/reference/torch_rechub_quality.py --train "$WORK/jsonl-$split/train.jsonl" --valid "$WORK/jsonl-$split/valid.jsonl" \
            --test "$WORK/jsonl-$split/test.jsonl" --models comirec-sa --top 20,50 --epochs 10 --threads 2 \
            | tee "$OUT/compare-$split-torch-rechub.jsonl"
    fi
done
