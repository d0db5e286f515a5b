"""Nearest-neighbour queries: Chroma's distance formulas, result shapes and filters."""

from __future__ import annotations

import numpy as np
import pytest

import huedb
from huedb.errors import InvalidArgumentError


def _col(client: huedb.ClientAPI, space: str) -> huedb.Collection:
    col = client.create_collection(f"q-{space}", embedding_function=None,
                                   configuration={"hnsw": {"space": space}})
    col.add(ids=["a", "b", "c"], embeddings=[[3.0, 4.0], [1.0, 1.0], [-1.0, 0.5]],
            metadatas=[{"g": 1}, {"g": 2}, {"g": 1}], documents=["three four", "one", "minus"])
    return col


def test_l2_is_squared_euclidean(client: huedb.ClientAPI) -> None:
    res = _col(client, "l2").query(query_embeddings=[[1.0, 1.0]], n_results=3)
    assert res["ids"] == [["b", "c", "a"]]
    assert res["distances"] == [[0.0, 4.25, 13.0]]
    assert res["documents"] == [["one", "minus", "three four"]]
    assert res["metadatas"] == [[{"g": 2}, {"g": 1}, {"g": 1}]]
    assert res["embeddings"] is None and res["uris"] is None and res["data"] is None
    assert res["included"] == ["metadatas", "documents", "distances"]


def test_ip_is_one_minus_dot(client: huedb.ClientAPI) -> None:
    res = _col(client, "ip").query(query_embeddings=[1.0, 1.0], n_results=3,
                                   include=["distances"])
    assert res["ids"] == [["a", "b", "c"]]
    assert res["distances"] == [[-6.0, -1.0, 1.5]]


def test_cosine(client: huedb.ClientAPI) -> None:
    res = _col(client, "cosine").query(query_embeddings=[[2.0, 2.0]], n_results=3,
                                       include=["distances"])
    assert res["ids"] == [["b", "a", "c"]]
    a, q = np.array([3, 4], np.float32), np.array([2, 2], np.float32)
    expected_a = 1 - float(a @ q / (np.linalg.norm(a) * np.linalg.norm(q)))
    assert res["distances"][0][0] == pytest.approx(0.0, abs=1e-6)
    assert res["distances"][0][1] == pytest.approx(expected_a, abs=1e-6)
    assert 0 <= res["distances"][0][2] <= 2


def test_n_results_beyond_count_returns_what_exists(client: huedb.ClientAPI) -> None:
    res = _col(client, "l2").query(query_embeddings=[[0.0, 0.0], [9.0, 9.0]], n_results=50)
    assert [len(r) for r in res["ids"]] == [3, 3]
    assert res["ids"][1][0] == "a"


def test_empty_collection(client: huedb.ClientAPI) -> None:
    col = client.create_collection("empty", embedding_function=None)
    res = col.query(query_embeddings=[[1.0, 2.0], [3.0, 4.0]], n_results=3)
    assert res["ids"] == [[], []] and res["distances"] == [[], []]
    assert res["documents"] == [[], []] and res["metadatas"] == [[], []]


def test_query_include_embeddings_and_uris(client: huedb.ClientAPI) -> None:
    col = _col(client, "l2")
    res = col.query(query_embeddings=[[1.0, 1.0]], n_results=2,
                    include=["embeddings", "uris", "distances"])
    assert isinstance(res["embeddings"], list) and res["embeddings"][0].shape == (2, 2)
    assert res["embeddings"][0].tolist() == [[1, 1], [-1, 0.5]]
    assert res["uris"] == [[None, None]]
    assert res["documents"] is None and res["metadatas"] is None


def test_query_with_filters_and_ids(client: huedb.ClientAPI) -> None:
    col = _col(client, "l2")
    q = [[1.0, 1.0]]
    assert col.query(query_embeddings=q, where={"g": 1})["ids"] == [["c", "a"]]
    assert col.query(query_embeddings=q, where_document={"$contains": "four"})["ids"] == [["a"]]
    assert col.query(query_embeddings=q, ids=["a", "c"], n_results=1)["ids"] == [["c"]]
    assert col.query(query_embeddings=q, ids=[])["ids"] == [[]]
    # Chroma 1.5.9 raises InternalError for an unknown id here (spec §10 quirk 6).
    assert col.query(query_embeddings=q, ids=["nope", "b"])["ids"] == [["b"]]
    assert col.query(query_embeddings=q, where={"g": 99})["ids"] == [[]]


def test_query_sees_updates_and_deletes(client: huedb.ClientAPI) -> None:
    col = _col(client, "l2")
    q = [[1.0, 1.0]]
    assert col.query(query_embeddings=q, n_results=1)["ids"] == [["b"]]
    col.update(ids=["c"], embeddings=[[1.0, 1.0]])
    col.delete(ids=["b"])
    assert col.query(query_embeddings=q, n_results=2)["ids"] == [["c", "a"]]


def test_query_dimension_mismatch(client: huedb.ClientAPI) -> None:
    col = _col(client, "l2")
    with pytest.raises(InvalidArgumentError, match="dimension of 2, got 3"):
        col.query(query_embeddings=[[1.0, 1.0, 1.0]])


def test_exact_search_matches_brute_force(client: huedb.ClientAPI) -> None:
    rng = np.random.default_rng(1)
    data = rng.standard_normal((500, 16)).astype(np.float32)
    queries = rng.standard_normal((7, 16)).astype(np.float32)
    col = client.create_collection("exact", embedding_function=None)
    col.add(ids=[str(i) for i in range(500)], embeddings=data)
    res = col.query(query_embeddings=queries, n_results=10, include=["distances"])
    for q, ids, dists in zip(queries, res["ids"], res["distances"], strict=True):
        truth = ((data - q) ** 2).sum(axis=1)
        order = np.argsort(truth)[:10]
        assert [int(i) for i in ids] == order.tolist()
        assert dists == pytest.approx(truth[order].tolist(), rel=1e-5)
