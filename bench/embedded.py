"""Embedded-database benchmark: huedb beside chromadb (when importable) on the standard workload.

Runs each engine in its own subprocess on the same data (../shared/bench/dataset.py when it is
there, else the same generator inlined at a smaller size) and prints one table:

    python bench/embedded.py            # 100k x 384, as in the shared research figures
    python bench/embedded.py --small    # 10k rows: a smoke test of the script

A reference interpreter with chromadb can be named with --reference-python (default: the
`chromadb` importable here, else /work/.chromavenv/bin/python if it exists, else none).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "bench"


def load_workload(n: int) -> tuple[Any, ...]:
    """The shared 100k workload for full runs; a quick inline generator for --small."""
    if n >= 100_000 and (SHARED / "dataset.py").exists():
        sys.path.insert(0, str(SHARED))
        import dataset  # type: ignore[import-not-found]

        base, queries, gt, cat, year = dataset.make()
        return base[:n], queries, gt, cat[:n], year[:n]
    rng = np.random.default_rng(7)
    centers = rng.standard_normal((200, 384)).astype(np.float32)
    x = centers[rng.integers(0, 200, n + 200)] + 0.6 * rng.standard_normal((n + 200, 384))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    base, queries = x[:n], x[n:]
    return base, queries, exact_truth(base, queries), rng.integers(0, 100, n), \
        rng.integers(2000, 2025, n)


def exact_truth(base: Any, queries: Any) -> Any:
    return np.argsort(-(queries @ base.T), axis=1)[:, :100]


def run_engine(module: str, n: int, queries: int) -> dict[str, float]:
    """Measures one engine in this process (called in a subprocess by main)."""
    import resource

    db: Any = __import__(module)
    base, qs, gt, cat, year = load_workload(n)
    qs = qs[:queries]
    out: dict[str, float] = {}
    path = tempfile.mkdtemp(prefix=f"bench-{module}-")
    client = db.PersistentClient(path)
    col = client.create_collection("bench", embedding_function=None,
                                   configuration={"hnsw": {"space": "cosine"}})
    ids = [str(i) for i in range(n)]
    metas = [{"cat": int(c), "year": int(y)} for c, y in zip(cat, year, strict=True)]
    batch = 1000 if module == "huedb" else min(1000, client.get_max_batch_size())
    t = time.perf_counter()
    for s in range(0, n, batch):
        col.add(ids=ids[s:s + batch], embeddings=base[s:s + batch], metadatas=metas[s:s + batch])
    col.query(query_embeddings=qs[:1], n_results=10, include=[])
    out["ingest vectors/s (batches of 1000)"] = n / (time.perf_counter() - t)
    t = time.perf_counter()
    # huedb builds its graph in the background (chroma builds during add): wait for it, so the
    # queries below measure the finished index, then close, which saves it.
    wait_for_index(client)
    close(db, client)
    out["close after ingest s (huedb: graph build)"] = time.perf_counter() - t
    out["disk MiB"] = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20
    big = db.PersistentClient(tempfile.mkdtemp(prefix=f"bench-{module}-big-"))
    bcol = big.create_collection("bench", embedding_function=None,
                                 configuration={"hnsw": {"space": "cosine"}})
    step = n if module == "huedb" else big.get_max_batch_size()
    t = time.perf_counter()
    for s in range(0, n, step):
        bcol.add(ids=ids[s:s + step], embeddings=base[s:s + step], metadatas=metas[s:s + step])
    bcol.query(query_embeddings=qs[:1], n_results=10, include=[])
    out["ingest vectors/s (max batch, queryable)"] = n / (time.perf_counter() - t)
    close(db, big)  # huedb abandons this copy's build: only its ingest rate is measured
    del bcol, big, col
    t = time.perf_counter()
    col = db.PersistentClient(path).get_collection("bench", embedding_function=None)
    col.query(query_embeddings=qs[:1], n_results=10, include=[])
    out["open + first query s"] = time.perf_counter() - t
    found, lat = [], []
    for q in qs:
        t = time.perf_counter()
        found.append([int(i) for i in col.query(query_embeddings=[q], n_results=10,
                                                 include=[])["ids"][0]])
        lat.append(time.perf_counter() - t)
    out["query QPS (one at a time)"] = len(qs) / sum(lat)
    out["query p50 ms"] = float(np.percentile(lat, 50) * 1000)
    out["query p99 ms"] = float(np.percentile(lat, 99) * 1000)
    out["recall@10"] = recall(found, gt[:len(qs)])
    t = time.perf_counter()
    res = col.query(query_embeddings=qs, n_results=10, include=[])
    out["batched QPS (all queries, one call)"] = len(qs) / (time.perf_counter() - t)
    out["batched recall@10"] = recall([[int(i) for i in r] for r in res["ids"]], gt[:len(qs)])
    filters = [
        ("cat == c (1%)", lambda i: {"cat": i % 100}, lambda i: cat == i % 100),
        ("year >= 2020 (20%)", lambda i: {"year": {"$gte": 2020}}, lambda i: year >= 2020),
        ("cat < 50 and year >= 2020 (10%)",
         lambda i: {"$and": [{"cat": {"$lt": 50}}, {"year": {"$gte": 2020}}]},
         lambda i: (cat < 50) & (year >= 2020)),
    ]
    for label, where, mask in filters:
        found, short = [], 0
        t = time.perf_counter()
        for i, q in enumerate(qs):
            got = col.query(query_embeddings=[q], n_results=10, where=where(i), include=[])
            found.append([int(x) for x in got["ids"][0]])
        out[f"filtered QPS {label}"] = len(qs) / (time.perf_counter() - t)
        truth = []
        for i, q in enumerate(qs):
            rows = np.flatnonzero(mask(i))
            best = rows[np.argsort(-(base[rows] @ q), kind="stable")[:10]]
            truth.append(best)
            short += len(found[i]) < min(10, len(rows))
        out[f"  recall@10 {label}"] = recall(found, truth)
        out[f"  short results {label}"] = short
    t = time.perf_counter()
    for i in range(20):
        col.get(where={"cat": i}, limit=1000)
    out["get by filter ms"] = (time.perf_counter() - t) / 20 * 1000
    out["peak RSS MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def wait_for_index(client: Any) -> None:
    """Block until huedb's background graph builds finish (engine internals: a benchmark aid)."""
    backend = getattr(client, "_backend", None)
    cache = getattr(backend, "cache", None)
    for index in list(getattr(cache, "_entries", {}).values()):
        index.wait()


def close(db: Any, client: Any) -> None:
    """Close one client's database (huedb) or drop chroma's cached systems."""
    if hasattr(db, "ClientAPI"):
        db.ClientAPI.clear_system_cache()
    else:
        db.api.client.SharedSystemClient.clear_system_cache()


def recall(found: list[list[int]], gt: Any, k: int = 10) -> float:
    hits = sum(len(set(f[:k]) & {int(g) for g in row[:k]}) for f, row in zip(found, gt,
                                                                            strict=True))
    return hits / max(1, sum(min(k, len(row)) for row in gt))


def measure(python: str, module: str, n: int, queries: int) -> dict[str, float] | None:
    code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); import embedded; "
            f"print(json.dumps(embedded.run_engine({module!r}, {n}, {queries})))")
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        print(f"{module}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def reference_python(explicit: str | None) -> str | None:
    if explicit:
        return explicit if explicit != "none" else None
    probe = subprocess.run([sys.executable, "-c", "import chromadb"], capture_output=True)
    if probe.returncode == 0:
        return sys.executable
    fallback = Path("/work/.chromavenv/bin/python")
    return str(fallback) if fallback.exists() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10k rows and 50 queries")
    parser.add_argument("--reference-python", help="interpreter with chromadb, or 'none'")
    args = parser.parse_args()
    n, queries = (10_000, 50) if args.small else (100_000, 300)
    results = {"huedb": measure(sys.executable, "huedb", n, queries)}
    ref = reference_python(args.reference_python)
    if ref:
        results["chromadb"] = measure(ref, "chromadb", n, queries)
    print(f"workload: {n} x 384, cosine, k=10, {queries} queries, {os.cpu_count()} cores")
    names = [k for k, v in results.items() if v]
    print(f"{'metric':40s}" + "".join(f"{k:>14s}" for k in names) +
          ("      ratio" if len(names) == 2 else ""))
    metrics = next(v for v in results.values() if v) if names else {}
    for metric in metrics:
        vals = [results[k][metric] for k in names]  # type: ignore[index]
        row = f"{metric:40s}" + "".join(f"{v:14.3f}" for v in vals)
        if len(vals) == 2 and vals[1]:
            row += f"{vals[0] / vals[1]:10.2f}x"
        print(row)
    if not results["huedb"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
