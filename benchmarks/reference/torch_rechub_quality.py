#!/usr/bin/env python3
"""Recall@N / HR@N of torch-rechub 0.9.0's MIND, YouTubeDNN and ComiRec-SA on a
split that we prepare ourselves, so their quality can be set beside `mind evaluate`.

Input (JSONL, one object per line, item and user ids are strings or ints):
  --train  {"user": "u1", "items": ["i3", "i7", ...]}        chronological
  --test   {"user": "u9", "history": ["i2", ...], "truth": ["i5", ...]}
  --valid  (optional) same format as --test
The catalogue is every item id that appears in any of these files.

Training follows torch-rechub's examples (run_ml_mind.py / run_ml_youtube_dnn.py):
every prefix of a training sequence is a sample (history = the prefix, target =
the next item), list-wise MatchTrainer mode=2, `--negatives` negatives per sample
drawn once before training with probability ~ count^0.75 (their sample_method=1).
ComiRec-SA is built as in run_ml_comirec.py (ComirecSA(..., temperature=0.02),
4 interests, trained like MIND).
Epochs: `--epochs` passes of MatchTrainer.train_one_epoch (what fit() does without
a validation loader). With `--valid`, Recall@max(--top) on (a fixed random subset
of `--valid-users` of) the valid users is computed after each epoch, the best
epoch's weights are kept, and training stops after `--patience` epochs without
improvement (or, with `--time-budget-minutes`, when another epoch would not fit
in the budget). samples_per_s = training samples / seconds spent in train_one_epoch
(evaluation excluded).
Deliberate differences from the examples, for a fair users-split comparison:
  * the history keeps the most recent L items (their pad_sequences call with
    truncating='post' keeps the *oldest* L);
  * the user feature is a constant (one learned vector), not user_id: test users
    of the users split are unseen, and MIND refuses an empty user-feature list;
  * YouTubeDNN's mean pooling masks the padding (padding_idx=0); the example
    averages the padding id's embedding in;
  * MIND and ComiRec-SA store `temperature` but never apply it (their logits are
    raw cosines in [-1, 1]). `--mind-apply-temperature` divides MIND's training
    logits by it (an experiment; off by default); for ComiRec-SA the temperature
    is applied by default (`--no-comirec-apply-temperature` turns that off).
Evaluation (ours, not torch-rechub's Annoy-based one): exact full-catalogue
scores, MIND score = max over interests of <u_k, e_i>, items of the history
excluded, top-N; per user Recall = hits/|truth|, HR = any hit, NDCG (binary,
ideal over min(|truth|, N)), Precision = hits/N; averaged over test users.
A most-popular baseline is reported as a sanity check.

Usage:
  python torch_rechub_quality.py --make-synthetic /tmp/synth     # writes train/test.jsonl
  python torch_rechub_quality.py --train T.jsonl --test S.jsonl [--models mind,youtubednn,comirec-sa]
        [--valid V.jsonl] [--top 20,50] [--per-user-out 'DIR/{model}.per-user.json']
Prints one JSON line per model. --per-user-out writes {user id: Recall@max(--top)}
per model ({model} in the path is replaced by the model's label).
"""
import argparse
import json
import os
import random
import tempfile
import time
from collections import Counter

import ranking_metrics

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


def user_inputs(records, vocab, L):
    import numpy as np
    return {
        "user_const": np.ones(len(records), dtype=np.int64),
        "hist_item": np.array([last_l([vocab[str(i)] for i in r["history"]], L) for r in records], dtype=np.int64),
    }


def build_data(train, test, L, n_neg, seed, valid=()):
    import numpy as np
    vocab = {}
    for r in train:
        for i in r["items"]:
            vocab.setdefault(str(i), len(vocab) + 1)
    for r in list(test) + list(valid):
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
    x_test = user_inputs(test, vocab, L)
    return vocab, counts, x_train, x_test


def build_model(name, n_vocab, d, L, k, temperature):
    from torch_rechub.basic.features import SequenceFeature, SparseFeature
    from torch_rechub.models.matching import MIND, ComirecSA, YoutubeDNN
    user_const = SparseFeature("user_const", vocab_size=2, embed_dim=d)
    item = SparseFeature("item_id", vocab_size=n_vocab, embed_dim=d)
    neg = SequenceFeature("neg_items", vocab_size=n_vocab, embed_dim=d, pooling="concat", shared_with="item_id")
    if name == "mind":
        hist = SequenceFeature("hist_item", vocab_size=n_vocab, embed_dim=d, pooling="concat", shared_with="item_id")
        # note: MIND stores temperature but never applies it (logits are raw cosines)
        return MIND([user_const], [hist], [item], [neg], max_length=L, temperature=temperature, interest_num=k)
    if name == "comirec-sa":
        # as run_ml_comirec.py: ComirecSA(user, history, item, neg, temperature=0.02), interest_num 4
        hist = SequenceFeature("hist_item", vocab_size=n_vocab, embed_dim=d, pooling="concat", shared_with="item_id")
        return ComirecSA([user_const], [hist], [item], [neg], temperature=temperature, interest_num=k)
    if name == "youtubednn":
        hist = SequenceFeature("hist_item", vocab_size=n_vocab, embed_dim=d, pooling="mean", shared_with="item_id", padding_idx=0)
        return YoutubeDNN([user_const, hist], [item], [neg], user_params={"dims": [128, d]}, temperature=temperature)
    raise ValueError(name)


def evaluate(score_fn, test, vocab, tops, batch=512, per_user=None):
    """score_fn(lo, hi) -> [hi-lo, n_vocab] scores (column 0 = padding).
    tops: an int or a list of cut-offs. per_user (a dict), if given, gets
    {user: Recall@max(tops)}."""
    import numpy as np
    tops = sorted([tops] if isinstance(tops, int) else tops)
    n_max = tops[-1]
    sums = {(m, n): 0.0 for m in ("recall", "hr", "ndcg", "precision") for n in tops}
    for lo in range(0, len(test), batch):
        s = score_fn(lo, min(lo + batch, len(test)))
        s[:, 0] = -np.inf
        for row, r in zip(s, test[lo:lo + batch]):
            row[[vocab[str(i)] for i in r["history"]]] = -np.inf  # history excluded
            top = np.argpartition(-row, n_max)[:n_max]
            top = top[np.argsort(-row[top])]
            truth = {vocab[str(i)] for i in r["truth"]}
            recall = ranking_metrics.accumulate([1.0 if i in truth else 0.0 for i in top], len(truth), tops, sums)
            if per_user is not None:
                per_user[r["user"]] = recall
    n = len(test)
    return {f"{m}@{top_n}": round(v / n, 5) for (m, top_n), v in sorted(sums.items(), key=lambda kv: (kv[0][1], kv[0][0]))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--make-synthetic", metavar="DIR")
    ap.add_argument("--train")
    ap.add_argument("--test")
    ap.add_argument("--valid", help="optional: pick the best epoch by Recall@max(--top) on these users")
    ap.add_argument("--valid-users", type=int, default=1000,
                    help="validate on a fixed random subset of this many valid users (all if fewer)")
    ap.add_argument("--patience", type=int, default=2, help="with --valid: stop after this many epochs without improvement")
    ap.add_argument("--time-budget-minutes", type=float,
                    help="do not start another epoch if (time so far + the last epoch's time) would pass this")
    ap.add_argument("--models", default="mind,youtubednn", help="comma list of mind, youtubednn, comirec-sa")
    ap.add_argument("--top", default="50", help="cut-off N, or a comma list (e.g. 20,50)")
    ap.add_argument("--per-user-out", help="write {user: Recall@max(--top)} per model here; {model} is replaced by the label")
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
    ap.add_argument("--comirec-apply-temperature", action=argparse.BooleanOptionalAction, default=True,
                    help="divide ComiRec-SA's training logits by --temperature (torch-rechub 0.9.0 does not); on by default")
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

    tops = sorted(int(t) for t in str(args.top).split(","))
    train, test = read_jsonl(args.train), read_jsonl(args.test)
    valid = read_jsonl(args.valid) if args.valid else []
    if len(valid) > args.valid_users:
        valid = random.Random(args.seed).sample(valid, args.valid_users)
    vocab, counts, x_train, x_test = build_data(train, test, args.hist_len, args.negatives, args.seed, valid)
    x_valid = user_inputs(valid, vocab, args.hist_len) if valid else None
    n_vocab = len(vocab) + 1
    n_samples = len(x_train["item_id"])
    common = {"train_users": len(train), "test_users": len(test), "valid_users": len(valid), "catalogue": len(vocab),
              "train_samples": n_samples, "date": time.strftime("%Y-%m-%d"), "torch": torch.__version__,
              "threads": args.threads}

    # Most-popular baseline (training counts), history excluded like the models.
    pop = np.zeros(n_vocab, dtype=np.float32)
    for i, c in counts.items():
        pop[i] = c
    print(json.dumps({"model": "most_popular", **evaluate(lambda lo, hi: np.tile(pop, (hi - lo, 1)), test, vocab, tops), **common}), flush=True)

    def user_item_vectors(model, x):
        model.eval()
        with torch.no_grad():
            model.mode = "item"
            items = model({"item_id": torch.arange(n_vocab)}).numpy()  # [V, d], L2-normalized
            model.mode = "user"
            users = model({k: torch.from_numpy(v) for k, v in x.items()}).numpy()  # [U, K, d] or [U, d]
        model.mode = None
        if users.ndim == 2:
            users = users[:, None, :]

        def score(lo, hi):
            return (users[lo:hi] @ items.T).max(axis=1)  # max over interests
        return score

    for name in args.models.split(","):
        torch.manual_seed(args.seed)
        model = build_model(name, n_vocab, args.dim, args.hist_len, args.interests, args.temperature)
        apply_t = (name == "mind" and args.mind_apply_temperature) or (name == "comirec-sa" and args.comirec_apply_temperature)
        if apply_t:
            # torch-rechub stores the temperature but does not use it; divide the training logits by it.
            fwd = model.forward
            model.forward = lambda x, fwd=fwd, model=model: fwd(x) / args.temperature if model.mode is None else fwd(x)
        y = np.zeros(n_samples, dtype=np.int64)  # the positive is logit 0
        dl = MatchDataGenerator(x=x_train, y=y).generate_dataloader(x_test, x_test, batch_size=args.batch, num_workers=0)[0]
        with tempfile.TemporaryDirectory() as tmp:
            trainer = MatchTrainer(model, mode=2, device="cpu", model_path=tmp, n_epoch=args.epochs,
                                   optimizer_params={"lr": args.lr, "weight_decay": args.weight_decay})
        # What trainer.fit(dl) does without a validation loader, scheduler or loggers
        # (one train_one_epoch per epoch), with per-epoch validation when --valid is given.
        train_s, valid_recall, best, best_epoch, bad, epochs_run = 0.0, [], -1.0, None, 0, 0
        best_state, stopped_by_budget = None, False
        t_start = time.perf_counter()
        for epoch in range(args.epochs):
            t0 = time.perf_counter()
            loss = trainer.train_one_epoch(dl)
            train_s += time.perf_counter() - t0
            epochs_run += 1
            line = {"model": name, "epoch": epoch + 1, "loss": round(float(loss), 5),
                    "epoch_samples_per_s": round(n_samples / (time.perf_counter() - t0), 1)}
            if valid:
                r = evaluate(user_item_vectors(model, x_valid), valid, vocab, tops[-1])[f"recall@{tops[-1]}"]
                valid_recall.append(r)
                line[f"valid_recall@{tops[-1]}"] = r
                if r > best:
                    best, best_epoch, bad = r, epoch + 1, 0
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                else:
                    bad += 1
            print(json.dumps(line), flush=True)
            if valid and bad >= args.patience:
                break
            if args.time_budget_minutes and (time.perf_counter() - t_start) + (time.perf_counter() - t0) > 60 * args.time_budget_minutes:
                stopped_by_budget = epoch + 1 < args.epochs
                break
        if best_state is not None:
            model.load_state_dict(best_state)
        total_s = time.perf_counter() - t_start

        label = name + ("+temperature" if apply_t else "")
        per_user = {} if args.per_user_out else None
        out = {"model": label, **evaluate(user_item_vectors(model, x_test), test, vocab, tops, per_user=per_user),
               "epochs_max": args.epochs, "epochs_run": epochs_run, "best_epoch": best_epoch if valid else epochs_run,
               f"valid_recall@{tops[-1]}_per_epoch": valid_recall, "stopped_by_time_budget": stopped_by_budget,
               "samples_per_s": round(n_samples * epochs_run / train_s, 1),
               "train_seconds": round(train_s, 1), "total_seconds": round(total_s, 1),
               "batch": args.batch, "negatives": args.negatives, "hist_len": args.hist_len, "dim": args.dim,
               "lr": args.lr, "temperature_applied": bool(apply_t), **common}
        ranking_metrics.print_result(out, per_user, args.per_user_out, label)


if __name__ == "__main__":
    main()
