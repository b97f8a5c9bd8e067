#!/usr/bin/env bash
# The test suite as CI runs it: setup, a throw-away PostgreSQL with pgvector for the MINDPostgres tests, build, test.
# If the server cannot be started the run goes on and those tests are skipped (each says why); the exit status is
# the tests'.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

./scripts/setup.sh || exit 1

# Chromium loads the report and explain pages in scripts/report-check.sh; if it cannot be installed, those checks
# are skipped with a message (the rest of the suite does not need it).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; } \
        || echo "!!! could not install chromium; the report rendering checks will be skipped" >&2
fi

server_dir=$(mktemp -d "${TMPDIR:-/tmp}/mind-pgvector.XXXXXX")
if url=$(./scripts/pgvector-server.sh start "$server_dir"); then
    export MIND_TEST_DATABASE_URL="$url"
    echo "pgvector test server: $url"
    stop_server() { ./scripts/pgvector-server.sh stop "$server_dir" >/dev/null 2>&1 || true; rm -rf "$server_dir"; }
else
    echo "" >&2
    echo "!!! WARNING: could not start the PostgreSQL/pgvector test server (see above);" >&2
    echo "!!! the MINDPostgres tests that need a database will be SKIPPED." >&2
    echo "" >&2
    unset MIND_TEST_DATABASE_URL
    stop_server() { rm -rf "$server_dir"; }
fi
trap stop_server EXIT

swift build --build-tests || exit 1
swift test --skip-build
status=$?

# Black-box checks of the built binary: acknowledged events survive SIGKILL (none lost, none twice), against SQLite
# and, when the test server is up, PostgreSQL.
./scripts/serve-durability.sh .build/debug/mind || status=1
if [ -n "${MIND_TEST_DATABASE_URL:-}" ]; then
    MIND_EVENTS_DATABASE_URL="$MIND_TEST_DATABASE_URL" ./scripts/serve-durability.sh .build/debug/mind || status=1
fi

# mind report and mind explain on a tiny model, each page loaded by headless Chromium: no console error, no failed
# request, no XML error.
./scripts/report-check.sh .build/debug/mind || status=1

# SIGTERM stops mind train and every model of mind compare at the next batch, with a checkpoint.
./scripts/interrupt-check.sh .build/debug/mind || status=1

# schemathesis, a black-box client, against the live OpenAPI document of a tiny model's service: no 5xx, answers as
# documented, 405 with the right Allow for methods a path does not take.
schemathesis_report=$(mktemp "${TMPDIR:-/tmp}/mind-schemathesis.XXXXXX")
if SCHEMATHESIS_OUT="$schemathesis_report" ./scripts/schemathesis.sh .build/debug/mind >/dev/null; then
    echo "schemathesis: every check passed"
else
    cat "$schemathesis_report"
    echo "schemathesis: failures (the report above)" >&2
    status=1
fi
rm -f "$schemathesis_report"

# Each libFuzzer target for a bounded time (FUZZ_SECONDS, default 60); a crash fails the run.
./scripts/fuzz.sh "${FUZZ_SECONDS:-60}" || status=1
exit $status
