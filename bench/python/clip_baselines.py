"""Baselines for `npm run bench -- clip|neighbours|pickle`, each printing one JSON line.

  sgemm                          numpy's float32 GEMM rate (GFLOP/s): the CPU's ceiling
  torch <model dir> <batch> <n>  PyTorch eager on the exported model's weights (images/s)
  topk <file.f32> <dim> <rows>   numpy brute-force top-50 over a float32 matrix file (ms)
  topk-batch <matrix.f32> <queries.f32> <dim> <rows> <q> <k>
                                 batched Q @ M.T + argpartition, 64 queries a block (queries/s)
  make-pickle <file> <rows> <dim>  a {id: float32 array} pickle like NewsCLIPpings' (protocol 4)
  load-pickle <file>             pickle.load time and peak RSS
"""

import json
import resource
import sys
import time


def sgemm() -> None:
    import numpy as np

    n = 2048
    a = np.random.rand(n, n).astype(np.float32)
    b = np.random.rand(n, n).astype(np.float32)
    a @ b
    best = 0.0
    for _ in range(5):
        t = time.perf_counter()
        a @ b
        best = max(best, 2 * n**3 / (time.perf_counter() - t) / 1e9)
    print(json.dumps({"gflops": best, "numpy": np.__version__}))


def torch_eager(model_dir: str, batch: int, runs: int) -> None:
    import os

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models", "exporter"))
    import torch
    from clip_model import PRESETS, Clip

    model = Clip(PRESETS["vit-b-32"]).randomize(json.load(open(os.path.join(model_dir, "manifest.json")))["weights"]["seed"]).eval()
    x = torch.randn(batch, 3, 224, 224)
    with torch.no_grad():
        model.encode_image(x[:1])
        t = time.perf_counter()
        for _ in range(runs):
            model.encode_image(x)
        seconds = time.perf_counter() - t
    print(json.dumps({"imagesPerSecond": batch * runs / seconds, "torch": torch.__version__, "threads": torch.get_num_threads()}))


def topk(file: str, dim: int, rows: int) -> None:
    import numpy as np

    emb = np.fromfile(file, dtype=np.float32, count=rows * dim).reshape(rows, dim)
    times, results = [], []
    for r in range(11):
        q = emb[r * 1000].copy()
        t = time.perf_counter()
        s = emb @ q
        idx = np.argpartition(-s, 50)[:50]
        idx = idx[np.argsort(-s[idx])]
        times.append((time.perf_counter() - t) * 1000)
        results.append(idx.tolist())
    print(json.dumps({"ms": sorted(times[1:])[len(times[1:]) // 2], "all": times, "rows": results, "numpy": np.__version__}))


def topk_batch(matrix: str, queries: str, dim: int, rows: int, q: int, k: int) -> None:
    import numpy as np

    emb = np.fromfile(matrix, dtype=np.float32, count=rows * dim).reshape(rows, dim)
    qs = np.fromfile(queries, dtype=np.float32, count=q * dim).reshape(q, dim)
    first = []
    t = time.perf_counter()
    for start in range(0, q, 64):
        s = qs[start : start + 64] @ emb.T
        idx = np.argpartition(-s, k, axis=1)[:, :k]
        part = np.take_along_axis(s, idx, axis=1)
        order = np.argsort(-part, axis=1)
        idx = np.take_along_axis(idx, order, axis=1)
        if start == 0:
            first = idx[:5].tolist()
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "queriesPerSecond": q / seconds, "first": first, "numpy": np.__version__}))


def make_pickle(file: str, rows: int, dim: int) -> None:
    import pickle

    import numpy as np

    rng = np.random.default_rng(1)
    block = rng.standard_normal((1024, dim), dtype=np.float32)
    data = {i * 3 + 1: block[i % 1024] + np.float32(i) for i in range(rows)}
    with open(file, "wb") as f:
        pickle.dump(data, f, protocol=4)
    print(json.dumps({"rows": rows}))


def load_pickle(file: str) -> None:
    import os
    import pickle

    t = time.perf_counter()
    with open(file, "rb") as f:
        data = pickle.load(f)
    seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "entries": len(data), "peakRssBytes": rss, "mbPerSecond": os.path.getsize(file) / 1e6 / seconds}))


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd == "sgemm":
        sgemm()
    elif cmd == "torch":
        torch_eager(args[0], int(args[1]), int(args[2]))
    elif cmd == "topk":
        topk(args[0], int(args[1]), int(args[2]))
    elif cmd == "topk-batch":
        topk_batch(args[0], args[1], int(args[2]), int(args[3]), int(args[4]), int(args[5]))
    elif cmd == "make-pickle":
        make_pickle(args[0], int(args[1]), int(args[2]))
    elif cmd == "load-pickle":
        load_pickle(args[0])
