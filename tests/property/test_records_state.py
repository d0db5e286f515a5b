"""State machine: random operations on a collection, compared with a tiny in-memory model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import huedb
from tests.property.reference_filters import matches

DIM = 3
IDS = st.sampled_from([f"id{i}" for i in range(12)])
# Small integers keep every distance exact in float32, so rankings compare exactly.
VECTORS = st.lists(st.integers(-4, 4).map(float), min_size=DIM, max_size=DIM)
SCALARS = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, 1.0, -2.5]),
                    st.sampled_from(["x", "y", "zz"]), st.booleans())
METADATA = st.one_of(st.none(), st.dictionaries(st.sampled_from(["a", "b", "c"]), SCALARS,
                                                 min_size=1, max_size=3))
DOCUMENTS = st.one_of(st.none(), st.sampled_from(["red fox", "blue fox", "red hen", "x"]))
WHERE = st.one_of(
    st.builds(lambda k, v: {k: v}, st.sampled_from(["a", "b"]), SCALARS),
    st.builds(lambda k, op, v: {k: {op: v}}, st.sampled_from(["a", "c"]),
              st.sampled_from(["$gt", "$gte", "$lt", "$lte"]), st.integers(-3, 3)),
    st.builds(lambda k, v: {k: {"$ne": v}}, st.sampled_from(["a", "b"]), SCALARS),
    st.builds(lambda k, vs: {k: {"$in": vs}}, st.sampled_from(["a", "b"]),
              st.lists(st.integers(-3, 3), min_size=1, max_size=3)),
)
WHERE_DOCUMENT = st.one_of(st.none(), st.builds(lambda op, s: {op: s},
                                                st.sampled_from(["$contains", "$not_contains"]),
                                                st.sampled_from(["fox", "red", "x", "hen"])))


@dataclass
class Row:
    order: int
    embedding: list[float]
    document: str | None
    metadata: dict[str, Any] | None


def _merge(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any] | None:
    if new is None:
        return old
    out = dict(old or {})
    out.update(new)
    return out or None


class RecordsMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.model: dict[str, Row] = {}
        self.counter = 0

    @initialize(space=st.sampled_from(["l2", "ip", "cosine"]))
    def open(self, space: str) -> None:
        huedb.ClientAPI.clear_system_cache()
        self.client = huedb.EphemeralClient()
        self.col = self.client.create_collection(
            "machine", embedding_function=None, configuration={"hnsw": {"space": space}})
        self.space = space

    def _insert(self, rid: str, emb: list[float], doc: str | None,
                md: dict[str, Any] | None) -> None:
        self.counter += 1
        self.model[rid] = Row(self.counter, emb, doc, md)

    @rule(rows=st.lists(st.tuples(IDS, VECTORS, DOCUMENTS, METADATA), min_size=1, max_size=5,
                        unique_by=lambda r: r[0]))
    def add(self, rows: list[tuple[str, list[float], str | None, dict[str, Any] | None]]) -> None:
        self.col.add(ids=[r[0] for r in rows], embeddings=[r[1] for r in rows],
                     documents=[r[2] for r in rows], metadatas=[r[3] for r in rows])
        for rid, emb, doc, md in rows:
            if rid not in self.model:
                self._insert(rid, emb, doc, md)

    @rule(rows=st.lists(st.tuples(IDS, VECTORS, METADATA), min_size=1, max_size=5,
                        unique_by=lambda r: r[0]))
    def upsert(self, rows: list[tuple[str, list[float], dict[str, Any] | None]]) -> None:
        self.col.upsert(ids=[r[0] for r in rows], embeddings=[r[1] for r in rows],
                        metadatas=[r[2] for r in rows])
        for rid, emb, md in rows:
            if rid in self.model:
                row = self.model[rid]
                row.embedding, row.metadata = emb, _merge(row.metadata, md)
            else:
                self._insert(rid, emb, None, md)

    @rule(rows=st.lists(st.tuples(IDS, METADATA, DOCUMENTS), min_size=1, max_size=5,
                        unique_by=lambda r: r[0]))
    def update(self, rows: list[tuple[str, dict[str, Any] | None, str | None]]) -> None:
        docs = [r[2] if r[2] is not None else "filler" for r in rows]
        self.col.update(ids=[r[0] for r in rows], metadatas=[r[1] for r in rows],
                        embeddings=[[1.0] * DIM for _ in rows], documents=docs)
        for (rid, md, _), doc in zip(rows, docs, strict=True):
            if rid in self.model:
                row = self.model[rid]
                row.metadata = _merge(row.metadata, md)
                row.document, row.embedding = doc, [1.0] * DIM

    @rule(ids=st.lists(IDS, min_size=1, max_size=4, unique=True))
    def delete_ids(self, ids: list[str]) -> None:
        deleted = self.col.delete(ids=ids)["deleted"]
        assert deleted == sum(1 for i in ids if i in self.model)
        for i in ids:
            self.model.pop(i, None)

    @rule(where=WHERE)
    def delete_where(self, where: dict[str, Any]) -> None:
        doomed = [k for k, r in self.model.items() if matches(r.metadata, r.document, where, None)]
        assert self.col.delete(where=where)["deleted"] == len(doomed)
        for k in doomed:
            del self.model[k]

    @rule(where=st.one_of(st.none(), WHERE), where_document=WHERE_DOCUMENT)
    def get_filtered(self, where: dict[str, Any] | None,
                     where_document: dict[str, Any] | None) -> None:
        got = self.col.get(where=where, where_document=where_document,
                           include=["metadatas", "documents", "embeddings"])
        expected = sorted((r.order, k) for k, r in self.model.items()
                          if matches(r.metadata, r.document, where, where_document))
        assert got["ids"] == [k for _, k in expected]
        for rid, md, doc, emb in zip(got["ids"], got["metadatas"], got["documents"],
                                     got["embeddings"], strict=True):
            row = self.model[rid]
            assert (md, doc, emb.tolist()) == (row.metadata, row.document, row.embedding)

    @rule(query=VECTORS, k=st.integers(1, 15), where=st.one_of(st.none(), WHERE))
    def query(self, query: list[float], k: int, where: dict[str, Any] | None) -> None:
        res = self.col.query(query_embeddings=[query], n_results=k, where=where,
                             include=["distances"])
        candidates = [(self._distance(query, r.embedding), r.order, key)
                      for key, r in self.model.items()
                      if where is None or matches(r.metadata, r.document, where, None)]
        candidates.sort()
        expected = candidates[:k]
        assert len(res["ids"][0]) == len(expected)
        assert res["distances"][0] == pytest.approx([d for d, _, _ in expected], abs=1e-5)
        if self.space != "cosine":  # integer data: ranks are exact, ties broken by insertion
            assert res["ids"][0] == [key for _, _, key in expected]

    def _distance(self, q: list[float], x: list[float]) -> float:
        a, b = np.asarray(q, np.float64), np.asarray(x, np.float64)
        if self.space == "l2":
            return float(((a - b) ** 2).sum())
        if self.space == "ip":
            return float(1 - a @ b)
        na, nb = np.linalg.norm(a) or 1.0, np.linalg.norm(b) or 1.0
        return float(1 - (a / na) @ (b / nb))

    @invariant()
    def counts_agree(self) -> None:
        if hasattr(self, "col"):
            assert self.col.count() == len(self.model)


TestRecords = RecordsMachine.TestCase
