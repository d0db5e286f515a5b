"""Record operations: add, upsert, update, get, peek, count, delete, with Chroma's semantics."""

from __future__ import annotations

import numpy as np
import pytest

import huedb
from huedb.errors import InvalidArgumentError


@pytest.fixture
def col(client: huedb.ClientAPI) -> huedb.Collection:
    return client.create_collection("recs", embedding_function=None)


def _seed(col: huedb.Collection) -> None:
    col.add(
        ids=["a", "b", "c"],
        embeddings=[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
        metadatas=[{"n": 1, "s": "x"}, {"n": 2, "tags": ["p", "q"]}, None],
        documents=["alpha doc", "beta doc", None],
        uris=["u://a", None, "u://c"],
    )


def test_add_and_get_everything(col: huedb.Collection) -> None:
    _seed(col)
    assert col.count() == 3
    got = col.get(include=["embeddings", "metadatas", "documents", "uris"])
    assert got["ids"] == ["a", "b", "c"]
    assert isinstance(got["embeddings"], np.ndarray) and got["embeddings"].shape == (3, 2)
    assert got["embeddings"].tolist() == [[1, 0], [0, 1], [1, 1]]
    # Chroma keeps a record's uri inside its metadata, so "c" (a uri, no metadata) reads {}.
    assert got["metadatas"] == [{"n": 1, "s": "x"}, {"n": 2, "tags": ["p", "q"]}, {}]
    assert got["documents"] == ["alpha doc", "beta doc", None]
    assert got["uris"] == ["u://a", None, "u://c"]
    assert got["data"] is None
    assert got["included"] == ["embeddings", "metadatas", "documents", "uris"]


def test_get_default_include(col: huedb.Collection) -> None:
    _seed(col)
    got = col.get(ids=["c", "a"])
    assert got["ids"] == ["a", "c"]  # storage order, not request order
    assert got["embeddings"] is None and got["uris"] is None
    assert got["included"] == ["metadatas", "documents"]
    assert set(got) == {"ids", "embeddings", "documents", "uris", "data", "metadatas", "included"}


def test_get_limit_offset_and_missing_ids(col: huedb.Collection) -> None:
    _seed(col)
    assert col.get(limit=2)["ids"] == ["a", "b"]
    assert col.get(limit=2, offset=2)["ids"] == ["c"]
    assert col.get(limit=0)["ids"] == []
    assert col.get(ids=["nope", "b"])["ids"] == ["b"]
    empty = col.get(ids=["nope"], include=["embeddings"])
    assert empty["ids"] == [] and empty["embeddings"].size == 0


def test_peek(col: huedb.Collection) -> None:
    _seed(col)
    got = col.peek(limit=2)
    assert got["ids"] == ["a", "b"] and got["embeddings"].shape == (2, 2)
    assert set(got["included"]) == {"metadatas", "documents", "embeddings"}


def test_add_existing_id_is_ignored(col: huedb.Collection) -> None:
    _seed(col)
    col.add(ids=["a", "d"], embeddings=[[9.0, 9.0], [2.0, 2.0]], documents=["new", "dee"])
    got = col.get(ids=["a", "d"], include=["embeddings", "documents"])
    assert got["documents"] == ["alpha doc", "dee"]
    assert got["embeddings"].tolist() == [[1, 0], [2, 2]]


def test_update_merges_metadata_and_keeps_other_fields(col: huedb.Collection) -> None:
    _seed(col)
    col.update(ids=["a", "zzz"], metadatas=[{"n": 5, "s": None, "new": True}, {"x": 1}])
    got = col.get(ids=["a"], include=["metadatas", "documents", "embeddings"])
    assert got["metadatas"] == [{"n": 5, "new": True}]
    assert got["documents"] == ["alpha doc"]
    assert got["embeddings"].tolist() == [[1, 0]]
    assert col.count() == 3  # update never inserts


def test_update_removing_every_key_leaves_none(col: huedb.Collection) -> None:
    _seed(col)
    col.update(ids=["b"], metadatas=[{"n": None, "tags": None}])
    assert col.get(ids=["b"])["metadatas"] == [None]


def test_update_document_and_embedding(col: huedb.Collection) -> None:
    _seed(col)
    col.update(ids=["b"], embeddings=[[5.0, 5.0]], documents=["changed"])
    got = col.get(ids=["b"], include=["embeddings", "documents", "metadatas"])
    assert got["documents"] == ["changed"] and got["embeddings"].tolist() == [[5, 5]]
    assert got["metadatas"] == [{"n": 2, "tags": ["p", "q"]}]
    assert col.get(where_document={"$contains": "changed"})["ids"] == ["b"]
    assert col.get(where_document={"$contains": "beta"})["ids"] == []


def test_upsert_inserts_and_merges(col: huedb.Collection) -> None:
    _seed(col)
    col.upsert(ids=["a", "new"], embeddings=[[0.5, 0.5], [3.0, 3.0]],
               metadatas=[{"s": "y"}, {"k": 1, "gone": None}])
    got = col.get(ids=["a", "new"], include=["metadatas", "embeddings", "documents"])
    assert got["ids"] == ["a", "new"]
    assert got["metadatas"] == [{"n": 1, "s": "y"}, {"k": 1}]
    assert got["embeddings"].tolist() == [[0.5, 0.5], [3, 3]]
    assert got["documents"] == ["alpha doc", None]


def test_delete_by_ids_and_filters(col: huedb.Collection) -> None:
    _seed(col)
    # huedb reports what was actually deleted; Chroma reports len(ids) (spec §10 quirk 3).
    assert col.delete(ids=["a", "nope"]) == {"deleted": 1}
    assert col.delete(where={"n": 2}) == {"deleted": 1}
    assert col.get()["ids"] == ["c"]
    col.add(ids=["d", "e", "f"], embeddings=[[1, 1]] * 3, metadatas=[{"k": 1}] * 3)
    assert col.delete(where={"k": 1}, limit=2) == {"deleted": 2}
    assert col.get()["ids"] == ["c", "f"]


def test_delete_needs_a_filter(col: huedb.Collection) -> None:
    with pytest.raises(ValueError, match="At least one of ids, where, or where_document"):
        col.delete()
    with pytest.raises(ValueError, match="limit can only be specified when a where"):
        col.delete(ids=["a"], limit=1)


def test_dimension_is_fixed_by_first_add(col: huedb.Collection) -> None:
    col.add(ids=["a"], embeddings=[[1.0, 2.0]])
    col.delete(ids=["a"])
    with pytest.raises(InvalidArgumentError,
                       match="^Collection expecting embedding with dimension of 2, got 3$"):
        col.add(ids=["b"], embeddings=[[1.0, 2.0, 3.0]])


def test_failed_batch_stores_nothing(col: huedb.Collection) -> None:
    col.add(ids=["a"], embeddings=[[1.0, 2.0]], metadatas=[{"v": 1}])
    with pytest.raises(InvalidArgumentError):
        col.upsert(ids=["a", "b"], embeddings=[[9.0, 9.0], [1.0, 2.0, 3.0]],
                   metadatas=[{"v": 2}, {"v": 3}])
    with pytest.raises(InvalidArgumentError):
        col.add(ids=["x", "y"], embeddings=[[1.0, 2.0], [float("nan"), 1.0]])
    got = col.get(include=["metadatas", "embeddings"])
    assert got["ids"] == ["a"] and got["metadatas"] == [{"v": 1}]
    assert got["embeddings"].tolist() == [[1, 2]]


def test_float32_precision(col: huedb.Collection) -> None:
    col.add(ids=["a"], embeddings=[[0.1, 1 / 3]])
    stored = col.get(include=["embeddings"])["embeddings"][0]
    assert stored.tolist() == np.array([0.1, 1 / 3], dtype=np.float32).astype(float).tolist()


def test_numpy_inputs(col: huedb.Collection) -> None:
    col.add(ids=["a", "b"], embeddings=np.array([[1, 2], [3, 4]], dtype=np.float64))
    col.add(ids="c", embeddings=np.array([5, 6], dtype=np.int64))
    assert col.get(include=["embeddings"])["embeddings"].tolist() == [[1, 2], [3, 4], [5, 6]]


def test_large_batches_are_chunked_internally(col: huedb.Collection) -> None:
    n = 40_000  # beyond Chroma's 5461 and SQLite's 32766 variable limit
    vectors = np.random.default_rng(0).random((n, 4), dtype=np.float32)
    col.add(ids=[f"id{i}" for i in range(n)], embeddings=vectors,
            metadatas=[{"i": i} for i in range(n)])
    assert col.count() == n
    assert len(col.get(ids=[f"id{i}" for i in range(0, n, 2)])["ids"]) == n // 2
    assert col.delete(ids=[f"id{i}" for i in range(n)]) == {"deleted": n}


def test_metadata_value_types_round_trip(col: huedb.Collection) -> None:
    md = {"s": "text", "i": -7, "f": 2.5, "b": False, "ls": ["a", "b"], "li": [1, 2],
          "lf": [0.5], "lb": [True, False], "big": 2**63}
    col.add(ids=["a"], embeddings=[[1.0]], metadatas=[md])
    stored = col.get()["metadatas"][0]
    assert stored == {**md, "big": float(2**63)}
    assert isinstance(stored["big"], float) and isinstance(stored["b"], bool)
