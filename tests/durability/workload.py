"""A deterministic stream of write batches and the in-memory model of what they leave behind."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

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
