#!/usr/bin/env bash
# HNSW at catalogue scale: `mind bench hnsw` (ours: build, latency, recall against exact) and PyPI hnswlib on
# the same vectors and parameters, in the same run. ITEMS (default 1,000,000), THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/common.sh
ITEMS=${ITEMS:-1000000}; THREADS=${THREADS:-2}; M=${M:-16}; EFC=${EFC:-100}; EF=${EF:-256}; SPACE=${SPACE:-euclidean}
python3 -c "import hnswlib, numpy" 2>/dev/null || pip install -q hnswlib numpy
vectors=$(mktemp -d)
trap 'rm -rf "$vectors"' EXIT
out=benchmarks/results/retrieval-hnsw.jsonl
"$MIND" bench hnsw --items "$ITEMS" --threads "$THREADS" --hnsw-m "$M" --hnsw-ef-construction "$EFC" \
    --hnsw-ef "$EF" --hnsw-space "$SPACE" --write-vectors "$vectors" | tee "$out"
python3 benchmarks/reference/hnswlib_reference.py "$vectors" --m "$M" --ef-construction "$EFC" --ef "$EF" \
    --space "$SPACE" --threads "$THREADS" | tee -a "$out"
