#!/usr/bin/env bash
# Renders a self-contained HTML or SVG file with headless Chromium to a PNG and fails if the page is not clean.
#
#   scripts/render-page.sh [--allow-missing] [--width 1280] [--height 800 | --full-page] INPUT.html|INPUT.svg OUTPUT.png
#
# Used by the tests (the HTML of `mind report`, the SVG of `mind explain`) and to make the README's screenshot.
#
# Exit status: 0 rendered and clean; 1 the page has errors (each printed to stderr, prefixed with INPUT);
# 2 usage error; 3 Chromium (or python3) is not installed (0 with --allow-missing, after a one-line "skipped"
# message); 4 the browser failed (crash, timeout: RENDER_PAGE_TIMEOUT seconds, default 60).
#
# How errors are found: the browser is driven over the DevTools protocol on a pipe (--remote-debugging-pipe) by a
# small python3 client (standard library only) embedded below, which records from the page's own target:
#   - console.error / console.assert calls            (Runtime.consoleAPICalled)
#   - uncaught exceptions and unhandled rejections    (Runtime.exceptionThrown)
#   - browser-side errors about the page: failed loads, CSP, ... (Log.entryAdded, level "error")
#   - every failed resource load                       (Network.loadingFailed)
#   - any request that is not file:, data:, blob: or about: (the pages must be self-contained; DNS is also
#     made to fail by --host-resolver-rules, so nothing is fetched even when the machine has a network)
#   - an XML parse error (a malformed .svg gives a <parsererror> document, "This page contains the following errors")
# Chromium's own stderr is not parsed for page errors (there, --enable-logging prints console.error and console.log
# alike as INFO:CONSOLE and says nothing of failed loads), so none of its noise can pass for, or hide, a page error.
# It is shown only when the browser itself fails, less the lines it always prints in a container (see "noise"
# below: D-Bus, UPower, bluez/Floss, VA-API/DRM, sandbox start-up, the Debian wrapper's /dev/shm check).
# Ignored: console.log/info/warn/debug, Log entries below "error", and Log "network" entries (the same failure
# comes, with its reason, from Network.loadingFailed).
set -euo pipefail

usage() {
    sed -n '4p' "$0" | sed 's/^#   //' >&2
    exit 2
}

width=1280
height=800
full_page=0
allow_missing=0
positional=()
while [ $# -gt 0 ]; do
    case "$1" in
        --width) [ $# -ge 2 ] || usage; width=$2; shift 2 ;;
        --width=*) width=${1#*=}; shift ;;
        --height) [ $# -ge 2 ] || usage; height=$2; full_page=0; shift 2 ;;
        --height=*) height=${1#*=}; full_page=0; shift ;;
        --full-page) full_page=1; shift ;;
        --allow-missing) allow_missing=1; shift ;;
        -h|--help) usage ;;
        --) shift; positional+=("$@"); break ;;
        -*) echo "render-page: unknown option $1" >&2; usage ;;
        *) positional+=("$1"); shift ;;
    esac
done
[ ${#positional[@]} -eq 2 ] || usage
input=${positional[0]}
output=${positional[1]}
for n in "$width" "$height"; do
    case "$n" in ''|*[!0-9]*) echo "render-page: --width/--height take a positive number of CSS pixels" >&2; exit 2 ;; esac
    if [ "$n" -lt 1 ] || [ "$n" -gt 16384 ]; then echo "render-page: size $n is out of 1..16384" >&2; exit 2; fi
done
case "$input" in *.html|*.htm|*.svg|*.xhtml) ;; *) echo "render-page: $input: expected a .html or .svg file" >&2; exit 2 ;; esac
[ -f "$input" ] || { echo "render-page: $input: no such file" >&2; exit 2; }
output_dir=$(dirname -- "$output")
[ -d "$output_dir" ] || { echo "render-page: $output_dir: no such directory" >&2; exit 2; }

missing() {
    echo "render-page: skipped: $1" >&2
    if [ "$allow_missing" = 1 ]; then exit 0; fi
    exit 3
}

# The Debian, Ubuntu and Google names, in that order.
# $CHROMIUM, when set, is the only one tried (so a wrong path is not silently replaced by another browser).
chromium=""
candidates=(chromium chromium-browser google-chrome)
if [ -n "${CHROMIUM:-}" ]; then candidates=("$CHROMIUM"); fi
for candidate in "${candidates[@]}"; do
    if command -v "$candidate" >/dev/null 2>&1; then
        chromium=$(command -v "$candidate")
        break
    fi
done
[ -n "$chromium" ] || missing "Chromium is not installed (apt-get install chromium)"
command -v python3 >/dev/null 2>&1 || missing "python3 is not installed (apt-get install python3)"

# One scratch directory for the throw-away profile, the browser's log and the PNG until it is complete; the PNG is
# written next to OUTPUT so that the final mv is a rename on one file system (readers never see half a file).
work=$(mktemp -d "${TMPDIR:-/tmp}/render-page.XXXXXX")
partial=$(mktemp "$output_dir/.render-page.XXXXXX")
cleanup() { rm -rf "$work"; rm -f "$partial"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

flags=(
    --headless                      # the new headless mode: the real browser, no display needed
    --disable-gpu                   # software rendering: same pixels on CI and laptops, no GPU noise
    "--user-data-dir=$work/profile" # throw-away profile, removed by the trap
    --remote-debugging-pipe         # the DevTools protocol on fds 3/4: no port to pick, nothing listening
    "--host-resolver-rules=MAP * ~NOTFOUND" # no host resolves: a page that reaches out fails loudly
    --disable-background-networking --disable-component-update --disable-sync --disable-default-apps
    --disable-extensions --no-first-run --no-default-browser-check --mute-audio
    --disable-dev-shm-usage         # containers often have a tiny /dev/shm
    --hide-scrollbars               # no scrollbar in the screenshot
    --force-color-profile=srgb
    --force-device-scale-factor=1
)
# Chromium refuses to start as root with its sandbox on; elsewhere keep it.
if [ "$(id -u)" -eq 0 ]; then flags+=(--no-sandbox); fi

set +e
python3 - "$chromium" "$input" "$partial" "$width" "$height" "$full_page" "${RENDER_PAGE_TIMEOUT:-60}" \
    "$work/chromium.log" "${flags[@]}" <<'PY'
import base64, json, os, pathlib, re, select, signal, subprocess, sys, time

chromium, input_path, png_path, width, height, full_page, timeout, log_path = sys.argv[1:9]
flags = sys.argv[9:]
width, height, full_page, timeout = int(width), int(height), full_page == "1", float(timeout)
name = input_path
deadline = time.monotonic() + timeout
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome-error:")


class BrowserFailed(Exception):
    pass


def on_term(signum, frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, on_term)

# Chromium reads commands from fd 3 and writes replies and events to fd 4, each message ending in a NUL byte.
cmd_r, cmd_w = os.pipe()
evt_r, evt_w = os.pipe()


def child_fds():
    os.dup2(cmd_r, 3)
    os.dup2(evt_w, 4)


log = open(log_path, "wb")
proc = subprocess.Popen([chromium, *flags, "about:blank"], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                        preexec_fn=child_fds, pass_fds=(3, 4), start_new_session=True)
os.close(cmd_r)
os.close(evt_w)

buffer = b""
next_id = 0
events = []  # (sessionId, method, params) not yet handled


def read_message():
    global buffer
    while b"\0" not in buffer:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BrowserFailed(f"timed out after {timeout:g} s (RENDER_PAGE_TIMEOUT)")
        ready, _, _ = select.select([evt_r], [], [], left)
        if ready:
            chunk = os.read(evt_r, 1 << 20)
            if not chunk:
                raise BrowserFailed("the browser closed the DevTools pipe (crashed or refused to start)")
            buffer += chunk
    message, buffer = buffer.split(b"\0", 1)
    return json.loads(message)


def send(method, params=None, session=None):
    global next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(cmd_w, json.dumps(message).encode() + b"\0")
    while True:
        reply = read_message()
        if reply.get("id") == next_id:
            if "error" in reply:
                raise BrowserFailed(f"{method}: {reply['error'].get('message')}")
            return reply.get("result", {})
        if "method" in reply:
            events.append(reply)


def wait_event(method, session):
    while True:
        for i, event in enumerate(events):
            if event["method"] == method and event.get("sessionId") == session:
                return events.pop(i)
        events.append(read_message())


errors = []


def where(url, line=None):
    if not url:
        return ""
    return f" ({url}{':' + str(line + 1) if line is not None else ''})"


def collect(event):
    method, p = event["method"], event.get("params", {})
    if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
        text = " ".join(str(a.get("value", a.get("description", a.get("type")))) for a in p.get("args", []))
        frames = (p.get("stackTrace") or {}).get("callFrames") or [{}]
        errors.append(f"console.{p['type']}: {text}{where(frames[0].get('url'), frames[0].get('lineNumber'))}")
    elif method == "Runtime.exceptionThrown":
        d = p.get("exceptionDetails", {})
        text = (d.get("exception") or {}).get("description") or d.get("text", "exception")
        errors.append(f"uncaught {text.splitlines()[0]}{where(d.get('url'), d.get('lineNumber'))}")
    elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
        e = p["entry"]
        if e.get("source") == "network":
            return  # the same failure is reported by Network.loadingFailed, with the reason
        errors.append(f"{e.get('source', 'log')}: {e.get('text')}{where(e.get('url'), e.get('lineNumber'))}")
    elif method == "Network.requestWillBeSent":
        url = p.get("request", {}).get("url", "")
        if not url.startswith(LOCAL_SCHEMES):
            errors.append(f"external request (pages must be self-contained): {url[:200]}")
    elif method == "Network.loadingFailed" and not p.get("canceled"):
        url = requests.get(p.get("requestId"), "")
        errors.append(f"failed to load {url[:200] or 'a resource'}: {p.get('errorText') or p.get('blockedReason')}")


requests = {}
status = 0
closed = False
try:
    target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        send(f"{domain}.enable", session=session)
    send("Emulation.setDeviceMetricsOverride",
         {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
    events.clear()  # about:blank's own events
    nav = send("Page.navigate", {"url": pathlib.Path(input_path).resolve().as_uri()}, session)
    if nav.get("errorText"):
        errors.append(f"navigation failed: {nav['errorText']}")
    else:
        wait_event("Page.loadEventFired", session)
    # Let the load event's own handlers, web fonts and two frames of layout run, so late errors are seen too.
    send("Runtime.evaluate", {"awaitPromise": True, "expression":
         "document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
         "() => setTimeout(r, 50)))))"}, session)
    # A malformed XML document (.svg, .xhtml) still loads: Chromium shows its parse error in a <parsererror>.
    parse = send("Runtime.evaluate", {"returnByValue": True, "expression":
                 "Array.from(document.getElementsByTagName('parsererror'),"
                 " e => Array.from(e.children, c => c.textContent).join(' ')).join(' | ')"},
                 session)["result"].get("value") or ""
    if parse:
        errors.append("XML parse error: " + " ".join(parse.split())[:500])

    shot_params = {"format": "png", "fromSurface": True}
    if full_page:
        # The viewport is made exactly as tall as the content, so the screenshot holds all of it and no more, and
        # fixed or min-height:100vh layout is laid out for that size. The content size never reports less than
        # the viewport, so it is measured with a 1px-tall viewport first, then checked at the measured height.
        # Layout that keeps growing with the viewport (height:100vh plus more) has no such height: then the page
        # is laid out at --height and captured beyond the viewport, as Puppeteer's fullPage does.
        def content_height(viewport_height):
            send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": viewport_height, "deviceScaleFactor": 1, "mobile": False}, session)
            size = send("Page.getLayoutMetrics", session=session)["cssContentSize"]
            return max(1, min(16384, int(-(-size["height"] // 1))))

        natural = content_height(1)
        if content_height(natural) != natural:
            tall = content_height(height)
            shot_params.update(captureBeyondViewport=True,
                               clip={"x": 0, "y": 0, "width": width, "height": tall, "scale": 1})
    shot = send("Page.captureScreenshot", shot_params, session)
    png = base64.b64decode(shot["data"])
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise BrowserFailed("the screenshot is not a PNG")
    with open(png_path, "wb") as f:
        f.write(png)
    # Events that arrived with the last replies.
    for event in events:
        if event.get("sessionId") == session:
            if event["method"] == "Network.requestWillBeSent":
                requests[event["params"]["requestId"]] = event["params"]["request"]["url"]
            collect(event)
    events.clear()
    send("Browser.close")
    closed = True
except BrowserFailed as e:
    print(f"render-page: {name}: browser failed: {e}", file=sys.stderr)
    status = 4
finally:
    # After Browser.close the browser exits by itself; on any failure or interrupt its whole process group (it
    # was started in a session of its own) is killed, so no renderer outlives the script.
    try:
        proc.wait(timeout=10 if closed else 0)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()

if status == 4:
    # Only then is Chromium's stderr shown, less the noise it always prints in a container or on CI, which
    # would bury the real cause: no D-Bus (dbus/*.cc, D-Bus, UPower, bluez/Floss), no GPU or VA-API device
    # (vaapi, drmGetDevices), sandbox start-up warnings, and the Debian wrapper's "[: NNN: unexpected operator"
    # from its /dev/shm size check.
    noise = re.compile(r"dbus/|D-Bus|UPower|bluez|Floss|vaapi|drmGetDevices|sandbox_linux\.cc"
                       r"|/usr/bin/chromium: \d+: \[")
    with open(log_path, "rb") as f:
        lines = f.read().decode(errors="replace").splitlines()
    tail = [line for line in lines if not noise.search(line)][-15:]
    for line in tail:
        print(f"render-page: chromium: {line}", file=sys.stderr)
    sys.exit(4)
for error in errors:
    print(f"{name}: {error}", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
status=$?
set -e

if [ "$status" -ne 0 ]; then
    [ "$status" -ne 1 ] || echo "render-page: $input: the page has errors (see above); no PNG written" >&2
    exit "$status"
fi
# The PNG's size, from its IHDR chunk (bytes 16..23: width and height, big-endian).
read -r png_w png_h < <(od -An -tu1 -j16 -N8 "$partial" |
    awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}')
chmod 644 "$partial"
mv -f "$partial" "$output"
echo "render-page: $output (${png_w}x${png_h})"
