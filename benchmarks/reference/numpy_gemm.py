#!/usr/bin/env python3
"""Reference numbers for our matmul / element-wise kernel benchmarks.

Measures float32 GEMM throughput of numpy (which calls the OpenBLAS bundled in
its wheel, "scipy-openblas") on the shapes MIND actually runs, at 1 and 2 BLAS
threads, plus single-threaded element-wise throughput. Prints one JSON object.

Why these shapes (d = 64, batch B = 128, history L = 20, K = 4 interests):
  bilinear map S e_i     [B*L, d] x [d, d]        = [2560,64] x [64,64]
  MLP layer              [512, d] x [d, 4d]       (B*K rows, hidden 256)
  scoring the catalogue  [B, d]   x [d, 3706]     (MovieLens-1M item count)
  routing z = w^T u_hat  [B, K, L] x [B, L, d]    (batched 3-D matmul)
  a large square one     [1024,1024]^2            (peak-ish GEMM rate)

Usage: python numpy_gemm.py [--min-time 0.3] [--repeats 5]
"""
import argparse
import json
import os
import platform
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

SHAPES = [
    # name, A shape, B shape
    ("bilinear_2560x64x64", (2560, 64), (64, 64)),
    ("mlp_512x64x256", (512, 64), (64, 256)),
    ("score_128x64x3706", (128, 64), (64, 3706)),
    ("square_1024", (1024, 1024), (1024, 1024)),
    ("batched_128x(4x20)x(20x64)", (128, 4, 20), (128, 20, 64)),
]


def flops(a_shape, b_shape):
    # 2*M*N*K per matrix product, times the batch for 3-D operands.
    m, k = a_shape[-2:]
    n = b_shape[-1]
    batch = a_shape[0] if len(a_shape) == 3 else 1
    return 2.0 * batch * m * n * k


def bench(fn, min_time, repeats):
    """Best and median seconds per call. Each repeat runs the call in a loop
    for at least `min_time` seconds so tiny GEMMs (a few us) are measurable;
    the best repeat is the least disturbed by the other tenant / core."""
    fn()  # warm up: page in buffers, let OpenBLAS spin up its threads
    n = 1
    while True:  # calibrate the inner loop count
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time / 4:
            break
        n *= 2
    n = max(1, int(n * min_time / max(dt, 1e-9)))
    per_call = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        per_call.append((time.perf_counter() - t0) / n)
    per_call.sort()
    return per_call[0], per_call[len(per_call) // 2], n


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().splitlines()
        name = next(l.split(":", 1)[1].strip() for l in lines if l.startswith("model name"))
        flags = next(l.split(":", 1)[1].split() for l in lines if l.startswith("flags"))
        return name, {"avx2": "avx2" in flags, "avx512f": "avx512f" in flags, "fma": "fma" in flags}
    except Exception:
        return platform.processor(), {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-time", type=float, default=0.3, help="seconds per repeat")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]

    rng = np.random.default_rng(0)
    results = {"gemm": [], "elementwise": []}
    # The VM is shared with builds of other sessions: record the load so a
    # reader can tell a clean run from a contended one (2-thread numbers suffer
    # first, since the second core is the one somebody else is using).
    load_before = os.getloadavg()

    for name, ash, bsh in SHAPES:
        a = rng.standard_normal(ash, dtype=np.float32)
        b = rng.standard_normal(bsh, dtype=np.float32)
        out = np.empty(np.matmul(a, b).shape, dtype=np.float32)
        for nt in threads:
            # user_api="blas" caps only the BLAS pool (numpy itself is serial).
            with threadpool_limits(limits=nt, user_api="blas"):
                best, med, inner = bench(lambda: np.matmul(a, b, out=out), args.min_time, args.repeats)
            f = flops(ash, bsh)
            results["gemm"].append({
                "shape": name, "a": list(ash), "b": list(bsh), "threads": nt,
                "gflops_best": round(f / best / 1e9, 2), "gflops_median": round(f / med / 1e9, 2),
                "us_per_call_best": round(best * 1e6, 2), "calls_per_repeat": inner,
            })

    # Element-wise: numpy ufuncs run on one thread whatever the BLAS limit is.
    # out= avoids measuring the allocator. Bytes = reads + writes of float32.
    n = 1 << 20
    x = rng.standard_normal(n, dtype=np.float32)
    y = rng.standard_normal(n, dtype=np.float32)
    z = np.empty(n, dtype=np.float32)
    for name, fn, nbytes in [
        ("exp", lambda: np.exp(x, out=z), 8),
        ("add", lambda: np.add(x, y, out=z), 12),
        ("multiply", lambda: np.multiply(x, y, out=z), 12),
    ]:
        best, med, inner = bench(fn, args.min_time, args.repeats)
        results["elementwise"].append({
            "op": name, "n": n, "threads": 1,
            "gelem_per_s_best": round(n / best / 1e9, 3), "gb_per_s_best": round(n * nbytes / best / 1e9, 2),
            "gelem_per_s_median": round(n / med / 1e9, 3), "us_per_call_best": round(best * 1e6, 1),
        })

    # The same ops through torch (vectorised with SLEEF/ATen, 1 thread), when the
    # venv has it: a second opinion on what a vectorised exp/add/mul reaches here.
    try:
        import torch
        torch.set_num_threads(1)
        tx, ty, tz = (torch.from_numpy(v) for v in (x, y, z))
        for name, fn, nbytes in [
            ("exp", lambda: torch.exp(tx, out=tz), 8),
            ("add", lambda: torch.add(tx, ty, out=tz), 12),
            ("multiply", lambda: torch.mul(tx, ty, out=tz), 12),
        ]:
            best, med, inner = bench(fn, args.min_time, args.repeats)
            results.setdefault("elementwise_torch", []).append({
                "op": name, "n": n, "threads": 1, "torch": torch.__version__,
                "gelem_per_s_best": round(n / best / 1e9, 3), "gb_per_s_best": round(n * nbytes / best / 1e9, 2),
                "gelem_per_s_median": round(n / med / 1e9, 3), "us_per_call_best": round(best * 1e6, 1),
            })
    except ImportError:
        pass

    model, cpu_flags = cpu_model()
    # threadpool_info() names the BLAS library, its version and the kernel
    # ("architecture", OpenBLAS's corename) it picked at load time.
    blas = [{k: v for k, v in d.items() if k in ("user_api", "internal_api", "prefix", "version",
                                                   "architecture", "threading_layer", "num_threads", "filepath")}
            for d in threadpool_info()]
    results["env"] = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu": model, "cpu_flags": cpu_flags, "nproc": os.cpu_count(),
        "blas": blas,
        # Set on some hosts to dodge old-OpenBLAS bugs; it forces a slower kernel.
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "loadavg_before": [round(v, 2) for v in load_before],
        "loadavg_after": [round(v, 2) for v in os.getloadavg()],
        "min_time_s": args.min_time, "repeats": args.repeats,
    }
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
