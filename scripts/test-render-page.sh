#!/usr/bin/env bash
# Self-test of scripts/render-page.sh: a clean page renders to a PNG; pages with a console error, an uncaught
# exception, an external resource or malformed SVG fail with status 1 and name the error. Skips (status 0, with a
# message) when Chromium is not installed.
set -euo pipefail
render="$(cd "$(dirname "$0")" && pwd)/render-page.sh"
dir=$(mktemp -d "${TMPDIR:-/tmp}/test-render-page.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"

cat > clean.html <<'EOF'
<!doctype html>
<html><head><meta charset="utf-8"><title>clean</title><style>body { font-family: sans-serif }</style></head>
<body><h1>clean</h1><img alt="" src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/%3E">
<script>console.log("not an error"); console.warn("nor is this")</script></body></html>
EOF
cat > console-error.html <<'EOF'
<!doctype html><html><body><p>x</p><script>console.error("boom")</script></body></html>
EOF
cat > throw.html <<'EOF'
<!doctype html><html><body><p>x</p><script>throw new Error("x")</script></body></html>
EOF
cat > external.html <<'EOF'
<!doctype html><html><body><p>x</p><img src="https://example.com/a.png"></body></html>
EOF
cat > clean.svg <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="teal"/></svg>
EOF
cat > malformed.svg <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="teal"></svg>
EOF

failures=0
# expect STATUS PATTERN ARGS...: runs render-page with ARGS, checks the status and that stderr+stdout match PATTERN.
expect() {
    local want=$1 pattern=$2 got=0
    shift 2
    "$render" "$@" > out.log 2>&1 || got=$?
    if [ "$got" = "$want" ] && grep -qE -- "$pattern" out.log; then
        echo "ok   $* -> $got"
    else
        echo "FAIL $* -> $got (want $want, output matching '$pattern'):"
        sed 's/^/     /' out.log
        failures=$((failures + 1))
    fi
}
# png_is FILE WIDTH HEIGHT: FILE is a PNG of that size.
png_is() {
    local sig size
    sig=$(od -An -tx1 -N8 "$1" 2>/dev/null | tr -d ' \n')
    size=$(od -An -tu1 -j16 -N8 "$1" 2>/dev/null |
        awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}')
    if [ "$sig" = 89504e470d0a1a0a ] && [ "$size" = "$2x$3" ]; then
        echo "ok   $1 is a ${2}x${3} PNG"
    else
        echo "FAIL $1: signature '$sig', size '$size', want a ${2}x${3} PNG"
        failures=$((failures + 1))
    fi
}

status=0
"$render" clean.html probe.png > probe.log 2>&1 || status=$?
if [ "$status" = 3 ]; then
    echo "test-render-page: skipped: Chromium is not installed (apt-get install chromium)" >&2
    exit 0
fi

expect 0 'render-page: clean.png \(1280x800\)' clean.html clean.png
png_is clean.png 1280 800
expect 0 'clean-small.png \(640x200\)' --width 640 --height 200 clean.html clean-small.png
png_is clean-small.png 640 200
expect 0 'clean-svg.png \(300x100\)' --width 300 --full-page clean.svg clean-svg.png
png_is clean-svg.png 300 100
expect 1 '^console-error.html: console.error: boom' console-error.html bad1.png
expect 1 '^throw.html: uncaught Error: x' throw.html bad2.png
expect 1 '^external.html: external request .*https://example.com/a.png' external.html bad3.png
expect 1 '^malformed.svg: XML parse error' malformed.svg bad4.png
for f in bad1.png bad2.png bad3.png bad4.png; do
    if [ -e "$f" ]; then echo "FAIL $f was written for a page with errors"; failures=$((failures + 1)); fi
done
if compgen -G '.render-page.*' > /dev/null; then echo "FAIL a temporary PNG was left behind"; failures=$((failures + 1)); fi
# A missing browser: status 3, or 0 with --allow-missing; the one-line message either way.
CHROMIUM=/nonexistent/chromium expect 3 '^render-page: skipped: Chromium is not installed' clean.html x.png
CHROMIUM=/nonexistent/chromium expect 0 '^render-page: skipped: Chromium is not installed' --allow-missing clean.html x.png
expect 2 'no such file' missing.html x.png

if [ "$failures" -ne 0 ]; then
    echo "test-render-page: $failures check(s) failed"
    exit 1
fi
echo "test-render-page: all checks passed"
