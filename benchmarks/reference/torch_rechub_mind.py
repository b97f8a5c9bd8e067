#!/usr/bin/env python3
"""Training throughput of torch-rechub 0.9.0's MIND on CPU: the reference for
`mind train` speed.

Setup mirrors torch-rechub's examples/matching/run_ml_mind.py (list-wise
training, MatchTrainer mode=2: softmax cross-entropy over [positive, negatives])
with our benchmark shapes: d=64, history L=20, K=4, batch 128, 3 negatives per
sample, item vocabulary 3706 (MovieLens-1M). torch-rechub's MIND requires at
least one user feature (EmbeddingLayer raises on an empty list), so we give it
the smallest one, a user-id embedding (6040 users, d=64) -- the example uses
user_id, gender, age, occupation, zip.

What is timed: MatchTrainer.train_one_epoch over batches already built as
tensors in memory, i.e. exactly torch-rechub's step (forward, CrossEntropyLoss,
its regularization-loss hook, zero_grad, backward, Adam step, loss.item()),
excluding data loading and negative sampling (torch-rechub samples negatives
offline before training anyway).

Each thread count runs in its own subprocess, so torch.set_num_threads is set
before any work and ru_maxrss (peak RSS) is per run.

Usage: python torch_rechub_mind.py [--threads 1,2] [--steps 200] [--windows 3]
Prints one JSON line per thread count.
"""
import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("TQDM_DISABLE", "1")  # the trainer wraps batches in tqdm

N_USERS, N_ITEMS = 6040, 3706  # ids 1..N; 0 is padding (MIND.gen_mask: id > 0)


def make_batches(n, batch, hist_len, n_neg, seed):
    """Synthetic batches with the shapes run_ml_mind.py feeds (post-padded
    histories). Lengths uniform in [1, L]; the compute is dense over L anyway."""
    import torch
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        lens = torch.randint(1, hist_len + 1, (batch, 1), generator=g)
        hist = torch.randint(1, N_ITEMS + 1, (batch, hist_len), generator=g)
        hist = hist * (torch.arange(hist_len).unsqueeze(0) < lens)  # post padding with 0
        x = {
            "user_id": torch.randint(1, N_USERS + 1, (batch,), generator=g),
            "hist_movie_id": hist,
            "movie_id": torch.randint(1, N_ITEMS + 1, (batch,), generator=g),
            # uniform here; the example draws them by popularity^0.75, offline
            "neg_items": torch.randint(1, N_ITEMS + 1, (batch, n_neg), generator=g),
        }
        y = torch.zeros(batch, dtype=torch.long)  # the positive is logit 0
        out.append((x, y))
    return out


def build_model(d, hist_len, k, dynamic_interest):
    from torch_rechub.basic.features import SequenceFeature, SparseFeature
    from torch_rechub.models.matching import MIND
    user_features = [SparseFeature("user_id", vocab_size=N_USERS + 1, embed_dim=d)]
    history_features = [SequenceFeature("hist_movie_id", vocab_size=N_ITEMS + 1, embed_dim=d,
                                        pooling="concat", shared_with="movie_id")]
    item_features = [SparseFeature("movie_id", vocab_size=N_ITEMS + 1, embed_dim=d)]
    neg_item_feature = [SequenceFeature("neg_items", vocab_size=N_ITEMS + 1, embed_dim=d,
                                        pooling="concat", shared_with="movie_id")]
    # temperature=0.02 as in the example -- but MIND.forward never uses it (see README).
    return MIND(user_features, history_features, item_features, neg_item_feature,
                max_length=hist_len, temperature=0.02, interest_num=k,
                dynamic_interest=dynamic_interest)


def torch_info(torch):
    cfg = torch.__config__.show()
    pick = lambda key: next((l.strip() for l in cfg.splitlines() if key in l), None)
    blas = next((p.split("=", 1)[1] for p in cfg.replace(",", " ").split() if p.startswith("BLAS_INFO=")), None)
    return {
        "torch": torch.__version__,
        "blas_info": blas,
        "mkl": pick("Math Kernel Library"),
        "mkldnn": pick("MKL-DNN"),
        "mkldnn_available": torch.backends.mkldnn.is_available(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
    }


def run_one(args, threads):
    import resource
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    import torch_rechub
    from torch_rechub.trainers import MatchTrainer

    model = build_model(args.dim, args.hist_len, args.interests, args.dynamic_interest)
    trainer = MatchTrainer(model, mode=2, device="cpu", model_path="/tmp",
                           optimizer_params={"lr": args.lr, "weight_decay": args.weight_decay})
    warm = make_batches(args.warmup, args.batch, args.hist_len, args.negatives, args.seed + 1)
    timed = make_batches(args.steps, args.batch, args.hist_len, args.negatives, args.seed + 2)

    trainer.train_one_epoch(warm)
    rates, losses = [], []
    load_before = os.getloadavg()
    for _ in range(args.windows):  # several windows: the VM is shared, keep the best
        t0 = time.perf_counter()
        losses.append(trainer.train_one_epoch(timed))
        dt = time.perf_counter() - t0
        rates.append(args.steps * args.batch / dt)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    srt = sorted(rates)
    return {
        "bench": "torch_rechub_mind_train", "threads": threads,
        "samples_per_s_best": round(srt[-1], 1), "samples_per_s_median": round(srt[len(srt) // 2], 1),
        "ms_per_step_best": round(args.batch / srt[-1] * 1e3, 3),
        "windows": [round(r, 1) for r in rates], "steps_per_window": args.steps, "warmup_steps": args.warmup,
        "batch": args.batch, "dim": args.dim, "hist_len": args.hist_len, "interests": args.interests,
        "negatives": args.negatives, "n_items": N_ITEMS, "dynamic_interest": args.dynamic_interest,
        "optimizer": f"Adam lr={args.lr} weight_decay={args.weight_decay}",
        "mean_loss_per_window": [round(l, 4) for l in losses],
        "n_params": sum(p.numel() for p in model.parameters()),
        "peak_rss_mib": round(rss_kb / 1024, 1),
        "loadavg_before": [round(v, 2) for v in load_before],
        "loadavg_after": [round(v, 2) for v in os.getloadavg()],
        "torch_rechub": getattr(torch_rechub, "__version__", None),
        **torch_info(torch),
        "date": time.strftime("%Y-%m-%d"),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--hist-len", type=int, default=20)
    ap.add_argument("--interests", type=int, default=4)
    ap.add_argument("--negatives", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--dynamic-interest", action="store_true")
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    threads = [int(t) for t in args.threads.split(",")]
    if args.child:
        print(json.dumps(run_one(args, threads[0])), flush=True)
        return
    # One subprocess per thread count (clean thread pools and peak RSS).
    base = [a for a in sys.argv[1:]]
    for t in threads:
        cmd = [sys.executable, os.path.abspath(__file__), *base, "--threads", str(t), "--child"]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
