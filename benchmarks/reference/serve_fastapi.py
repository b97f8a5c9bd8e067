#!/usr/bin/env python3
"""`mind serve`'s POST /v1/recommend written as a PyTorch user would: the reference for benchmarks/serve.sh.

FastAPI + uvicorn (uvloop/httptools, i.e. `uvicorn[standard]`), torch-rechub 0.9.0's MIND user tower, and
faiss IndexFlatIP over the item vectors:

    history ids -> torch ids -> MIND user tower (torch.inference_mode) -> K interest vectors [K, d]
    -> faiss search of each interest (top n + |excluded|) -> merge by max score over interests
    -> drop the history and "exclude" -> top n

Model as in torch_rechub_mind.py (and torch-rechub's examples/matching/run_ml_mind.py): d=64, K=4, history
length L=20 (most recent 20 items, post-padded with id 0), 3706 items like MovieLens-1M, one user-id feature
(torch-rechub's MIND needs one; every request uses id 0). **The weights are random** (torch-rechub's own
initialisation, seed 2022): we measure serving speed, not quality, and the cost of a forward pass does not
depend on the weights' values. With --export DIR (a `mind export` directory: items.npy [n, d] float32,
item_ids.txt) the catalogue, its ids and the item vectors come from our trained model: the vectors are copied
into torch-rechub's item embedding table and indexed by faiss, so the same request bodies (real item ids) work
against both servers; the rest of the user tower stays random.

Only history requests are served (this reference has no user store): `{"user": ...}` without a history is a 404.
Unknown history ids are ignored. Errors use `mind serve`'s shape: {"error": {"status": 400, "message": "..."}}.
Also: GET /healthz, GET /readyz (200 once the model is loaded).

Threads: --workers uvicorn processes (default 1), each with its own model and index. Each request runs in
FastAPI's thread pool (a plain `def` endpoint, the documented way for blocking work); torch and faiss release
the GIL, so requests overlap. torch and faiss (OpenMP) get --torch-threads threads each (default 1): with up to
40 pool threads per process, more intra-op threads per request only oversubscribes 2 cores (the usual
production advice, `torch.set_num_threads(1)` per worker).

    PY=${MIND_CACHE:-$HOME/.cache/mind}/venv-torch/bin/python     # benchmarks/reference/setup-venv.sh
    $PY benchmarks/reference/serve_fastapi.py --port 8090 [--workers 2] [--export DIR]
    curl -s localhost:8090/v1/recommend -H 'content-type: application/json' -d '{"history": ["1", "2"], "n": 10}'
"""
import argparse
import json
import os
import sys

ENV_CONFIG = "MIND_FASTAPI_REFERENCE_CONFIG"  # how the parent hands the settings to uvicorn's worker processes


def build_state(cfg):
    """The model, the faiss index and the id maps; built once per worker process at startup."""
    import faiss
    import numpy as np
    import torch
    from torch_rechub.basic.features import SequenceFeature, SparseFeature
    from torch_rechub.models.matching import MIND

    threads = cfg["torch_threads"]
    torch.set_num_threads(threads)
    faiss.omp_set_num_threads(threads)
    torch.manual_seed(cfg["seed"])

    if cfg.get("export"):
        vectors = np.load(os.path.join(cfg["export"], "items.npy")).astype(np.float32, copy=False)
        with open(os.path.join(cfg["export"], "item_ids.txt"), encoding="utf-8") as f:
            item_ids = f.read().splitlines()
        assert len(item_ids) == len(vectors), "item_ids.txt and items.npy differ in length"
        d = vectors.shape[1]
    else:
        vectors = None
        item_ids = [str(i) for i in range(1, cfg["items"] + 1)]  # MovieLens-like ids "1".."3706"
        d = cfg["dim"]
    n_items = len(item_ids)

    # The features of torch_rechub_mind.py: torch ids are 1..n (0 pads the history).
    user_features = [SparseFeature("user_id", vocab_size=cfg["users"] + 1, embed_dim=d)]
    history_features = [SequenceFeature("hist_movie_id", vocab_size=n_items + 1, embed_dim=d, pooling="concat",
                                        shared_with="movie_id")]
    item_features = [SparseFeature("movie_id", vocab_size=n_items + 1, embed_dim=d)]
    neg_item_feature = [SequenceFeature("neg_items", vocab_size=n_items + 1, embed_dim=d, pooling="concat",
                                        shared_with="movie_id")]
    model = MIND(user_features, history_features, item_features, neg_item_feature, max_length=cfg["hist_len"],
                 temperature=0.02, interest_num=cfg["interests"])
    model.eval()
    table = model.embedding.embed_dict["movie_id"].weight
    with torch.no_grad():
        if vectors is not None:
            table[1:] = torch.from_numpy(vectors)
        else:
            # Item vectors as torch-rechub serves them: the item tower's L2-normalised embeddings.
            model.mode = "item"
            vectors = model({"movie_id": torch.arange(1, n_items + 1)}).numpy().astype(np.float32)
    model.mode = "user"

    index = faiss.IndexFlatIP(d)
    index.add(np.ascontiguousarray(vectors))
    return {
        "model": model, "index": index, "item_ids": item_ids, "np_ids": np.array(item_ids, dtype=object),
        "torch_id": {s: i + 1 for i, s in enumerate(item_ids)}, "hist_len": cfg["hist_len"],
        "interests": cfg["interests"],
    }


def recommend(state, history, n, exclude):
    import numpy as np
    import torch

    torch_id = state["torch_id"]
    ids = [torch_id[h] for h in history if h in torch_id]
    recent = ids[-state["hist_len"]:]
    hist = torch.zeros(1, state["hist_len"], dtype=torch.long)
    if recent:
        hist[0, :len(recent)] = torch.tensor(recent)
    with torch.inference_mode():
        interests = state["model"]({"user_id": torch.zeros(1, dtype=torch.long), "hist_movie_id": hist})[0].numpy()

    banned = {i - 1 for i in ids} | {torch_id[e] - 1 for e in exclude if e in torch_id}
    k = min(n + len(banned), state["index"].ntotal)
    scores, rows = state["index"].search(np.ascontiguousarray(interests, dtype=np.float32), k)  # [K, k] each
    # Merge by max over interests: sort all K*k hits by score, keep each item's first (best) hit.
    flat_scores, flat_rows = scores.ravel(), rows.ravel()
    interest_of = np.repeat(np.arange(interests.shape[0]), k)
    order = np.argsort(-flat_scores, kind="stable")
    flat_rows, flat_scores, interest_of = flat_rows[order], flat_scores[order], interest_of[order]
    _, first = np.unique(flat_rows, return_index=True)
    first.sort()
    keep = first[(flat_rows[first] >= 0) & ~np.isin(flat_rows[first], np.fromiter(banned, dtype=np.int64))][:n]
    return {
        "user": "",
        "items": state["np_ids"][flat_rows[keep]].tolist(),
        "scores": flat_scores[keep].tolist(),
        "interests": interest_of[keep].tolist(),
    }


def create_app():
    """uvicorn factory (an import string is what uvicorn needs for --workers > 1)."""
    from typing import Dict, List, Optional

    from fastapi import FastAPI, HTTPException, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from pydantic import BaseModel, Field
    from starlette.exceptions import HTTPException as StarletteHTTPException

    cfg = json.loads(os.environ[ENV_CONFIG])
    state = build_state(cfg)
    app = FastAPI(title="mind serve reference (FastAPI + torch-rechub + faiss)")

    class RecommendRequest(BaseModel):
        user: Optional[str] = None
        history: Optional[List[str]] = None
        profile: Optional[Dict[str, str]] = None
        n: int = Field(100, ge=1, le=1000)
        exclude: List[str] = []

    class RecommendResponse(BaseModel):
        user: str
        items: List[str]
        scores: List[float]
        interests: List[int]

    def error(status, message):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return error(400, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        return {"status": "ready"}

    @app.post("/v1/recommend", response_model=RecommendResponse)
    def post_recommend(body: RecommendRequest):
        if body.history is None:
            raise HTTPException(404, "this reference serves history requests only (no user store)")
        return recommend(state, body.history, body.n, body.exclude)

    return app


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8090)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--torch-threads", type=int, default=1, help="torch and faiss threads per worker process")
    ap.add_argument("--export", help="a `mind export` directory: items.npy + item_ids.txt (else random vectors)")
    ap.add_argument("--items", type=int, default=3706, help="catalogue size without --export")
    ap.add_argument("--dim", type=int, default=64, help="d without --export")
    ap.add_argument("--interests", type=int, default=4)
    ap.add_argument("--hist-len", type=int, default=20)
    ap.add_argument("--users", type=int, default=6040, help="user-id vocabulary (MIND needs a user feature)")
    ap.add_argument("--seed", type=int, default=2022)
    args = ap.parse_args()
    cfg = {k: getattr(args, k) for k in ("torch_threads", "export", "items", "dim", "interests", "hist_len", "users",
                                           "seed")}
    if cfg["export"]:
        cfg["export"] = os.path.abspath(cfg["export"])
    os.environ[ENV_CONFIG] = json.dumps(cfg)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

    import uvicorn
    uvicorn.run("serve_fastapi:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
