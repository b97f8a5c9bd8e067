#!/usr/bin/env bash
# Creates (once) the Python venv used by the reference benchmarks:
#   ${MIND_CACHE:-$HOME/.cache/mind}/venv-torch
# with a CPU-only torch and torch-rechub 0.9.0, everything pinned so that the
# numbers in README.md can be reproduced. A second run is a no-op (marker file).
#
# Why this shape:
#  - Only PyPI is reachable, and PyPI's torch for Linux x86_64 is the CUDA build
#    (pulls ~GBs of nvidia-* wheels). A CPU wheel is provided locally in
#    /opt/wheels on our machines; we use it when present.
#  - torch-rechub declares `torch>=1.10.0`; installed normally pip could
#    replace our CPU torch by a CUDA one. So torch-rechub goes in with
#    --no-deps and its runtime imports (numpy, pandas, scikit-learn, tqdm) are
#    installed explicitly and pinned.
set -euo pipefail

TORCH_VERSION=2.13.0
TORCH_WHEEL=/opt/wheels/torch-${TORCH_VERSION}+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
# Pins. Bump deliberately and re-measure (and update the README numbers).
PINS=(
  numpy==2.4.6
  pandas==3.1.1
  scikit-learn==1.9.1      # torch_rechub.trainers imports sklearn.metrics
  tqdm==4.70.1             # torch_rechub trainers / utils.match
  threadpoolctl==3.8.0     # BLAS info + thread control in numpy_gemm.py
  safetensors==0.8.0       # reading our model dirs' weights.safetensors
  # serve_fastapi.py: the HTTP reference for `mind serve` (benchmarks/serve.sh). FastAPI's own
  # recommended install is uvicorn[standard] (uvloop + httptools), the fast configuration.
  fastapi==0.165.0
  "uvicorn[standard]==0.55.0"
  faiss-cpu==1.15.1        # same pin as setup-faiss-venv.sh
)
TORCH_RECHUB=torch-rechub==0.9.0

CACHE=${MIND_CACHE:-$HOME/.cache/mind}
VENV=$CACHE/venv-torch
# The marker's content encodes the pins: changing a pin re-runs the install.
WANT="torch=${TORCH_VERSION} ${PINS[*]} ${TORCH_RECHUB}"
MARKER=$VENV/.mind-setup-done

source "$(dirname "$0")/venv-common.sh"
exit_if_current
create_venv_with_torch
"${PIP[@]}" install "${PINS[@]}"
"${PIP[@]}" install --no-deps "$TORCH_RECHUB"

# Sanity: torch is still the version we installed and torch_rechub imports.
"$VENV/bin/python" - <<PYEOF
import torch, torch_rechub.models.matching as m, torch_rechub.trainers as t
import fastapi, uvicorn, faiss
assert torch.__version__.startswith("${TORCH_VERSION}"), torch.__version__
print("torch", torch.__version__, "| cuda build:", torch.version.cuda)
PYEOF
finish_venv
