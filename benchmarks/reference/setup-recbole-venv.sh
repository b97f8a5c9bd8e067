#!/usr/bin/env bash
# Creates (once) the Python venv used by recbole_sequential.py:
#   ${MIND_CACHE:-$HOME/.cache/mind}/venv-recbole
# with a CPU-only torch and RecBole 1.2.1, everything pinned so that the numbers
# in README.md can be reproduced. A second run is a no-op (marker file).
#
# Why a venv of its own (not venv-torch): RecBole 1.2.1 still uses np.float and
# np.long (removed in numpy 1.24), so it needs numpy 1.23, while venv-torch pins
# numpy 2.x for torch-rechub and the other references.
#
# Why this shape:
#  - Only PyPI is reachable, and PyPI's torch for Linux x86_64 is the CUDA build
#    (pulls ~GBs of nvidia-* wheels). A CPU wheel is provided locally in
#    /opt/wheels on our machines; we use it when present.
#  - recbole declares `torch>=1.10.0`; installed normally pip could replace our
#    CPU torch by a CUDA one. So recbole goes in with --no-deps and its declared
#    runtime requirements are installed explicitly and pinned (versions that
#    still accept numpy 1.23 on Python 3.11).
set -euo pipefail

TORCH_VERSION=2.13.0
TORCH_WHEEL=/opt/wheels/torch-${TORCH_VERSION}+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
# Pins. Bump deliberately and re-measure (and update the README numbers).
PINS=(
  numpy==1.23.5            # recbole 1.2.1 uses np.float / np.long (gone in numpy 1.24)
  pandas==1.5.3            # atomic-file reading (recbole.data); last 1.x, built for numpy 1.23
  scipy==1.10.1            # recbole.data (sparse matrices); accepts numpy 1.23
  scikit-learn==1.2.2      # recbole.evaluator.metrics (sklearn.metrics)
  tqdm==4.66.5             # recbole.trainer progress bars
  pyyaml==6.0.2            # recbole.config reads its YAML defaults
  colorlog==4.7.2          # recbole.utils.logger (exact pin declared by recbole)
  colorama==0.4.4          # recbole.utils.logger (exact pin declared by recbole)
  tensorboard==2.15.2      # recbole.utils.utils imports torch.utils.tensorboard.SummaryWriter
  texttable==1.7.0         # recbole.utils.utils
  tabulate==0.9.0          # declared by recbole (model summary tables)
  thop==0.1.1.post2209072238  # recbole.utils.get_flops (FLOPs in the log header)
  psutil==5.9.8            # recbole.utils.get_gpu_usage / memory info
  plotly==5.24.1           # recbole.trainer.hyper_tuning (plots of tuning runs)
  ray==2.6.3               # recbole.quick_start imports `from ray import tune` at module level; recbole wants <=2.6.3
  hyperopt==0.2.5          # recbole.trainer.hyper_tuning (its declared [hyperopt] extra)
  setuptools==80.9.0       # ray 2.6.3 imports pkg_resources (removed in setuptools 81); torch wants >=77.0.3
  protobuf==4.25.8         # ray 2.6.3's generated *_pb2 modules predate protobuf 5+; tensorboard accepts 4.25
)
RECBOLE=recbole==1.2.1

CACHE=${MIND_CACHE:-$HOME/.cache/mind}
VENV=$CACHE/venv-recbole
# The marker's content encodes the pins: changing a pin re-runs the install.
WANT="torch=${TORCH_VERSION} ${PINS[*]} ${RECBOLE}"
MARKER=$VENV/.mind-setup-done

source "$(dirname "$0")/venv-common.sh"
exit_if_current
create_venv_with_torch
# torch is named again so the resolver cannot swap it for a CUDA build.
"${PIP[@]}" install "${PINS[@]}" "$TORCH_REQ"
"${PIP[@]}" install --no-deps "$RECBOLE"

# Sanity: torch is still the version we installed, numpy is 1.x and everything
# recbole imports (trainer, quick_start with ray.tune, hyper_tuning) loads.
"$VENV/bin/python" - <<PYEOF
import torch, numpy
import recbole.quick_start, recbole.trainer, recbole.data, recbole.model.sequential_recommender
import recbole.trainer.hyper_tuning, hyperopt, plotly, thop, ray.tune
assert torch.__version__.startswith("${TORCH_VERSION}"), torch.__version__
assert numpy.__version__.startswith("1."), numpy.__version__
print("torch", torch.__version__, "| cuda build:", torch.version.cuda, "| numpy", numpy.__version__)
PYEOF
finish_venv
