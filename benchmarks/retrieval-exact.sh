#!/usr/bin/env bash
# Exact top-1000 over 1M synthetic items (d = 64, K = 4): `mind bench retrieval` (single-request latency at 1 and 2
# threads, users/s for batches of 128, the matrix's plain read bandwidth) and, in the same run on the same matrix and
# queries, faiss-cpu IndexFlatIP (benchmarks/reference/faiss_exact.py). OpenBLAS runs single-threaded in both
# (mind sets it at start-up; faiss's threads are its OpenMP ones).
#
#   benchmarks/retrieval-exact.sh > benchmarks/results/retrieval-exact.jsonl
source "$(dirname "$0")/common.sh"
bash benchmarks/reference/setup-faiss-venv.sh >&2
FAISS_PY=$CACHE/venv-faiss/bin/python
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
echo "{\"kind\":\"machine\",\"cpu\":\"$(lscpu | sed -n 's/^Model name: *//p')\",\"cores\":$(nproc),\"l2\":\"$(lscpu | sed -n 's/^L2 cache: *//p')\",\"l3\":\"$(lscpu | sed -n 's/^L3 cache: *//p')\",\"openblas_env\":\"$(env | grep ^OPENBLAS | tr '\n' ' ')\",\"loadavg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"date\":\"$(date -u +%FT%TZ)\"}"
$MIND bench retrieval --items 1000000 --dimension 64 --interests 4 --n 1000 --requests 200 --batch-size 128 --threads 1,2 \
    --data-directory "$DATA" "$@"
OPENBLAS_NUM_THREADS=1 $FAISS_PY benchmarks/reference/faiss_exact.py --data-directory "$DATA" --threads 1,2
echo "{\"kind\":\"loadavg_after\",\"loadavg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
