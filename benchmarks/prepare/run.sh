#!/usr/bin/env bash
# Benchmark `mind prepare` against pandas (read_csv + stable sort + groupby) on MovieLens-1M and on
# synthetic logs made by `mind synth`, in the same run, with wall time and peak memory (/usr/bin/time -v).
#
#   benchmarks/prepare/run.sh                 # ML-1M and 20M synthetic rows, 3 repetitions each
#   SYNTH_USERS=100000 REPEAT=1 benchmarks/prepare/run.sh   # quicker
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SCRATCH=${SCRATCH:-.build}
CACHE=${MIND_CACHE:-$HOME/.cache/mind}
WORK=${WORK:-/tmp/mind-bench-prepare}
SYNTH_USERS=${SYNTH_USERS:-1000000}   # x mean length 20 = 20M rows
SYNTH_ITEMS=${SYNTH_ITEMS:-100000}
REPEAT=${REPEAT:-3}
PANDAS_VERSION=2.2.3
mkdir -p "$WORK" "$CACHE"

swift build -c release --scratch-path "$SCRATCH" 2>&1 | tail -1
MIND="$ROOT/$SCRATCH/release/mind"

if [ ! -x /usr/bin/time ]; then apt-get install -y time >/dev/null; fi
VENV="$CACHE/venv-bench"
if ! "$VENV/bin/python" -c "import pandas, sys; sys.exit(pandas.__version__ != '$PANDAS_VERSION')" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "pandas==$PANDAS_VERSION"
fi

MIND_CACHE="$CACHE" "$MIND" fetch-movielens --cache "$CACHE" >/dev/null
SYNTH="$WORK/synth-$SYNTH_USERS"
if [ ! -f "$SYNTH/interactions.csv" ]; then
    "$MIND" synth --users "$SYNTH_USERS" --items "$SYNTH_ITEMS" --topics 100 --mean-length 20 --seed 1 --output "$SYNTH"
fi

"$VENV/bin/python" benchmarks/prepare/bench.py --mind "$MIND" --cache "$CACHE" --synth "$SYNTH" --work "$WORK" \
    --repeat "$REPEAT" --output benchmarks/prepare/results.json
