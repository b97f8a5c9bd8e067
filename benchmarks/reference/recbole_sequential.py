#!/usr/bin/env python3
"""Recall/HR/NDCG/Precision@N of RecBole 1.2.1's SASRec and GRU4Rec on a split
that we prepare ourselves, with the definitions of torch_rechub_quality.py and
`mind evaluate`, so they can be set beside our MIND.

Input: --split-dir DIR holding (JSONL, one object per line)
  train.jsonl  {"user": "u1", "items": ["i3", "i7", ...]}                  chronological
  valid.jsonl  {"user": "u9", "history": ["i2", ...], "truth": ["i5", ...]}
  test.jsonl   same as valid.jsonl
Item ids are strings (they may contain commas, tabs are not expected) or ints.

Training: RecBole's own pipeline. The train sequences are written as a RecBole
atomic file (`<name>.inter`: user_id, item_id, timestamp = position in the
sequence; our item ids are mapped to integer tokens first, so titles never reach
RecBole's CSV reader). RecBole's Config + create_dataset build its
SequentialDataset, whose data_augmentation turns every prefix of every sequence
into one sample (the most recent MAX_ITEM_LIST_LENGTH=50 items -> next item).
All samples go to training: Dataset.build() with eval_args split RS [1, 0, 0]
(no grouping), and the TrainDataLoader (shuffle=True) is built on that first
part; RecBole's valid/test loaders are not used.
The model is RecBole's class built from its Config, with RecBole's default
properties for the model (SASRec: 2 layers, 2 heads, hidden 64, inner 256,
dropout 0.5/0.5, gelu; GRU4Rec: embedding 64, hidden 128, 1 layer, dropout 0.3;
both loss_type CE = full softmax over the catalogue), overall defaults
train_batch_size 2048, Adam lr 0.001, weight_decay 0, no grad clipping, seed
`--seed`. Each epoch is RecBole's Trainer._train_epoch (the step fit() runs).
train_neg_sample_args is None, which RecBole requires for CE.

Convergence: after each epoch Recall@50 on the valid users (a fixed random
subset of `--valid-users`, default 1000, when there are more) picks the best
epoch, whose weights are kept; training stops after `--patience` (2) epochs
without improvement, at `--epochs`, or (optional `--time-budget-minutes`) when
another epoch would not fit in the budget (reported as stopped_by_time_budget).

Resuming (--checkpoint PATH, `{model}` replaced by the model name): after each
epoch the model, Adam's state, the best weights so far, the epoch history and
every random state that training draws from (torch's global generator for
dropout, the TrainDataLoader's shuffling generator, numpy's and Python's) are
written to PATH (atomically: a temporary file, then a rename). A later run with
the same PATH, split, model and seed continues after the last finished epoch;
the epochs it then trains draw exactly what an uninterrupted run would draw, so
a run stopped by --time-budget-minutes and resumed gives the uninterrupted
run's curve (checked on a small split: same losses and validation figures).
A checkpoint written for another split, model or seed is refused.

Evaluation (ours, not RecBole's evaluator): the user vector is
model.forward(item_seq, item_seq_len) over the last 50 items of the history,
scored against every item embedding (exactly RecBole's full_sort_predict),
padding and history items excluded, top-N; per user Recall = hits/|truth|,
HR = any hit, NDCG binary with ideal DCG over min(|truth|, N), Precision =
hits/N; averaged over test users. The catalogue is every item of train.jsonl:
items met only in valid/test histories are skipped from the history, truth items
outside the catalogue count as misses (torch_rechub_quality.py instead puts
them in its vocabulary with untrained embeddings; on splits where every
valid/test item occurs in train, both give the same catalogue).

samples_per_s = training samples (prefixes) x epochs / seconds inside
_train_epoch (evaluation and data preparation excluded).

Usage:
  python recbole_sequential.py --split-dir DIR [--models sasrec,gru4rec] [--epochs 10]
      [--threads 2] [--seed 2020] [--per-user-out 'DIR/{model}.per-user.json']
      [--time-budget-minutes M] [--checkpoint 'DIR/{model}.ckpt']
Prints one JSON line per model (plus one line per epoch); --per-user-out writes
{user id: test Recall@50} per model.
"""
import argparse
import json
import os
import random
import tempfile
import time

import ranking_metrics

MODELS = {"sasrec": "SASRec", "gru4rec": "GRU4Rec"}


def read_jsonl(path, limit=None):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
                if limit is not None and len(out) >= limit:
                    break
    return out


def write_atomic(train, data_dir, name):
    """<data_dir>/<name>/<name>.inter with integer tokens; returns {item id: token}."""
    tokens = {}
    os.makedirs(os.path.join(data_dir, name), exist_ok=True)
    with open(os.path.join(data_dir, name, f"{name}.inter"), "w") as f:
        f.write("user_id:token\titem_id:token\ttimestamp:float\n")
        for u, r in enumerate(train):
            for t, i in enumerate(r["items"]):
                tok = tokens.setdefault(str(i), str(len(tokens) + 1))
                f.write(f"{u + 1}\t{tok}\t{t}\n")
    return tokens


def metrics(ranked, truth, tops, sums):
    """ranked: internal ids best first (len >= max(tops)); truth: set of ids (may hold
    None-like keys for items outside the catalogue: they can never be hit)."""
    return ranking_metrics.accumulate([1.0 if i in truth else 0.0 for i in ranked], len(truth), tops, sums)


def evaluate(model, records, item_id, tops, max_len, batch=512, per_user=None):
    import numpy as np
    import torch
    tops = sorted(tops)
    n_max = tops[-1]
    sums = {(m, n): 0.0 for m in ("recall", "hr", "ndcg", "precision") for n in tops}
    model.eval()
    with torch.no_grad():
        item_w = model.item_embedding.weight  # [n_items, d], row 0 = [PAD]
        for lo in range(0, len(records), batch):
            chunk = records[lo:lo + batch]
            hists = [[item_id[str(i)] for i in r["history"] if str(i) in item_id] for r in chunk]
            seq = torch.zeros(len(chunk), max_len, dtype=torch.long)
            lens = torch.ones(len(chunk), dtype=torch.long)  # an empty history reads one [PAD]
            for b, h in enumerate(hists):
                h = h[-max_len:]
                if h:
                    seq[b, :len(h)] = torch.tensor(h)
                    lens[b] = len(h)
            user = model.forward(seq, lens)  # [B, d]
            scores = (user @ item_w.T).numpy()
            scores[:, 0] = -np.inf
            for row, r, h in zip(scores, chunk, hists):
                row[h] = -np.inf  # history excluded
                top = np.argpartition(-row, n_max)[:n_max]
                top = top[np.argsort(-row[top])]
                # truth outside the catalogue: kept (as a string key) so it counts in |truth|, never hit
                truth = {item_id.get(str(i), "unseen:" + str(i)) for i in r["truth"]}
                rec = metrics(top.tolist(), truth, tops, sums)
                if per_user is not None:
                    per_user[r["user"]] = rec
    n = len(records)
    return {f"{m}@{k}": round(v / n, 5) for (m, k), v in sorted(sums.items(), key=lambda kv: (kv[0][1], kv[0][0]))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split-dir", required=True)
    ap.add_argument("--models", default="sasrec,gru4rec")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--patience", type=int, default=2)
    ap.add_argument("--time-budget-minutes", type=float,
                    help="do not start another epoch if (time so far + the last epoch's time) would pass this")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2020, help="RecBole's default seed")
    ap.add_argument("--valid-users", type=int, default=1000)
    ap.add_argument("--max-train-users", type=int, help="smoke test: first N train users only")
    ap.add_argument("--max-test-users", type=int, help="smoke test: first N valid/test users only")
    ap.add_argument("--per-user-out", help="write {user: test Recall@50} here; {model} is replaced by the model name")
    ap.add_argument("--checkpoint", help="save after every epoch and resume from here; {model} is replaced by the model name")
    ap.add_argument("--work-dir", help="RecBole's atomic files, logs and tensorboard dir (default: a temp dir)")
    args = ap.parse_args()

    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    import recbole
    from recbole.config import Config
    from recbole.data import create_dataset
    from recbole.data.dataloader import TrainDataLoader
    from recbole.utils import get_model, get_trainer, init_seed

    d = args.split_dir
    train = read_jsonl(os.path.join(d, "train.jsonl"), args.max_train_users)
    valid = read_jsonl(os.path.join(d, "valid.jsonl"), args.max_test_users)
    test = read_jsonl(os.path.join(d, "test.jsonl"), args.max_test_users)
    valid_all = len(valid)
    if len(valid) > args.valid_users:
        valid = random.Random(args.seed).sample(valid, args.valid_users)
    tops = [20, 50]

    work = args.work_dir or tempfile.mkdtemp(prefix="recbole-")
    os.makedirs(work, exist_ok=True)
    os.chdir(work)  # RecBole writes log/, log_tensorboard/ and saved/ under the cwd
    name = "mindref"
    tokens = write_atomic(train, work, name)

    for key in args.models.split(","):
        model_name = MODELS[key]
        config = Config(model=model_name, dataset=name, config_dict={
            "data_path": work,
            "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
            "train_neg_sample_args": None,  # required by RecBole for loss_type CE
            "use_gpu": False,
            "seed": args.seed,
            "epochs": args.epochs,
            "show_progress": False,
            "checkpoint_dir": os.path.join(work, "saved"),
            "state": "WARNING",
            # Everything goes to training: RecBole's own split with ratios [1, 0, 0].
            "eval_args": {"split": {"RS": [1.0, 0.0, 0.0]}, "group_by": None, "order": "TO", "mode": "full"},
        })
        init_seed(config["seed"], config["reproducibility"])
        t0 = time.perf_counter()
        dataset = create_dataset(config)  # SequentialDataset
        train_set = dataset.build()[0]  # prefix augmentation, then the [1, 0, 0] split: all samples
        train_data = TrainDataLoader(config, train_set, None, shuffle=config["shuffle"])
        data_s = time.perf_counter() - t0
        n_samples = len(train_set)
        # our item id -> RecBole internal id
        tok2id = dataset.field2token_id[dataset.iid_field]
        item_id = {i: tok2id[t] for i, t in tokens.items()}
        init_seed(config["seed"] + config["local_rank"], config["reproducibility"])
        model = get_model(config["model"])(config, dataset).to(config["device"])
        trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
        max_len = config["MAX_ITEM_LIST_LENGTH"]

        train_s, valid_recall, best, best_epoch, bad, epochs_run, best_state = 0.0, [], -1.0, 0, 0, 0, None
        stopped_by_budget = False
        epoch_threads, epoch_seconds = [], []  # per epoch: torch threads (a resumed run may differ), training seconds
        ckpt_path = args.checkpoint.replace("{model}", key) if args.checkpoint else None
        identity = {"split_dir": os.path.abspath(d), "model": key, "seed": args.seed,
                    "max_train_users": args.max_train_users, "max_test_users": args.max_test_users,
                    "valid_users": args.valid_users, "train_samples": n_samples}
        if ckpt_path and os.path.exists(ckpt_path):
            ck = torch.load(ckpt_path, weights_only=False)
            if ck["identity"] != identity:
                raise SystemExit(f"{ckpt_path}: written for {ck['identity']}, not {identity}; remove it or pass another --checkpoint")
            model.load_state_dict(ck["model"])
            trainer.optimizer.load_state_dict(ck["optimizer"])
            torch.set_rng_state(ck["torch_rng"])
            train_data.generator.set_state(ck["loader_rng"])
            np.random.set_state(ck["numpy_rng"])
            random.setstate(ck["python_rng"])
            (train_s, valid_recall, best, best_epoch, bad, epochs_run, best_state, epoch_threads) = (
                ck["train_s"], ck["valid_recall"], ck["best"], ck["best_epoch"], ck["bad"], ck["epochs_run"],
                ck["best_state"], ck["epoch_threads"])
            epoch_seconds = ck.get("epoch_seconds", [None] * epochs_run)  # absent from the first checkpoints written
            print(json.dumps({"model": key, "resumed_from": ckpt_path, "epochs_done": epochs_run,
                              "valid_recall@50_per_epoch": valid_recall}), flush=True)
        t_start = time.perf_counter()
        for epoch in range(epochs_run, args.epochs):
            if bad >= args.patience:  # a resumed run that had already stopped
                break
            t0 = time.perf_counter()
            loss = trainer._train_epoch(train_data, epoch, show_progress=False)
            dt = time.perf_counter() - t0
            train_s += dt
            epochs_run += 1
            r = evaluate(model, valid, item_id, [50], max_len)["recall@50"]
            valid_recall.append(r)
            if r > best:
                best, best_epoch, bad = r, epoch + 1, 0
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                bad += 1
            epoch_threads.append(args.threads)
            epoch_seconds.append(round(dt, 1))
            if ckpt_path:
                tmp = ckpt_path + ".tmp"
                torch.save({"identity": identity, "model": model.state_dict(), "optimizer": trainer.optimizer.state_dict(),
                            "torch_rng": torch.get_rng_state(), "loader_rng": train_data.generator.get_state(),
                            "numpy_rng": np.random.get_state(), "python_rng": random.getstate(),
                            "train_s": train_s, "valid_recall": valid_recall, "best": best, "best_epoch": best_epoch,
                            "bad": bad, "epochs_run": epochs_run, "best_state": best_state,
                            "epoch_threads": epoch_threads, "epoch_seconds": epoch_seconds}, tmp)
                os.replace(tmp, ckpt_path)
            print(json.dumps({"model": key, "epoch": epoch + 1, "loss_sum": round(float(loss), 2),
                              "epoch_seconds": round(dt, 1), "epoch_samples_per_s": round(n_samples / dt, 1),
                              "valid_recall@50": r}), flush=True)
            if bad >= args.patience:
                break
            if args.time_budget_minutes and (time.perf_counter() - t_start) + (time.perf_counter() - t0) > 60 * args.time_budget_minutes:
                stopped_by_budget = epoch + 1 < args.epochs
                break
        model.load_state_dict(best_state)
        total_s = time.perf_counter() - t_start

        per_user = {} if args.per_user_out else None
        out = {"model": key, "recbole_class": model_name, **evaluate(model, test, item_id, tops, max_len, per_user=per_user),
               "epochs_max": args.epochs, "epochs_run": epochs_run, "best_epoch": best_epoch,
               "valid_recall@50_per_epoch": valid_recall, "stopped_by_time_budget": stopped_by_budget,
               "samples_per_s": round(n_samples * epochs_run / train_s, 1),
               "train_seconds": round(train_s, 1), "total_seconds": round(total_s, 1),
               "data_seconds": round(data_s, 1),
               "train_users": len(train), "train_samples": n_samples, "catalogue": len(tokens),
               "valid_users": len(valid), "valid_users_all": valid_all, "test_users": len(test),
               "config": {k: config[k] for k in ("loss_type", "train_batch_size", "learner", "learning_rate",
                                                 "weight_decay", "MAX_ITEM_LIST_LENGTH", "hidden_size",
                                                 "embedding_size", "n_layers", "n_heads", "inner_size",
                                                 "hidden_dropout_prob", "attn_dropout_prob", "num_layers",
                                                 "dropout_prob", "hidden_act") if config[k] is not None},
               "pipeline": "RecBole Config + create_dataset + build() (SequentialDataset prefix augmentation, split RS [1,0,0]) + "
                           "TrainDataLoader + Trainer._train_epoch",
               "threads": args.threads, "threads_per_epoch": epoch_threads, "seconds_per_epoch": epoch_seconds, "seed": args.seed, "recbole": recbole.__version__, "torch": torch.__version__,
               "date": time.strftime("%Y-%m-%d")}
        ranking_metrics.print_result(out, per_user, args.per_user_out, key)


if __name__ == "__main__":
    main()
