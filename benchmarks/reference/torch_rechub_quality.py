#!/usr/bin/env python3
"""Recall@N / HR@N of torch-rechub 0.9.0's MIND and YouTubeDNN on a split that
we prepare ourselves, so their quality can be set beside `mind evaluate`.

Input (JSONL, one object per line, item and user ids are strings or ints):
  --train  {"user": "u1", "items": ["i3", "i7", ...]}        chronological
  --test   {"user": "u9", "history": ["i2", ...], "truth": ["i5", ...]}
The catalogue is every item id that appears in either file.

Training follows torch-rechub's examples (run_ml_mind.py / run_ml_youtube_dnn.py):
every prefix of a training sequence is a sample (history = the prefix, target =
the next item), list-wise MatchTrainer mode=2, `--negatives` negatives per sample
drawn once before training with probability ~ count^0.75 (their sample_method=1).
Deliberate differences from the examples, for a fair users-split comparison:
  * the history keeps the most recent L items (their pad_sequences call with
    truncating='post' keeps the *oldest* L);
  * the user feature is a constant (one learned vector), not user_id: test users
    of the users split are unseen, and MIND refuses an empty user-feature list;
  * YouTubeDNN's mean pooling masks the padding (padding_idx=0); the example
    averages the padding id's embedding in.
Evaluation (ours, not torch-rechub's Annoy-based one): exact full-catalogue
scores, MIND score = max over interests of <u_k, e_i>, items of the history
excluded, top-N; per user Recall = hits/|truth|, HR = any hit, NDCG (binary,
ideal over min(|truth|, N)), Precision = hits/N; averaged over test users.
A most-popular baseline is reported as a sanity check.

Usage:
  python torch_rechub_quality.py --make-synthetic /tmp/synth     # writes train/test.jsonl
  python torch_rechub_quality.py --train T.jsonl --test S.jsonl [--models mind,youtubednn]
Prints one JSON line per model.
"""
import argparse
import json
import os
import random
import tempfile
import time
from collections import Counter

os.environ.setdefault("TQDM_DISABLE", "1")


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def make_synthetic(out_dir, n_users=600, n_items=400, n_clusters=8, seed=0):
    """Users with 2 planted interests (item clusters); sequences draw from them.
    Users split 8:2 into train/test; test history = first 80%, truth = rest."""
    rng = random.Random(seed)
    clusters = [list(range(c, n_items, n_clusters)) for c in range(n_clusters)]
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "train.jsonl"), "w") as tr, open(os.path.join(out_dir, "test.jsonl"), "w") as te:
        for u in range(n_users):
            mine = rng.sample(range(n_clusters), 2)
            seq = [f"i{rng.choice(clusters[rng.choice(mine)])}" for _ in range(rng.randint(10, 40))]
            if u % 5:
                tr.write(json.dumps({"user": f"u{u}", "items": seq}) + "\n")
            else:
                cut = int(len(seq) * 0.8)
                te.write(json.dumps({"user": f"u{u}", "history": seq[:cut], "truth": seq[cut:]}) + "\n")
    print(f"wrote {out_dir}/train.jsonl and {out_dir}/test.jsonl")


def last_l(ids, L):
    """Most recent L ids, post-padded with 0 (MIND.gen_mask treats 0 as padding)."""
    ids = ids[-L:]
    return ids + [0] * (L - len(ids))


def build_data(train, test, L, n_neg, seed):
    import numpy as np
    vocab = {}
    for r in train:
        for i in r["items"]:
            vocab.setdefault(str(i), len(vocab) + 1)
    for r in test:
        for i in list(r["history"]) + list(r["truth"]):
            vocab.setdefault(str(i), len(vocab) + 1)
    hist, target = [], []
    counts = Counter()
    for r in train:
        seq = [vocab[str(i)] for i in r["items"]]
        counts.update(seq)
        for t in range(1, len(seq)):
            hist.append(last_l(seq[:t], L))
            target.append(seq[t])
    n = len(target)
    items = np.array(sorted(counts))
    p = np.array([counts[i] ** 0.75 for i in items], dtype=np.float64)
    rng = np.random.default_rng(seed)
    neg = rng.choice(items, size=(n, n_neg), p=p / p.sum())
    x_train = {
        "user_const": np.ones(n, dtype=np.int64),
        "hist_item": np.array(hist, dtype=np.int64),
        "item_id": np.array(target, dtype=np.int64),
        "neg_items": neg.astype(np.int64),
    }
    x_test = {
        "user_const": np.ones(len(test), dtype=np.int64),
        "hist_item": np.array([last_l([vocab[str(i)] for i in r["history"]], L) for r in test], dtype=np.int64),
    }
    return vocab, counts, x_train, x_test


def build_model(name, n_vocab, d, L, k, temperature):
    from torch_rechub.basic.features import SequenceFeature, SparseFeature
    from torch_rechub.models.matching import MIND, YoutubeDNN
    user_const = SparseFeature("user_const", vocab_size=2, embed_dim=d)
    item = SparseFeature("item_id", vocab_size=n_vocab, embed_dim=d)
    neg = SequenceFeature("neg_items", vocab_size=n_vocab, embed_dim=d, pooling="concat", shared_with="item_id")
    if name == "mind":
        hist = SequenceFeature("hist_item", vocab_size=n_vocab, embed_dim=d, pooling="concat", shared_with="item_id")
        # note: MIND stores temperature but never applies it (logits are raw cosines)
        return MIND([user_const], [hist], [item], [neg], max_length=L, temperature=temperature, interest_num=k)
    if name == "youtubednn":
        hist = SequenceFeature("hist_item", vocab_size=n_vocab, embed_dim=d, pooling="mean", shared_with="item_id", padding_idx=0)
        return YoutubeDNN([user_const, hist], [item], [neg], user_params={"dims": [128, d]}, temperature=temperature)
    raise ValueError(name)


def evaluate(score_fn, test, vocab, top_n, batch=512):
    """score_fn(lo, hi) -> [hi-lo, n_vocab] scores (column 0 = padding)."""
    import numpy as np
    rec = hr = ndcg = prec = 0.0
    for lo in range(0, len(test), batch):
        s = score_fn(lo, min(lo + batch, len(test)))
        s[:, 0] = -np.inf
        for row, r in zip(s, test[lo:lo + batch]):
            row[[vocab[str(i)] for i in r["history"]]] = -np.inf  # history excluded
            top = np.argpartition(-row, top_n)[:top_n]
            top = top[np.argsort(-row[top])]
            truth = {vocab[str(i)] for i in r["truth"]}
            hits = [1.0 if i in truth else 0.0 for i in top]
            h = sum(hits)
            rec += h / len(truth)
            hr += 1.0 if h else 0.0
            prec += h / top_n
            dcg = sum(x / np.log2(j + 2) for j, x in enumerate(hits))
            idcg = sum(1 / np.log2(j + 2) for j in range(min(len(truth), top_n)))
            ndcg += dcg / idcg
    n = len(test)
    return {f"recall@{top_n}": round(rec / n, 5), f"hr@{top_n}": round(hr / n, 5),
            f"ndcg@{top_n}": round(ndcg / n, 5), f"precision@{top_n}": round(prec / n, 5)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--make-synthetic", metavar="DIR")
    ap.add_argument("--train")
    ap.add_argument("--test")
    ap.add_argument("--models", default="mind,youtubednn")
    ap.add_argument("--top", type=int, default=50)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-6)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--hist-len", type=int, default=20)
    ap.add_argument("--interests", type=int, default=4)
    ap.add_argument("--negatives", type=int, default=3)
    ap.add_argument("--temperature", type=float, default=0.02)
    ap.add_argument("--mind-apply-temperature", action="store_true",
                    help="divide MIND's training logits by --temperature (torch-rechub 0.9.0 does not)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2022)
    args = ap.parse_args()
    if args.make_synthetic:
        make_synthetic(args.make_synthetic)
        return
    if not (args.train and args.test):
        ap.error("--train and --test are required (or --make-synthetic DIR)")

    import numpy as np
    import torch
    from torch_rechub.trainers import MatchTrainer
    from torch_rechub.utils.data import MatchDataGenerator
    torch.set_num_threads(args.threads)

    train, test = read_jsonl(args.train), read_jsonl(args.test)
    vocab, counts, x_train, x_test = build_data(train, test, args.hist_len, args.negatives, args.seed)
    n_vocab = len(vocab) + 1
    common = {"train_users": len(train), "test_users": len(test), "catalogue": len(vocab),
              "train_samples": len(x_train["item_id"]), "date": time.strftime("%Y-%m-%d"), "torch": torch.__version__}

    # Most-popular baseline (training counts), history excluded like the models.
    pop = np.zeros(n_vocab, dtype=np.float32)
    for i, c in counts.items():
        pop[i] = c
    print(json.dumps({"model": "most_popular", **evaluate(lambda lo, hi: np.tile(pop, (hi - lo, 1)), test, vocab, args.top), **common}), flush=True)

    for name in args.models.split(","):
        torch.manual_seed(args.seed)
        model = build_model(name, n_vocab, args.dim, args.hist_len, args.interests, args.temperature)
        if name == "mind" and args.mind_apply_temperature:
            # Experiment only: what MIND gets if its unused temperature were applied.
            fwd = model.forward
            model.forward = lambda x, fwd=fwd: fwd(x) / args.temperature if model.mode is None else fwd(x)
        y = np.zeros(len(x_train["item_id"]), dtype=np.int64)  # the positive is logit 0
        dl = MatchDataGenerator(x=x_train, y=y).generate_dataloader(x_test, x_test, batch_size=args.batch, num_workers=0)[0]
        with tempfile.TemporaryDirectory() as tmp:  # fit() saves model.pth there
            trainer = MatchTrainer(model, mode=2, device="cpu", model_path=tmp, n_epoch=args.epochs,
                                   optimizer_params={"lr": args.lr, "weight_decay": args.weight_decay})
            t0 = time.perf_counter()
            trainer.fit(dl)
            train_s = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            model.mode = "item"
            items = model({"item_id": torch.arange(n_vocab)}).numpy()  # [V, d], L2-normalized
            model.mode = "user"
            users = model({k: torch.from_numpy(v) for k, v in x_test.items()}).numpy()  # [U, K, d] or [U, d]
        if users.ndim == 2:
            users = users[:, None, :]

        def score(lo, hi):
            return (users[lo:hi] @ items.T).max(axis=1)  # max over interests

        label = name + ("+temperature" if name == "mind" and args.mind_apply_temperature else "")
        print(json.dumps({"model": label, **evaluate(score, test, vocab, args.top), "epochs": args.epochs,
                          "train_seconds": round(train_s, 1), **common}), flush=True)


if __name__ == "__main__":
    main()
