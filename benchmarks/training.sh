#!/usr/bin/env bash
# Training throughput of mind's MIND beside torch-rechub 0.9.0's MIND on the same machine, in the
# same run: d=64, history 20, K=4, batch 128, 3 negatives per sample, 3706 items, Adam.
# torch-rechub's MIND has no MLP after routing (one d x d projection), so mind is timed with
# --mlp-hidden "" for the like-for-like row, and with its defaults as a second row.
#
#   benchmarks/training.sh > benchmarks/results/training.jsonl
source "$(dirname "$0")/common.sh"
use_torch_venv
STEPS=${STEPS:-400}
for threads in 1 2; do
    $MIND bench training --threads "$threads" --steps "$STEPS" --negatives 3 --shared-negatives false --mlp-hidden ""
done
for model in mind youtubednn; do
    $MIND bench training --model "$model" --threads 2 --steps "$STEPS" --negatives 1000 --shared-negatives true --mlp-hidden 256
done
# torch with OpenMP's default spin-waiting, then passive waiting; BENCHMARKS.md quotes the faster.
$PY benchmarks/reference/torch_rechub_mind.py --threads 1,2 --steps 200 --windows 3
OMP_WAIT_POLICY=PASSIVE $PY benchmarks/reference/torch_rechub_mind.py --threads 1,2 --steps 200 --windows 3
