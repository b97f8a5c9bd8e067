#!/usr/bin/env python3
"""Request bodies for benchmarks/serve.sh, from real MovieLens-1M histories (standard library only).

    make_bodies.py --interactions ml-1m.inter --items MODEL/items.txt --bodies OUT.jsonl --item-list OUT.jsonl

--bodies: one POST /v1/recommend body a line, {"history": [the user's 50 most recent items, oldest first],
"n": 1000}, for up to --count users with at least 50 rated items known to the model (every user with a long
enough history, in file order, so the set is the same each run). --item-list: every model item id as a JSON
string literal, one a line (the wrk Lua scripts splice them into event bodies without escaping anything).
The ids are whatever the model's items.txt holds (for mind's MovieLens-1M files: titles such as
"Toy Story (1995)"), so the bodies match the model they are sent to.
"""
import argparse
import json
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--interactions", required=True, help="RecBole .inter (user, item, rating, timestamp; tab-separated)")
    ap.add_argument("--items", required=True, help="the model's items.txt")
    ap.add_argument("--bodies", required=True)
    ap.add_argument("--item-list", required=True)
    ap.add_argument("--history", type=int, default=50)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--count", type=int, default=1000)
    args = ap.parse_args()

    with open(args.items, encoding="utf-8") as f:
        items = [l for l in f.read().splitlines() if l]
    known = set(items)
    rows = defaultdict(list)
    with open(args.interactions, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        names = [h.split(":")[0] for h in header]
        u, i, t = names.index("user_id"), names.index("item_id"), names.index("timestamp")
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if cols[i] in known:
                rows[cols[u]].append((float(cols[t]), cols[i]))
    written = 0
    with open(args.bodies, "w", encoding="utf-8") as out:
        for user, seq in rows.items():
            if len(seq) < args.history:
                continue
            seq.sort(key=lambda r: r[0])  # stable: ties keep file order
            out.write(json.dumps({"history": [item for _, item in seq[-args.history:]], "n": args.n}) + "\n")
            written += 1
            if written == args.count:
                break
    if written == 0:
        raise SystemExit(f"no user has {args.history} items known to the model")
    with open(args.item_list, "w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item) + "\n")
    print(f"{written} request bodies ({args.history}-item histories, n={args.n}) and {len(items)} item ids")


if __name__ == "__main__":
    main()
