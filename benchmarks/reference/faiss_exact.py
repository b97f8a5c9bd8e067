#!/usr/bin/env python3
"""faiss-cpu IndexFlatIP on the same catalogue and queries as `mind bench retrieval`.

Reads the raw float32 files `mind bench retrieval --data-directory DIR` wrote (items.f32 [items, d],
requests.f32 [requests, K, d], batch.f32 [batch, K, d], requests-top.i32 [up to 5, n]) and measures,
per thread count (faiss.omp_set_num_threads):
  - one request = one search of the user's K interest vectors (K queries, top-n each), then the merge
    by max score per item, cut to n: latency p50 / p99 over all requests (search-only p50 too);
  - a batch = one search of batch*K queries plus the per-user merges: users per second;
and how many of our top-n items for the first requests faiss also returns (rounding can swap near-ties).
Prints JSON lines.

Usage: python faiss_exact.py --data-directory DIR [--threads 1,2]
"""
import argparse
import json
import os
import time

import faiss
import numpy as np


def merge_by_max(scores, ids, n):
    """Per user: the best n distinct items of its K result lists, by max score (ties: lower item)."""
    scores, ids = scores.ravel(), ids.ravel()
    order = np.lexsort((ids, -scores))  # best first, equal scores by lower item
    ids_sorted = ids[order]
    _, first = np.unique(ids_sorted, return_index=True)  # an item's first place is its max
    keep = np.sort(first)[:n]
    return ids_sorted[keep], scores[order][keep]


def percentile(sorted_values, fraction):
    index = max(0, min(len(sorted_values) - 1, int(np.ceil(fraction * len(sorted_values))) - 1))
    return sorted_values[index]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-directory", required=True)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--batches", type=int, default=3)
    args = parser.parse_args()
    folder = args.data_directory
    with open(os.path.join(folder, "shape.json")) as f:
        shape = json.load(f)
    d, k_interests, n = shape["dimension"], shape["interests"], shape["n"]
    items = np.fromfile(os.path.join(folder, "items.f32"), dtype=np.float32).reshape(shape["items"], d)
    requests = np.fromfile(os.path.join(folder, "requests.f32"), dtype=np.float32).reshape(shape["requests"], k_interests, d)
    batch = np.fromfile(os.path.join(folder, "batch.f32"), dtype=np.float32).reshape(shape["batch_size"] * k_interests, d)
    ours = np.fromfile(os.path.join(folder, "requests-top.i32"), dtype=np.int32).reshape(shape["top_requests"], n)

    index = faiss.IndexFlatIP(d)
    index.add(items)
    print(json.dumps({"kind": "faiss_environment", "faiss": faiss.__version__, "numpy": np.__version__,
                      "compile_options": faiss.get_compile_options(),
                      "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""),
                      "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE", ""),
                      "distance_compute_blas_threshold": faiss.cvar.distance_compute_blas_threshold,
                      "loadavg": os.getloadavg()}))
    for threads in [int(t) for t in args.threads.split(",")]:
        faiss.omp_set_num_threads(threads)
        index.search(requests[0], n)  # warm-up
        latencies, search_only, agreement = [], [], []
        for request in range(len(requests)):
            start = time.perf_counter()
            scores, ids = index.search(requests[request], n)  # [K, n]
            searched = time.perf_counter()
            top_ids, _ = merge_by_max(scores, ids, n)
            end = time.perf_counter()
            latencies.append(end - start)
            search_only.append(searched - start)
            if request < len(ours):
                agreement.append(len(set(top_ids.tolist()) & set(ours[request].tolist())) / n)
        latencies.sort()
        search_only.sort()
        print(json.dumps({"kind": "faiss_single_request", "threads": threads, "requests": len(requests),
                          "p50_ms": percentile(latencies, 0.5) * 1e3, "p99_ms": percentile(latencies, 0.99) * 1e3,
                          "best_ms": latencies[0] * 1e3, "mean_ms": sum(latencies) / len(latencies) * 1e3,
                          "search_only_p50_ms": percentile(search_only, 0.5) * 1e3,
                          "top_n_overlap_with_mind": min(agreement)}))
        users = shape["batch_size"]
        seconds = []
        for _ in range(args.batches):
            start = time.perf_counter()
            scores, ids = index.search(batch, n)  # [batch*K, n]
            for user in range(users):
                merge_by_max(scores[user * k_interests:(user + 1) * k_interests], ids[user * k_interests:(user + 1) * k_interests], n)
            seconds.append(time.perf_counter() - start)
        print(json.dumps({"kind": "faiss_batch", "threads": threads, "batch_size": users, "batches": args.batches,
                          "users_per_second": users * args.batches / sum(seconds),
                          "users_per_second_best_batch": users / min(seconds)}))


if __name__ == "__main__":
    main()
