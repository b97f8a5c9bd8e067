#!/usr/bin/env bash
# HTTP serving benchmark: `mind serve` against the FastAPI + torch-rechub + faiss reference
# (benchmarks/reference/serve_fastapi.py), driven by wrk on this machine.
#
#   benchmarks/serve.sh        # appends to benchmarks/results/serve.jsonl and prints a summary
#
# Model: MIND trained 4 epochs on the MovieLens-1M users split (trained once into $CACHE/bench-serve, reused).
# Requests: real 50-item MovieLens-1M histories (the users' 50 most recent items), top 1000 (n=1000).
#   1. mind serve: recommend at 32 connections (throughput, p50, p99) and at 4 connections (p99);
#      event ingestion (one event a request, 32 connections); 60 s mixed (90% recommend, 10% events)
#      with the server's RSS sampled every 5 s. Then SIGTERM, which must exit 0.
#   2. The FastAPI reference with 1 and with 2 uvicorn workers: the same recommend runs. Servers run one at
#      a time, never beside each other, so each gets both cores (shared with wrk itself, for all alike).
# Each timed run follows a warm-up run (discarded). Settings: DURATION (20 s), WARMUP (3 s), MIXED (60 s),
# CONNECTIONS (32), FEW (4), INDEX (exact), WORKERS ("1 2"), SKIP_REFERENCE=1, PORT (18080).
source "$(dirname "$0")/common.sh"
WORK=${WORK:-$CACHE/bench-serve}
OUT=$ROOT/benchmarks/results
RESULTS=$OUT/serve.jsonl
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-3}
MIXED=${MIXED:-60}
CONNECTIONS=${CONNECTIONS:-32}
FEW=${FEW:-4}
INDEX=${INDEX:-exact}
WORKERS=${WORKERS:-1 2}
PORT=${PORT:-18080}
LUA=$ROOT/benchmarks/serve
mkdir -p "$WORK" "$OUT"

if ! command -v wrk >/dev/null; then
    echo "serve.sh needs wrk: apt-get install -y wrk" >&2
    exit 1
fi

# --- data, model, request bodies (each step skipped when its output is there) -----------------------------
$MIND fetch-movielens --cache "$CACHE" >&2
ML=$CACHE/ml-1m
if [ ! -f "$WORK/users/manifest.json" ]; then
    $MIND prepare --interactions "$ML/ml-1m.inter" --items "$ML/ml-1m.item" --users "$ML/ml-1m.user" \
        --split users --seed 42 --output "$WORK/users" >&2
fi
MODEL=$WORK/model-mind
# A marker written only after train succeeds: a killed training run is retrained, not served half-done.
if [ ! -f "$MODEL/.serve-bench-trained" ]; then
    $MIND train --dataset "$WORK/users" --model mind --epochs 4 --output "$MODEL" --force >&2
    touch "$MODEL/.serve-bench-trained"
fi
# The reference indexes our trained item vectors (same ids, same catalogue) via `mind export`.
if [ ! -f "$WORK/export/manifest.json" ] || [ "$MODEL/.serve-bench-trained" -nt "$WORK/export/manifest.json" ]; then
    $MIND export --model "$MODEL" --output "$WORK/export" >&2
fi
BODIES=$WORK/bodies.jsonl
ITEMS=$WORK/items.jsonl
python3 "$LUA/make_bodies.py" --interactions "$ML/ml-1m.inter" --items "$MODEL/items.txt" \
    --bodies "$BODIES" --item-list "$ITEMS" >&2
if [ "${SKIP_REFERENCE:-0}" != 1 ]; then use_torch_venv; fi

# --- server lifecycle ---------------------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mind-serve-bench.XXXXXX")
SERVER_PID=""
RSS_PID=""
cleanup() {
    # Only the processes this script started, by PID.
    if [ -n "$RSS_PID" ]; then kill "$RSS_PID" 2>/dev/null || true; fi
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

# start_server NAME CMD...: starts it in the background and waits (up to 5 min) for GET /readyz to answer 200.
start_server() {
    local name=$1; shift
    "$@" >"$TMP/$name.log" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + 300))
    until curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz"; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
            echo "$name did not become ready on port $PORT; its log:" >&2
            tail -30 "$TMP/$name.log" >&2
            exit 1
        fi
        sleep 0.2
    done
    echo "$name ready (pid $SERVER_PID)" >&2
}

# stop_server: SIGTERM, wait, and return its exit status (ours must drain and exit 0).
stop_server() {
    local status=0
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || status=$?
    SERVER_PID=""
    return $status
}

# check_recommend NAME: one request before timing, so a server answering fast with something wrong (an error
# body, too few items, history items) cannot pass for fast; wrk only counts statuses.
check_recommend() {
    python3 - "$1" "http://127.0.0.1:$PORT/v1/recommend" "$BODIES" <<'PY'
import json, sys, urllib.request
name, url, bodies = sys.argv[1:4]
body = json.loads(open(bodies).readline())
req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
answer = json.load(urllib.request.urlopen(req, timeout=60))
items = answer.get("items", [])
problems = []
if len(items) != body["n"] or len(set(items)) != len(items):
    problems.append(f"{len(items)} items ({len(set(items))} distinct), expected {body['n']}")
if set(items) & set(body["history"]):
    problems.append("the history is not excluded")
if len(answer.get("scores", [])) != len(items) or len(answer.get("interests", [])) != len(items):
    problems.append("scores/interests do not match the items")
if any(a < b for a, b in zip(answer["scores"], answer["scores"][1:])):
    problems.append("scores are not in decreasing order")
if problems:
    sys.exit(f"{name}: wrong answer to a recommend request: " + "; ".join(problems))
print(f"{name}: answer checked ({len(items)} items, history excluded)", file=sys.stderr)
PY
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# --- measurement --------------------------------------------------------------------------------------------
RUN_ID=$(date -u +%Y-%m-%dT%H:%M:%SZ)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
machine_json() {
    printf '{"nproc": %d, "cpu": "%s", "loadavg": "%s"}' "$(nproc)" "$CPU_MODEL" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
echo "machine: nproc=$(nproc) cpu=\"$CPU_MODEL\" load=$(cut -d' ' -f1-3 /proc/loadavg) commit=$COMMIT" >&2

# wrk_run SERVER TEST CONNECTIONS SECONDS SCRIPT ARGS...: a warm-up run (discarded), then the timed run; appends
# one JSON line (wrk's summary from common.lua's done() plus who/what/where) to $RESULTS and $TMP/run.jsonl.
wrk_run() {
    local server=$1 test=$2 conns=$3 secs=$4 script=$5; shift 5
    local threads=2
    if [ "$conns" -lt 2 ]; then threads=1; fi
    local url="http://127.0.0.1:$PORT"
    wrk -t"$threads" -c"$conns" -d"${WARMUP}s" --timeout 10s -s "$LUA/$script" "$url" -- "$@" >/dev/null
    local load_before
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$LUA/$script" "$url" -- "$@" >"$TMP/wrk.out"
    local summary
    summary=$(grep '^{' "$TMP/wrk.out" | tail -1)
    if [ -z "$summary" ]; then
        echo "wrk printed no summary for $server/$test:" >&2
        cat "$TMP/wrk.out" >&2
        exit 1
    fi
    local line
    line=$(printf '{"bench": "serve", "run": "%s", "commit": "%s", "server": "%s", "test": "%s", "connections": %d, "wrk_threads": %d, "load_before": "%s", "machine": %s, "wrk": %s%s}' \
        "$RUN_ID" "$COMMIT" "$server" "$test" "$conns" "$threads" "$load_before" "$(machine_json)" "$summary" "${EXTRA_JSON:-}")
    echo "$line" >>"$RESULTS"
    echo "$line" >>"$TMP/run.jsonl"
    echo "$server $test c=$conns: $(echo "$summary" | python3 -c 'import json, sys; s = json.load(sys.stdin); l, e = s["latency_ms"], s["errors"]
print("%.0f req/s, p50 %s ms, p99 %s ms, non-2xx %d, timeouts %d" % (s["rps"], l["p50"], l["p99"], e["status"], e["timeout"]))')" >&2
}

# 1. mind serve, on a fresh events file (ingested bench events must not leak into the next run).
start_server mind "$MIND" serve --model "$MODEL" --host 127.0.0.1 --port "$PORT" --index "$INDEX" \
    --events "$TMP/events.sqlite"
OURS_PID=$SERVER_PID
check_recommend mind
RSS_START=$(rss_kib "$OURS_PID")
wrk_run mind "recommend-n1000-h50" "$CONNECTIONS" "$DURATION" recommend.lua "$BODIES"
wrk_run mind "recommend-n1000-h50" "$FEW" "$DURATION" recommend.lua "$BODIES"
wrk_run mind "events-single" "$CONNECTIONS" "$DURATION" events.lua "$ITEMS"

# Mixed run with RSS sampled every 5 s from /proc (kB): flat samples = no leak under sustained load.
(while kill -0 "$OURS_PID" 2>/dev/null; do rss_kib "$OURS_PID"; sleep 5; done) >"$TMP/rss.txt" &
RSS_PID=$!
EXTRA_JSON="" wrk_run mind "mixed-90rec-10events" "$CONNECTIONS" "$MIXED" mixed.lua "$BODIES" "$ITEMS"
kill "$RSS_PID" 2>/dev/null || true
wait "$RSS_PID" 2>/dev/null || true
RSS_PID=""
RSS_SAMPLES=$(paste -sd, "$TMP/rss.txt")
RSS_END=$(rss_kib "$OURS_PID")
# Attach the RSS samples to the mixed run's line (the last line written).
python3 - "$RESULTS" "$TMP/run.jsonl" "$RSS_START" "$RSS_SAMPLES" "$RSS_END" <<'PY'
import json, sys
results, run, start, samples, end = sys.argv[1:6]
rss = {"rss_kib_start": int(start or 0), "rss_kib_samples_5s": [int(x) for x in samples.split(",") if x],
       "rss_kib_end": int(end or 0)}
for path in (results, run):
    lines = open(path).read().splitlines()
    last = json.loads(lines[-1])
    last.update(rss)
    lines[-1] = json.dumps(last)
    open(path, "w").write("\n".join(lines) + "\n")
PY
echo "mind RSS (KiB): start $RSS_START, every 5 s during the mixed run: $RSS_SAMPLES, end $RSS_END" >&2
status=0
stop_server || status=$?
echo "mind serve exited with status $status after SIGTERM" >&2
if [ "$status" -ne 0 ]; then echo "WARNING: mind serve should exit 0 on SIGTERM" >&2; fi

# 1b. Event ingestion with the log in PostgreSQL: EVENTS_DATABASE=URL, or a throw-away pgserver (PyPI) started
# here; SKIP_POSTGRES=1 skips it.
if [ "${SKIP_POSTGRES:-0}" != 1 ]; then
    pg_url=${EVENTS_DATABASE:-}
    if [ -z "$pg_url" ]; then
        # A directory of its own: run as root, the server runs as nobody, who cannot enter $TMP (mode 700).
        PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mind-serve-pg.XXXXXX")
        pg_url=$("$ROOT/scripts/pgvector-server.sh" start "$PG_DIR" || true)
    fi
    if [ -n "$pg_url" ]; then
        start_server mind-pg "$MIND" serve --model "$MODEL" --host 127.0.0.1 --port "$PORT" --index "$INDEX" \
            --events-database "$pg_url" --events-table "mind_events_bench_$$"
        wrk_run mind-pg "events-single" "$CONNECTIONS" "$DURATION" events.lua "$ITEMS"
        stop_server || true
        if [ -n "${PG_DIR:-}" ]; then "$ROOT/scripts/pgvector-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; fi
    else
        echo "no PostgreSQL for the ingestion run (set EVENTS_DATABASE=URL); skipped" >&2
    fi
fi

# 2. The FastAPI reference, one worker count at a time (only after ours has stopped).
if [ "${SKIP_REFERENCE:-0}" != 1 ]; then
    for w in $WORKERS; do
        start_server "fastapi-w$w" "$PY" "$ROOT/benchmarks/reference/serve_fastapi.py" --port "$PORT" --workers "$w" \
            --export "$WORK/export"
        check_recommend "fastapi-w$w"
        wrk_run "fastapi-w$w" "recommend-n1000-h50" "$CONNECTIONS" "$DURATION" recommend.lua "$BODIES"
        wrk_run "fastapi-w$w" "recommend-n1000-h50" "$FEW" "$DURATION" recommend.lua "$BODIES"
        stop_server || true
    done
fi

# --- summary ------------------------------------------------------------------------------------------------
python3 - "$TMP/run.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print()
print(f"serve benchmark {rows[0]['run']} (commit {rows[0]['commit']}), machine: nproc {rows[0]['machine']['nproc']}, "
      f"{rows[0]['machine']['cpu']}, load at start {rows[0]['load_before']}")
print(f"{'server':<12} {'test':<22} {'conns':>5} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'non-2xx':>8} {'sock err':>8}")
for r in rows:
    w = r["wrk"]; e = w["errors"]
    print(f"{r['server']:<12} {r['test']:<22} {r['connections']:>5} {w['rps']:>9.0f} {w['latency_ms']['p50']:>9} "
          f"{w['latency_ms']['p99']:>9} {e['status']:>8} {e['connect'] + e['read'] + e['write'] + e['timeout']:>8}")
    if "rss_kib_samples_5s" in r:
        s = r["rss_kib_samples_5s"]
        print(f"{'':<12} RSS MiB every 5 s: " + " ".join(f"{x / 1024:.0f}" for x in s)
              + (f"  (max-min {(max(s) - min(s)) / 1024:.1f} MiB)" if s else ""))
print("(wrk shares the 2 cores with the server in every run; latencies include wrk's own scheduling.)")
PY
echo "appended to $RESULTS" >&2
