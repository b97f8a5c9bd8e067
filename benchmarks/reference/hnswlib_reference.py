"""PyPI hnswlib on the vectors `mind bench hnsw --write-vectors DIR` wrote: the same items, queries, exclusions
and parameters, one request = K interest queries in one knn_query call (num_threads = THREADS), excluded
items dropped, merged by max score, cut to TOP. Prints one JSON line per measurement.

usage: python3 hnswlib_reference.py DIR --dimension 64 --interests 4 --top 1000 --history 50 \
           --m 16 --ef-construction 100 --ef 256 --threads 2
"""
import argparse, json, os, resource, time

import hnswlib
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("directory")
for name, default in [("dimension", 64), ("interests", 4), ("top", 1000), ("history", 50), ("m", 16),
                      ("ef-construction", 100), ("ef", 256), ("threads", 2)]:
    parser.add_argument("--" + name, type=int, default=default)
parser.add_argument("--space", choices=["inner-product", "euclidean"], default="euclidean",
                    help="euclidean: the same reduction of inner product to L2 that mind uses (one extra coordinate)")
args = parser.parse_args()

d = args.dimension
items = np.fromfile(os.path.join(args.directory, "items.f32"), dtype="<f4").reshape(-1, d)
queries = np.fromfile(os.path.join(args.directory, "queries.f32"), dtype="<f4").reshape(-1, args.interests, d)
exclude = np.fromfile(os.path.join(args.directory, "exclude.i32"), dtype="<i4").reshape(len(queries), args.history)
exact = np.fromfile(os.path.join(args.directory, "exact.i32"), dtype="<i4").reshape(len(queries), args.top)

graph_items, graph_dimension = items, d
if args.space == "euclidean":
    # [x, sqrt(M^2 - |x|^2)] for items, [q, 0] for queries: nearest in L2 = largest inner product.
    squared = np.einsum("ij,ij->i", items, items)
    extra = np.sqrt(np.maximum(squared.max() - squared, 0)).astype(np.float32)
    graph_items, graph_dimension = np.hstack([items, extra[:, None]]), d + 1

rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
index = hnswlib.Index(space="l2" if args.space == "euclidean" else "ip", dim=graph_dimension)
index.init_index(max_elements=len(items), ef_construction=args.ef_construction, M=args.m, random_seed=100)
index.add_items(graph_items, np.arange(len(items)), num_threads=args.threads)
build_seconds = time.perf_counter() - start
print(json.dumps({"kind": "hnswlib_build", "space": args.space, "seconds": build_seconds,
                  "peak_rss_mib_added": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before,
                  "m": args.m, "ef_construction": args.ef_construction, "threads": args.threads}))
index.set_ef(args.ef)

latencies, hits = [], 0
for request in range(len(queries)):
    begin = time.perf_counter()
    excluded = set(exclude[request].tolist())
    request_queries = queries[request]
    if args.space == "euclidean":
        request_queries = np.hstack([request_queries, np.zeros((len(request_queries), 1), dtype=np.float32)])
    labels, _ = index.knn_query(request_queries, k=args.top + len(excluded), num_threads=args.threads)
    best = {}
    for query, row_labels in zip(queries[request], labels):
        # Exact inner products of the candidates, as mind re-scores them.
        row_scores = items[row_labels] @ query
        for label, score in zip(row_labels.tolist(), row_scores.tolist()):
            if label in excluded:
                continue
            if score > best.get(label, -np.inf):
                best[label] = score
    answer = sorted(best.items(), key=lambda pair: (-pair[1], pair[0]))[: args.top]
    latencies.append((time.perf_counter() - begin) * 1000)
    hits += len(set(label for label, _ in answer) & set(exact[request].tolist()))
latencies.sort()
print(json.dumps({"kind": "retrieval", "index": "hnswlib (PyPI)", "requests": len(queries),
                  "p50_ms": latencies[len(latencies) // 2], "p99_ms": latencies[min(len(latencies) - 1, len(latencies) * 99 // 100)],
                  "recall_at_top_vs_exact": hits / (len(queries) * args.top), "ef": args.ef}))
