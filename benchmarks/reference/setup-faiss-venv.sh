#!/usr/bin/env bash
# Creates (once) the venv of the faiss reference: ${MIND_CACHE:-$HOME/.cache/mind}/venv-faiss with pinned
# faiss-cpu and numpy from PyPI. A second run is a no-op (marker file holding the pins).
set -euo pipefail
PINS=(faiss-cpu==1.15.1 numpy==2.4.6)
CACHE=${MIND_CACHE:-$HOME/.cache/mind}
VENV=$CACHE/venv-faiss
MARKER=$VENV/.mind-setup-done
if [[ -f $MARKER && "$(cat "$MARKER")" == "${PINS[*]}" ]]; then
  exit 0
fi
mkdir -p "$CACHE"
[[ -x $VENV/bin/python ]] || "${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/python" -m pip --disable-pip-version-check --no-input install -q "${PINS[@]}"
"$VENV/bin/python" -c 'import faiss, numpy; print("faiss", faiss.__version__, "numpy", numpy.__version__)'
echo "${PINS[*]}" > "$MARKER"
