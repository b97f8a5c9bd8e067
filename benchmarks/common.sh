# Sourced by the benchmark scripts: run from the repository root with OpenBLAS installed and a
# release build; MIND is the binary, CACHE the data cache. `use_torch_venv` adds PY, the
# cached Python with torch and torch-rechub (benchmarks/reference/setup-venv.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
./scripts/setup.sh
swift build -c release 2>&1 | tail -1 >&2
MIND=$ROOT/.build/release/mind
CACHE=${MIND_CACHE:-$HOME/.cache/mind}

use_torch_venv() {
    bash benchmarks/reference/setup-venv.sh >&2
    PY=$CACHE/venv-torch/bin/python
}

# prepare_movielens SPLIT DIR: MovieLens-1M (fetched once into the cache) prepared with SPLIT (users or
# leave-one-out, seed 42) into DIR, unless DIR already holds it.
prepare_movielens() {
    local split=$1 dir=$2 ml=$CACHE/ml-1m
    [ -f "$dir/manifest.json" ] && return 0
    $MIND fetch-movielens --cache "$CACHE" >&2
    $MIND prepare --interactions "$ml/ml-1m.inter" --items "$ml/ml-1m.item" --users "$ml/ml-1m.user" \
        --split "$split" --seed 42 --output "$dir" >&2
}
