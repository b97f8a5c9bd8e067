#!/usr/bin/env bash
# Crash test of mind serve's event log: ~16 concurrent writers POST /v1/events, the server is SIGKILLed at a random
# moment and restarted on the same SQLite file, and every acknowledged event must be in its user's history exactly
# once, in order (3 rounds). The checks are in scripts/serve_durability.py (standard library only, so CI needs no pip).
#
#   scripts/serve-durability.sh [MIND_BINARY [MODEL_DIR]]     # defaults: .build/debug/mind, a tiny model built here
#
# Extra settings through the environment: ROUNDS (3), WRITERS (16), SEED (random; printed, to rerun a failure),
# KEEP_ON_FAILURE=1 (keep the temp dir with the events file and server log after a failure),
# MIND_EVENTS_DATABASE_URL (the same test with the log in PostgreSQL, in a fresh table of its own).
# Exit status: 0 passed, 1 a durability/ordering violation, 2 setup failure (server did not start, ...).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIND=${1:-$ROOT/.build/debug/mind}
MODEL=${2:-}
if [ ! -x "$MIND" ]; then
    echo "serve-durability: no mind binary at $MIND (run swift build first)" >&2
    exit 2
fi
MIND=$(cd "$(dirname "$MIND")" && pwd)/$(basename "$MIND")

# Everything (events file, server log, tiny model) lives in one temp dir, removed on exit; the Python helper
# stops the servers it started, also when interrupted.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mind-durability.XXXXXX")
cleanup() {
    local status=$?
    if [ "$status" -ne 0 ] && [ -f "$WORK/serve.log" ] && [ -n "${KEEP_ON_FAILURE:-}" ]; then
        echo "serve-durability: kept $WORK for inspection" >&2
        return
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "$MODEL" ]; then
    source "$ROOT/scripts/lib/tiny-model.sh"
    echo "serve-durability: building a tiny model" >&2
    MODEL=$(make_tiny_model "$MIND" "$WORK/tiny")
fi

args=(--mind "$MIND" --model "$MODEL" --workdir "$WORK" --rounds "${ROUNDS:-3}" --writers "${WRITERS:-16}")
if [ -n "${SEED:-}" ]; then args+=(--seed "$SEED"); fi
if [ -n "${MIND_EVENTS_DATABASE_URL:-}" ]; then
    echo "serve-durability: event log in PostgreSQL" >&2
    args+=(--serve-arg=--events-database --serve-arg="$MIND_EVENTS_DATABASE_URL"
           --serve-arg=--events-table --serve-arg="mind_events_durability_$$_$RANDOM")
fi
python3 "$ROOT/scripts/serve_durability.py" "${args[@]}"
