#!/usr/bin/env bash
# Property-based API test of `mind serve` against its own OpenAPI description: schemathesis generates requests
# from GET /openapi.yaml (valid and invalid bodies, path ids, ...) and checks that no answer is a 5xx and that
# every answer matches the schema declared for its status code.
#
#   scripts/schemathesis.sh [MIND_BINARY [MODEL_DIR]]    # defaults: .build/debug/mind, a tiny model built here
#
# Settings: MAX_EXAMPLES (per operation, 100), SEED (42, so a failure reruns the same way), PORT (a free one).
# Writes the report to benchmarks/results/schemathesis.txt (SCHEMATHESIS_OUT to change); the exit status is
# schemathesis's (0: all passed).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIND=${1:-$ROOT/.build/debug/mind}
MODEL=${2:-}
CACHE=${MIND_CACHE:-$HOME/.cache/mind}
OUT=${SCHEMATHESIS_OUT:-$ROOT/benchmarks/results/schemathesis.txt}
MAX_EXAMPLES=${MAX_EXAMPLES:-100}
SEED=${SEED:-42}
if [ ! -x "$MIND" ]; then
    echo "schemathesis.sh: no mind binary at $MIND (run swift build first)" >&2
    exit 2
fi

# A pinned schemathesis in its own venv (its dependencies must not touch the torch venv); a marker holding the
# pin makes later runs no-ops, changing the pin reinstalls. The CLI flags below are those of this version.
SCHEMATHESIS=schemathesis==4.32.5
VENV=$CACHE/venv-schemathesis
if [[ ! -f $VENV/.mind-setup-done || "$(cat "$VENV/.mind-setup-done")" != "$SCHEMATHESIS" ]]; then
    mkdir -p "$CACHE"
    [[ -x $VENV/bin/python ]] || "${PYTHON:-python3}" -m venv "$VENV"
    "$VENV/bin/python" -m pip --disable-pip-version-check --no-input install -q "$SCHEMATHESIS"
    "$VENV/bin/python" -m pip --disable-pip-version-check freeze >"$VENV/pip-freeze.txt"
    echo "$SCHEMATHESIS" >"$VENV/.mind-setup-done"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mind-schemathesis.XXXXXX")
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "$MODEL" ]; then
    source "$ROOT/scripts/lib/tiny-model.sh"
    echo "schemathesis.sh: building a tiny model" >&2
    MODEL=$(make_tiny_model "$MIND" "$WORK/tiny")
    MODEL_NAME="a tiny synthetic model (synth --users 200 --items 100, 1 epoch)"
else
    MODEL=$(cd "$MODEL" && pwd)
    MODEL_NAME=$MODEL
fi

# Writes need the bearer token: run with one and send it, so the event routes are exercised past the 401.
TOKEN=schemathesis-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
echo "$TOKEN" >"$WORK/token"
PORT=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
"$MIND" serve --model "$MODEL" --host 127.0.0.1 --port "$PORT" --events "$WORK/events.sqlite" \
    --token-file "$WORK/token" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
deadline=$((SECONDS + 120))
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz"; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
        echo "schemathesis.sh: mind serve did not become ready; its log:" >&2
        cat "$WORK/serve.log" >&2
        exit 2
    fi
    sleep 0.2
done

mkdir -p "$(dirname "$OUT")"
# No 5xx; bodies and content types as documented; a method a path does not take is a 405 whose Allow is right.
CHECKS=not_a_server_error,response_schema_conformance,content_type_conformance,unsupported_method,allow_header_conformance
cmd=("$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/openapi.yaml"
     --checks "$CHECKS"
     --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 1 --request-timeout 30
     -H "Authorization: Bearer $TOKEN")
{
    echo "# scripts/schemathesis.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "# $("$VENV/bin/schemathesis" --version); checks: ${CHECKS//,/, };" \
         "max examples $MAX_EXAMPLES per operation; seed $SEED; $MODEL_NAME"
    echo
} | tee "$OUT"
status=0
# From the temp dir: schemathesis and hypothesis leave .schemathesis/ and .hypothesis/ in the working directory.
cd "$WORK"
# The token is random per run, but keep it out of the report anyway.
NO_COLOR=1 COLUMNS=120 "${cmd[@]}" 2>&1 | sed -u "s/$TOKEN/<token>/g" | tee -a "$OUT" || status=${PIPESTATUS[0]}
# The server must have survived every request and still answer.
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "schemathesis.sh: mind serve died during the run; its log:" | tee -a "$OUT" >&2
    tail -30 "$WORK/serve.log" | tee -a "$OUT" >&2
    exit 1
fi
echo "schemathesis exit status $status; report in $OUT" >&2
exit "$status"
