#!/usr/bin/env python3
"""Crash test of `mind serve`'s event log: an acknowledged event survives SIGKILL, exactly once, in order.

Each round: concurrent writers POST /v1/events (single events and batches) to a running server, every
answer 200 is recorded with its sequence numbers, the server is killed with SIGKILL at a random moment,
restarted on the same SQLite events file, and every user's GET /v1/users/{id}/history is checked:

- every acknowledged event is there exactly once, and events appear in the order they were sent;
- an event that was sent but not acknowledged (in flight at the kill) may be there or not, never twice;
- nothing else is there (all users are fresh, so a history holds only this test's events);
- sequence numbers are unique, strictly increasing within an answer and along each writer, and those
  acknowledged after a restart are above every one acknowledged before it (no reuse).

Each writer owns its users and sends to one user from one thread only, with strictly increasing
timestamps per user, so "the order sent" is well defined and an event is identified by (item, timestamp).

Standard library only: it runs in CI (scripts/serve-durability.sh wraps it).
Exit status 0 when every round passes, 1 on a violation (each one printed), 2 on a setup failure.
"""
import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

READY_TIMEOUT = 120  # s; a debug build loading a tiny model is well under this


class SetupError(Exception):
    pass


def free_port():
    # Bind to port 0 and let the kernel choose; a tiny race with other processes is acceptable here.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `mind serve` process on the shared events file; a fresh port each start."""

    def __init__(self, mind, model, events, log_path, extra):
        self.cmd_base = [mind, "serve", "--model", model, "--events", events, "--host", "127.0.0.1", *extra]
        self.log_path = log_path
        self.proc = None
        self.port = None

    def start(self):
        self.port = free_port()
        log = open(self.log_path, "ab")
        log.write(f"\n=== start on port {self.port} at {time.strftime('%H:%M:%S')} ===\n".encode())
        log.flush()
        self.proc = subprocess.Popen(self.cmd_base + ["--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SetupError(f"mind serve exited with status {self.proc.returncode} before /readyz answered 200 "
                                 f"(log: {self.log_path})")
            try:
                status, _ = request("GET", self.port, "/readyz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SetupError(f"/readyz did not answer 200 within {READY_TIMEOUT} s (log: {self.log_path})")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout=30):
        """SIGTERM must drain and exit 0 (the serve contract). Returns the exit status (None if it hung)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def request(method, port, path, body=None, timeout=10, conn=None):
    """One HTTP request; returns (status, parsed JSON or raw text)."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode("utf-8", "replace")
        return resp.status, data
    finally:
        if own:
            conn.close()


class Ledger:
    """Everything sent, per user in send order, and what the server acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = {}          # user -> [event dict with state]
        self.violations = []
        self.acked_seqs = {}    # seq -> (user, item, ts)

    def violation(self, msg):
        with self.lock:
            self.violations.append(msg)


class Writer(threading.Thread):
    def __init__(self, wid, round_no, run_id, items, ledger, port, stop, rng, max_requests, ts_base):
        super().__init__(daemon=True)
        self.wid, self.round_no = wid, round_no
        self.items, self.ledger, self.port, self.stop = items, ledger, port, stop
        self.rng, self.max_requests = rng, max_requests
        # 4 users per writer per round, owned by this writer only.
        self.users = [f"dur-{run_id}-r{round_no}-w{wid}-u{j}" for j in range(4)]
        self.next_ts = {u: ts_base for u in self.users}
        self.last_seq = None
        self.requests = self.acked_events = 0
        self.ended_by = "limit"

    def make_event(self):
        user = self.rng.choice(self.users)
        ts = self.next_ts[user]
        self.next_ts[user] += 1 + self.rng.randrange(3)  # strictly increasing per user
        return {"user": user, "item": self.rng.choice(self.items), "timestamp": ts}

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            while not self.stop.is_set() and self.requests < self.max_requests:
                batch = self.rng.random() < 0.5
                events = [self.make_event() for _ in range(self.rng.randint(2, 16) if batch else 1)]
                records = [dict(e, state="unknown", seq=None) for e in events]
                with self.ledger.lock:
                    for r in records:
                        self.ledger.sent.setdefault(r["user"], []).append(r)
                body = {"events": events} if batch else events[0]
                self.requests += 1
                try:
                    status, data = request("POST", self.port, "/v1/events", body, conn=conn)
                except (OSError, http.client.HTTPException):
                    # Killed mid-request: these events stay "unknown" (may or may not be stored, never twice).
                    self.ended_by = "connection error (server killed)"
                    return
                if status != 200:
                    for r in records:
                        r["state"] = "rejected"
                    if 400 <= status < 500:
                        # Our requests are valid; a 4xx here is a contract problem, not a crash effect.
                        self.ledger.violation(f"writer {self.wid}: POST /v1/events answered {status}: {data}")
                        self.ended_by = f"HTTP {status}"
                        return
                    continue  # 5xx: not acknowledged; the events may still be stored (checked as "unknown")
                self.check_ack(records, data)
        finally:
            conn.close()

    def check_ack(self, records, data):
        ok = isinstance(data, dict) and data.get("written") == len(records) and isinstance(data.get("sequences"), list) \
            and len(data["sequences"]) == len(records) and all(isinstance(s, int) for s in data["sequences"])
        if not ok:
            self.ledger.violation(f"writer {self.wid}: bad 200 answer for {len(records)} events: {data}")
            return
        seqs = data["sequences"]
        if any(b <= a for a, b in zip(seqs, seqs[1:])):
            self.ledger.violation(f"writer {self.wid}: sequences of one answer not strictly increasing: {seqs}")
        if self.last_seq is not None and seqs[0] <= self.last_seq:
            self.ledger.violation(f"writer {self.wid}: sequence {seqs[0]} acknowledged after {self.last_seq} "
                                  "on the same connection")
        self.last_seq = seqs[-1]
        with self.ledger.lock:
            for r, s in zip(records, seqs):
                r["state"], r["seq"] = "acked", s
                if s in self.ledger.acked_seqs:
                    self.ledger.violations.append(f"sequence {s} acknowledged twice: {self.ledger.acked_seqs[s]} "
                                                  f"and {(r['user'], r['item'], r['timestamp'])}")
                self.ledger.acked_seqs[s] = (r["user"], r["item"], r["timestamp"])
        self.acked_events += len(records)


def verify(ledger, port):
    """Checks every user's history against what was sent. Returns the number of users checked."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    problems = []
    stats = {"acked": 0, "unknown_present": 0, "unknown_absent": 0}
    try:
        for user, sent in sorted(ledger.sent.items()):
            status, data = request("GET", port, f"/v1/users/{urllib.parse.quote(user, safe='')}/history", conn=conn)
            acked = [r for r in sent if r["state"] == "acked"]
            if status == 404:
                if acked:
                    problems.append(f"{user}: 404 but {len(acked)} acknowledged events (first: item {acked[0]['item']} "
                                    f"ts {acked[0]['timestamp']} seq {acked[0]['seq']})")
                stats["unknown_absent"] += sum(r["state"] == "unknown" for r in sent)
                continue
            if status != 200 or not isinstance(data, dict):
                problems.append(f"{user}: GET history answered {status}: {data}")
                continue
            items, stamps = data.get("items"), data.get("timestamps")
            if not isinstance(items, list) or not isinstance(stamps, list) or len(items) != len(stamps):
                problems.append(f"{user}: malformed history {data}")
                continue
            if data.get("user") != user:
                problems.append(f"{user}: history answer names user {data.get('user')!r}")
            position = {(r["item"], r["timestamp"]): i for i, r in enumerate(sent)}
            seen = []
            for item, ts in zip(items, stamps):
                key = (item, int(ts) if isinstance(ts, (int, float)) else ts)
                if key not in position:
                    problems.append(f"{user}: history holds an event never sent: item {item!r} ts {ts!r}")
                    continue
                seen.append(position[key])
            dup = sorted({p for p in seen if seen.count(p) > 1})
            for p in dup:
                r = sent[p]
                problems.append(f"{user}: event item {r['item']!r} ts {r['timestamp']} ({r['state']}, seq {r['seq']}) "
                                f"appears {seen.count(p)} times")
            inversion = next((k for k in range(len(seen) - 1) if seen[k + 1] < seen[k]), None)
            if inversion is not None:
                a, b = sent[seen[inversion]], sent[seen[inversion + 1]]
                problems.append(f"{user}: history is not in the order sent: at position {inversion + 1}, item "
                                f"{b['item']!r} ts {b['timestamp']} (sent #{seen[inversion + 1]}) follows item "
                                f"{a['item']!r} ts {a['timestamp']} (sent #{seen[inversion]})")
            present = set(seen)
            for i, r in enumerate(sent):
                if r["state"] == "acked":
                    stats["acked"] += 1
                    if i not in present:
                        problems.append(f"{user}: LOST acknowledged event item {r['item']!r} ts {r['timestamp']} "
                                        f"seq {r['seq']}")
                elif r["state"] in ("unknown", "rejected"):
                    stats["unknown_present" if i in present else "unknown_absent"] += 1
    finally:
        conn.close()
    for p in problems:
        ledger.violation(p)
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mind", required=True, help="the mind binary")
    ap.add_argument("--model", required=True, help="model directory (its items.txt gives the known item ids)")
    ap.add_argument("--workdir", required=True, help="directory for the events file and the server log")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--writers", type=int, default=16)
    ap.add_argument("--max-requests", type=int, default=5000, help="per writer per round (a bound, not a target)")
    ap.add_argument("--kill-after", default="0.5,3.0", help="SIGKILL after a uniform random delay in [lo,hi] s")
    ap.add_argument("--seed", type=int, default=None, help="default: random (printed, to rerun a failure)")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra argument for mind serve (repeatable)")
    args = ap.parse_args()

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    lo, hi = (float(x) for x in args.kill_after.split(","))
    with open(os.path.join(args.model, "items.txt"), encoding="utf-8") as f:
        items = [l for l in f.read().splitlines() if l]
    if not items:
        print(f"serve-durability: no item ids in {args.model}/items.txt", file=sys.stderr)
        return 2
    os.makedirs(args.workdir, exist_ok=True)
    events_path = os.path.join(args.workdir, "events.sqlite")
    log_path = os.path.join(args.workdir, "serve.log")
    server = Server(args.mind, args.model, events_path, log_path, args.serve_arg)
    ledger = Ledger()
    run_id = f"{seed:x}"
    print(f"serve-durability: seed {seed}, {args.rounds} rounds x {args.writers} writers, {len(items)} items, "
          f"events file {events_path}", flush=True)
    try:
        server.start()
        max_before = 0  # highest sequence acknowledged before the current server process
        for rnd in range(1, args.rounds + 1):
            stop = threading.Event()
            writers = [Writer(w, rnd, run_id, items, ledger, server.port, stop, random.Random(rng.random()),
                              args.max_requests, ts_base=1_000_000_000 + rnd * 10_000_000)
                       for w in range(args.writers)]
            for w in writers:
                w.start()
            delay = rng.uniform(lo, hi)
            time.sleep(delay)
            server.kill9()
            stop.set()
            for w in writers:
                w.join(30)
            if any(w.is_alive() for w in writers):
                ledger.violation(f"round {rnd}: a writer still hangs 30 s after the kill")
            round_seqs = sorted(s for s, (u, _, _) in ledger.acked_seqs.items() if f"-r{rnd}-" in u)
            if round_seqs and round_seqs[0] <= max_before:
                ledger.violation(f"round {rnd}: sequence {round_seqs[0]} acknowledged after a restart is not above "
                                 f"{max_before}, acknowledged before it (sequence reused)")
            if round_seqs:
                max_before = max(max_before, round_seqs[-1])
            sent_round = sum(len(v) for u, v in ledger.sent.items() if f"-r{rnd}-" in u)
            acked_round = sum(w.acked_events for w in writers)
            reqs = sum(w.requests for w in writers)
            print(f"round {rnd}: SIGKILL after {delay:.2f} s; {reqs} requests, {sent_round} events sent, "
                  f"{acked_round} acknowledged", flush=True)
            if acked_round == 0:
                ledger.violation(f"round {rnd}: no event was acknowledged before the kill (nothing tested)")
            server.start()  # same events file: recovery happens here
            stats = verify(ledger, server.port)
            print(f"round {rnd}: after restart, all users of rounds 1..{rnd}: {stats['acked']} acknowledged events "
                  f"checked; unacknowledged: {stats['unknown_present']} stored, {stats['unknown_absent']} not",
                  flush=True)
            if ledger.violations:
                break
        status = server.terminate()
        if not ledger.violations and status != 0:
            ledger.violation(f"mind serve exited with status {status} after SIGTERM (expected 0: drain and exit)")
    except SetupError as e:
        server.terminate()
        print(f"serve-durability: SETUP FAILED: {e}", file=sys.stderr)
        tail(log_path)
        return 2
    except BaseException:
        server.terminate()
        raise
    if ledger.violations:
        print(f"serve-durability: FAILED, {len(ledger.violations)} violation(s) (seed {seed}):", file=sys.stderr)
        for v in ledger.violations[:50]:
            print("  " + v, file=sys.stderr)
        if len(ledger.violations) > 50:
            print(f"  ... and {len(ledger.violations) - 50} more", file=sys.stderr)
        tail(log_path)
        return 1
    print(f"serve-durability: OK, {len(ledger.acked_seqs)} acknowledged events over {args.rounds} SIGKILL rounds, "
          "none lost, none duplicated, all in order", flush=True)
    return 0


def tail(path, n=30):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()[-n:]
    except OSError:
        return
    print(f"--- last {len(lines)} lines of {path} ---", file=sys.stderr)
    for l in lines:
        print(l, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
