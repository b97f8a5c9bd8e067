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
