# Sourced by the setup-*-venv.sh scripts that need torch: the marker check, the venv, and the CPU torch
# wheel (never PyPI's CUDA build when the local wheel exists). Expects CACHE, VENV, WANT, MARKER,
# TORCH_VERSION and TORCH_WHEEL; sets PIP (the venv's pip) and TORCH_REQ (what names torch to the resolver).

# Exits the calling script when the venv already holds exactly WANT.
exit_if_current() {
  if [[ -f $MARKER && "$(cat "$MARKER")" == "$WANT" ]]; then
    echo "venv up to date: $VENV"
    exit 0
  fi
}

# Creates the venv (Python 3.11, the wheel's ABI) and installs torch into it.
create_venv_with_torch() {
  local py=${PYTHON:-python3}
  "$py" -c 'import sys; assert sys.version_info[:2] == (3, 11), "need Python 3.11 (the local torch wheel is cp311)"'
  mkdir -p "$CACHE"
  [[ -x $VENV/bin/python ]] || "$py" -m venv "$VENV"
  PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input)
  TORCH_REQ=$TORCH_WHEEL
  if [[ -f $TORCH_WHEEL ]]; then
    "${PIP[@]}" install "$TORCH_WHEEL"
  else
    TORCH_REQ=torch==${TORCH_VERSION}
    echo "WARNING: $TORCH_WHEEL not found; installing torch==${TORCH_VERSION} from PyPI," >&2
    echo "WARNING: which is the CUDA build and pulls several GB of nvidia-* wheels." >&2
    "${PIP[@]}" install "torch==${TORCH_VERSION}"
  fi
}

# Records what was installed: the frozen list and the marker.
finish_venv() {
  "${PIP[@]}" freeze > "$VENV/pip-freeze.txt"
  echo "$WANT" > "$MARKER"
  echo "venv ready: $VENV (frozen list in $VENV/pip-freeze.txt)"
}
