#!/usr/bin/env bash
# Black-box check of the pictures: a tiny synthetic dataset, MIND and YouTubeDNN trained on it, then `mind report`
# and `mind explain` (SVG and HTML) rendered by headless Chromium, which must load each with no console error,
# failed request or XML parse error. Where Chromium is absent the rendering is skipped with a message.
#   scripts/report-check.sh [MIND_BINARY] [PNG_DIR]     # defaults: .build/debug/mind, a temporary directory
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIND=${1:-$ROOT/.build/debug/mind}
if [ ! -x "$MIND" ]; then
    echo "report-check: no mind binary at $MIND (run swift build first)" >&2
    exit 2
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mind-report-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PNG_DIR=${2:-$WORK/png}
mkdir -p "$PNG_DIR"

"$MIND" synth --users 300 --items 120 --seed 11 --output "$WORK/synth" >/dev/null
"$MIND" prepare --interactions "$WORK/synth/interactions.csv" --items "$WORK/synth/items.csv" --output "$WORK/dataset" >/dev/null
for model in mind youtubednn; do
    "$MIND" train --dataset "$WORK/dataset" --model "$model" --epochs 2 --output "$WORK/$model" >/dev/null 2>&1
done
"$MIND" report --model "$WORK/mind" --against "$WORK/youtubednn" --output "$WORK/report.html" --resamples 200 >/dev/null
user=$(sed -n 2p "$WORK/synth/interactions.csv" | cut -d, -f1)
"$MIND" explain --model "$WORK/mind" --user "$user" --output "$WORK/explain.svg" 2>/dev/null
"$MIND" explain --model "$WORK/mind" --user "$user" --output "$WORK/explain.html" 2>/dev/null
"$MIND" explain --model "$WORK/youtubednn" --user "$user" --output "$WORK/explain-youtubednn.svg" 2>/dev/null
"$MIND" explain --model "$WORK/mind" --user "$user" --format text >"$WORK/explain.txt"
head -3 "$WORK/explain.txt"

status=0
for page in report.html explain.svg explain.html explain-youtubednn.svg; do
    "$ROOT/scripts/render-page.sh" --allow-missing --full-page "$WORK/$page" "$PNG_DIR/${page%.*}-${page##*.}.png" || status=1
done
[ $status -eq 0 ] && echo "report-check: report and explain pages written and checked"
exit $status
