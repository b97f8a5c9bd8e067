#!/usr/bin/env bash
# Training throughput of every tower (`mind bench training`: d = 64, history 20, batch 128, 3,706 items,
# 2 threads) with 3 sampled negatives and with the full softmax, ComiRec-SA also on the users split's training samples,
# and the references measured in the same run:
# RecBole 1.2.1's SASRec and GRU4Rec (full softmax, their defaults, one epoch over the first 400 training users
# of the users split) and torch-rechub 0.9.0's ComiRec-SA (3 negatives, one epoch over the whole users split).
# Run it on a quiet machine: every other process on the cores lowers all numbers.
#
#   benchmarks/compare-throughput.sh     # writes benchmarks/results/compare-throughput{,-references}.jsonl
source "$(dirname "$0")/common.sh"
WORK=${WORK:-$CACHE/bench-compare}
OUT=$ROOT/benchmarks/results
lscpu | grep 'Model name' >&2
: > "$OUT/compare-throughput.jsonl"
for model in mind youtubednn comirec-dr comirec-sa sdm sasrec gru4rec; do
    $MIND bench training --model "$model" --steps 200 --mlp-hidden 256 | tee -a "$OUT/compare-throughput.jsonl"
done
for model in mind comirec-sa sdm sasrec gru4rec; do
    $MIND bench training --model "$model" --steps 200 --mlp-hidden 256 --sampler full | tee -a "$OUT/compare-throughput.jsonl"
done
[ "${REFERENCE:-1}" = 1 ] || exit 0
prepare_movielens users "$WORK/users"
# ComiRec-SA on the users split's own training samples too, the data torch-rechub's figure below comes from: real
# histories repeat popular items more than the generated ones, which its step computes once per distinct item.
$MIND bench training --model comirec-sa --steps 200 --mlp-hidden 256 --dataset "$WORK/users" | tee -a "$OUT/compare-throughput.jsonl"
$MIND bench export-split --dataset "$WORK/users" --output "$WORK/jsonl-users" >&2
$MIND bench export-split --dataset "$WORK/users" --split valid --output "$WORK/jsonl-users-valid" >&2
mv "$WORK/jsonl-users-valid/test.jsonl" "$WORK/jsonl-users/valid.jsonl"
bash benchmarks/reference/setup-recbole-venv.sh >&2
"$CACHE/venv-recbole/bin/python" benchmarks/reference/recbole_sequential.py --split-dir "$WORK/jsonl-users" \
    --models sasrec,gru4rec --epochs 1 --threads 2 --max-train-users 400 --max-test-users 100 \
    | grep '"samples_per_s"' | tee "$OUT/compare-throughput-references.jsonl"
use_torch_venv
$PY benchmarks/reference/torch_rechub_quality.py --train "$WORK/jsonl-users/train.jsonl" --test "$WORK/jsonl-users/test.jsonl" \
    --models comirec-sa --top 50 --epochs 1 --threads 2 | grep '"samples_per_s"' | tee -a "$OUT/compare-throughput-references.jsonl"
