#!/usr/bin/env python3
"""Check a `mind export` directory with numpy (and faiss when installed).

Loads items.npy, user_interests.npy and user_interest_mask.npy as they are, checks their shapes against
manifest.json, and recomputes one user's top-N: score(i) = max over the user's active interests of
items[i] . interest, the user's history (read from the dataset directory) excluded. With faiss, the same
list comes from an IndexFlatIP searched once per interest and merged by max. The list is compared with
--expect (comma-separated item ids) or with the output of `MIND recommend --user` (--mind BINARY).

    python3 scripts/check_export.py EXPORT_DIR [--dataset DIR] [--user ID] [--top 10] [--mind .build/release/mind]

Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

TIE = 1e-4  # two items whose scores differ by less may swap places between implementations


def lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def load_export(directory):
    manifest = json.load(open(os.path.join(directory, "manifest.json")))
    items = np.load(os.path.join(directory, "items.npy"))  # [n_items, d]
    item_ids = lines(os.path.join(directory, "item_ids.txt"))
    assert manifest["format"] == "mind-export", "not a mind export"
    assert items.dtype == np.float32 and items.shape == (manifest["itemCount"], manifest["dimension"]), items.shape
    assert len(item_ids) == len(items), "item_ids.txt and items.npy differ in length"
    if "user_interests.npy" not in manifest["files"]:
        return manifest, items, item_ids, None, None, []
    interests = np.load(os.path.join(directory, "user_interests.npy"))  # [n_users, K, d]
    mask = np.load(os.path.join(directory, "user_interest_mask.npy"))  # [n_users, K]
    user_ids = lines(os.path.join(directory, "user_ids.txt"))
    n, k, d = manifest["userCount"], manifest["interestCount"], manifest["dimension"]
    assert interests.dtype == np.float32 and interests.shape == (n, k, d), interests.shape
    assert mask.dtype == np.bool_ and mask.shape == (n, k), mask.shape
    assert len(user_ids) == n, "user_ids.txt and user_interests.npy differ in length"
    assert mask.any(axis=1).all(), "a user has no active interest"
    assert not interests[~mask].any(), "a masked interest is not zero"
    return manifest, items, item_ids, interests, mask, user_ids


def history_ids(dataset, user):
    """The user's whole stored sequence, oldest first, as external item ids."""
    users = lines(os.path.join(dataset, "users.txt"))
    items = lines(os.path.join(dataset, "items.txt"))
    offsets = np.fromfile(os.path.join(dataset, "sequence_offsets.i64"), dtype="<i8")
    sequence = np.fromfile(os.path.join(dataset, "sequence_items.i32"), dtype="<i4")
    u = users.index(user)
    return [items[i] for i in sequence[offsets[u]:offsets[u + 1]]]


def top_numpy(items, vectors, history, top):
    scores = (items @ vectors.T).max(axis=1)  # [n_items]
    scores[history] = -np.inf
    order = np.argsort(-scores, kind="stable")[:top]
    return list(order), scores


def top_faiss(items, vectors, history, top):
    import faiss
    index = faiss.IndexFlatIP(items.shape[1])
    index.add(items)
    found, labels = index.search(vectors, min(top + len(history), len(items)))  # [K', top + h]
    best = {}
    for row_scores, row_labels in zip(found, labels):
        for score, item in zip(row_scores, row_labels):
            if item >= 0 and item not in history and score > best.get(item, -np.inf):
                best[item] = score
    return sorted(best, key=lambda i: -best[i])[:top]


def mind_recommend(binary, model, dataset, user, top):
    """Item ids printed by `mind recommend --user` (a title, when shown, follows two spaces)."""
    out = subprocess.run([binary, "recommend", "--model", model, "--dataset", dataset, "--user", user, "--top", str(top)],
                         check=True, capture_output=True, text=True).stdout
    return [line.split(None, 3)[3].split("  (")[0].rstrip() for line in out.splitlines()[1:] if line.strip()]


def same_up_to_ties(ours, theirs, scores):
    return len(ours) == len(theirs) and all(abs(scores[a] - scores[b]) <= TIE for a, b in zip(ours, theirs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export")
    parser.add_argument("--dataset", help="dataset directory (default: the one in manifest.json)")
    parser.add_argument("--user", help="user id (default: the first exported user)")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--expect", help="comma-separated item ids the list must equal")
    parser.add_argument("--mind", help="mind binary: compare with `mind recommend --user`")
    args = parser.parse_args()

    manifest, items, item_ids, interests, mask, user_ids = load_export(args.export)
    print(f"export: {manifest['itemCount']} items, {manifest['userCount']} users, K = {manifest['interestCount']}, "
          f"d = {manifest['dimension']}")
    if interests is None:
        print("no users in this export (exported without --dataset); items checked")
        return 0
    dataset = args.dataset or manifest.get("dataset")
    user = args.user or user_ids[0]
    row = user_ids.index(user)
    index_of = {item: i for i, item in enumerate(item_ids)}
    history = {index_of[i] for i in history_ids(dataset, user) if i in index_of}
    vectors = interests[row][mask[row]]  # [K', d], the active interests
    ours, scores = top_numpy(items, vectors, sorted(history), args.top)
    print(f"user {user}: {len(history)} history items, {len(vectors)} active interests")
    for rank, i in enumerate(ours):
        print(f"{rank + 1:4d}  {scores[i]:7.4f}  {item_ids[i]}")

    ok = True
    try:
        faiss_top = top_faiss(items, np.ascontiguousarray(vectors), history, args.top)
        same = same_up_to_ties(ours, faiss_top, scores)
        print(f"faiss IndexFlatIP: {'same list' if same else 'DIFFERENT: ' + ','.join(item_ids[i] for i in faiss_top)}")
        ok &= same
    except ImportError:
        print("faiss: not installed, skipped")
    expected = args.expect.split(",") if args.expect else None
    if args.mind:
        expected = mind_recommend(args.mind, manifest["model"], dataset, user, args.top)
    if expected is not None:
        known = all(e in index_of for e in expected)
        same = known and same_up_to_ties(ours, [index_of[e] for e in expected], scores)
        source = "mind recommend" if args.mind else "expected"
        print(f"{source}: {'same list' if same else 'DIFFERENT: ' + ','.join(expected)}")
        ok &= same
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
