"""A deterministic stream of write batches and the in-memory model of what they leave behind."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DIM = 8
ID_SPACE = 300


@dataclass
class Batch:
    op: str  # add | upsert | update | delete
    ids: list[str]
    embeddings: list[list[float]] | None = None
    documents: list[str] | None = None
    metadatas: list[dict[str, Any]] | None = None


def batches(seed: int) -> list[Batch]:
    """The same batches for the same seed, in the child that writes and the parent that checks."""
    rng = random.Random(seed)
    out = []
    for n in range(2000):
        op = rng.choice(["add", "add", "upsert", "update", "delete"])
        ids = sorted(rng.sample(range(ID_SPACE), rng.randint(1, 40)))
        keys = [f"r{i}" for i in ids]
        if op == "delete":
            out.append(Batch(op, keys))
            continue
        emb = [[round(rng.uniform(-1, 1), 3) for _ in range(DIM)] for _ in keys]
        docs = [f"doc {k} v{n}" for k in keys] if rng.random() < 0.5 else None
        metas = [{"n": n, "k": k, "even": i % 2 == 0} for i, k in zip(ids, keys, strict=True)]
        out.append(Batch(op, keys, emb, docs, metas))
    return out


@dataclass
class Model:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def apply(self, b: Batch) -> None:
        for i, key in enumerate(b.ids):
            row = self.rows.get(key)
            if b.op == "delete":
                self.rows.pop(key, None)
                continue
            emb = b.embeddings[i] if b.embeddings else None
            doc = b.documents[i] if b.documents else None
            md = b.metadatas[i] if b.metadatas else None
            if row is None:
                if b.op in ("add", "upsert"):
                    self.rows[key] = {"embedding": emb, "document": doc, "metadata": md}
                continue
            if b.op == "add":
                continue
            if emb is not None:
                row["embedding"] = emb
            if doc is not None:
                row["document"] = doc
            if md is not None:
                row["metadata"] = {**(row["metadata"] or {}), **md}


# A collection large enough for an HNSW graph (see ann.GRAPH_MIN_ROWS), churned hard enough that
# graph updates, full rebuilds and index saves keep happening while the writer runs.
GRAPH_DIM, GRAPH_ID_SPACE, GRAPH_PRELOAD = 16, 8000, 4300


def graph_batches(seed: int, count: int = 400) -> list[Batch]:
    """The same batches for the same seed: one big preload, then churn of 50-300 rows each."""
    rng = np.random.default_rng(seed)

    def vectors(n: int) -> list[list[float]]:
        rows: list[list[float]] = np.round(rng.uniform(-1, 1, (n, GRAPH_DIM)), 3).astype(
            np.float32).tolist()
        return rows

    keys = [f"g{i}" for i in range(GRAPH_PRELOAD)]
    out = [Batch("add", keys, vectors(len(keys)), None,
                 [{"n": 0, "k": k} for k in keys])]
    for n in range(1, count):
        op = ("add", "upsert", "upsert", "update", "delete")[int(rng.integers(5))]
        picked = np.sort(rng.choice(GRAPH_ID_SPACE, int(rng.integers(50, 300)), replace=False))
        keys = [f"g{i}" for i in picked]
        if op == "delete":
            out.append(Batch(op, keys))
            continue
        docs = [f"doc {k} v{n}" for k in keys] if rng.random() < 0.3 else None
        out.append(Batch(op, keys, vectors(len(keys)), docs,
                         [{"n": n, "even": int(i) % 2 == 0} for i in picked]))
    return out
