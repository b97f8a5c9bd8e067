#!/usr/bin/env bash
# pgvector against the exact index: 100,000 synthetic items (d = 64, around 256 cluster centres), one request =
# 4 interest queries for the top 1000 (hnsw.ef_search = 1000), 100 timed requests; p50/p99 latency of each index in
# the same run, the load time (COPY and HNSW build), and pgvector's recall against the exact top 1000.
# Starts a throw-away server (scripts/pgvector-server.sh) unless MIND_BENCH_DATABASE_URL names one.
#
#   benchmarks/pgvector.sh [extra 'mind bench pgvector' options, e.g. --items 1000000]
source "$(dirname "$0")/common.sh"

url=${MIND_BENCH_DATABASE_URL:-}
if [ -z "$url" ]; then
    server_dir=$(mktemp -d "${TMPDIR:-/tmp}/mind-pgvector-bench.XXXXXX")
    trap './scripts/pgvector-server.sh stop "$server_dir" >/dev/null 2>&1 || true; rm -rf "$server_dir"' EXIT
    url=$(./scripts/pgvector-server.sh start "$server_dir")
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
$MIND bench pgvector --database "$url" --items 100000 --dimension 64 --top 1000 --interests 4 --requests 100 "$@"
