"""Run by the reference chromadb interpreter: Chroma's own HttpClient against a huedb server.

Usage: python official_client_scenarios.py PORT. Prints one JSON line per scenario and exits
non-zero if any failed. Kept free of huedb imports: it runs in chromadb's virtualenv.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from typing import Any

import chromadb
import numpy as np
from chromadb.errors import ChromaError, InvalidArgumentError, NotFoundError

PORT = int(sys.argv[1])
SCENARIOS: list[Callable[[Any], None]] = []


def scenario(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    SCENARIOS.append(fn)
    return fn


def fresh(client: Any, name: str, **kwargs: Any) -> Any:
    try:
        client.delete_collection(name)
    except Exception:
        pass
    return client.create_collection(name, embedding_function=None, **kwargs)


def seed(col: Any) -> None:
    col.add(ids=["a", "b", "c", "d"],
            embeddings=[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]],
            metadatas=[{"n": 1, "s": "x", "tags": ["p", "q"]}, {"n": 2, "s": "y", "f": 1.5},
                       {"n": 3, "b": True}, None],
            documents=["the quick fox", "lazy dog", "quick brown dog", None],
            uris=["u://a", None, None, "u://d"])


@scenario
def system(client: Any) -> None:
    assert client.heartbeat() > 0
    assert client.get_version() == "1.0.0"
    assert client.get_max_batch_size() >= 5461
    ident = client.get_user_identity()
    assert ident.tenant == "default_tenant" and ident.databases == ["default_database"]


@scenario
def collections(client: Any) -> None:
    col = fresh(client, "colls", metadata={"m": 1})
    assert client.get_collection("colls", embedding_function=None).id == col.id
    assert client.get_collection("colls").metadata == {"m": 1}
    again = client.get_or_create_collection("colls", metadata={"m": 2}, embedding_function=None)
    assert again.id == col.id and again.metadata == {"m": 1}
    assert "colls" in [c.name for c in client.list_collections()]
    assert client.count_collections() >= 1
    col.modify(name="colls2", metadata={"m": 3})
    assert client.get_collection("colls2").metadata == {"m": 3}
    try:
        client.create_collection("colls2", embedding_function=None)
        raise AssertionError("duplicate accepted")
    except ChromaError as exc:
        assert "already exists" in str(exc)
    client.delete_collection("colls2")
    try:
        client.get_collection("colls2")
        raise AssertionError("deleted collection found")
    except NotFoundError as exc:
        assert "does not exist" in str(exc)


@scenario
def records(client: Any) -> None:
    col = fresh(client, "records")
    seed(col)
    assert col.count() == 4
    got = col.get(include=["embeddings", "metadatas", "documents", "uris"])
    assert got["ids"] == ["a", "b", "c", "d"]
    assert np.allclose(got["embeddings"], [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]])
    assert got["metadatas"][0] == {"n": 1, "s": "x", "tags": ["p", "q"]}
    assert got["documents"] == ["the quick fox", "lazy dog", "quick brown dog", None]
    assert got["uris"] == ["u://a", None, None, "u://d"]
    peek = col.peek(2)
    assert peek["ids"] == ["a", "b"]
    col.update(ids=["a"], metadatas=[{"n": 10}], documents=["updated fox"],
               embeddings=[[1, 0, 0]])
    col.upsert(ids=["e", "b"], embeddings=[[2, 2, 2], [0, 2, 0]],
               metadatas=[{"n": 5}, {"s": None}])
    after = col.get(ids=["a", "b", "e"], include=["metadatas", "documents", "embeddings"])
    assert after["metadatas"][0]["n"] == 10 and after["documents"][0] == "updated fox"
    assert "s" not in after["metadatas"][1]
    assert np.allclose(after["embeddings"][1], [0, 2, 0])
    assert col.count() == 5
    col.add(ids=["a"], embeddings=[[9, 9, 9]])  # existing id: silently kept
    assert np.allclose(col.get(ids=["a"], include=["embeddings"])["embeddings"][0], [1, 0, 0])
    col.delete(ids=["e"])
    col.delete(where={"n": 3})
    assert sorted(col.get()["ids"]) == ["a", "b", "d"]


@scenario
def filters_and_includes(client: Any) -> None:
    col = fresh(client, "filters")
    seed(col)
    cases = [
        ({"where": {"n": 2}}, ["b"]),
        ({"where": {"n": {"$gt": 1}}}, ["b", "c"]),
        ({"where": {"n": {"$in": [1, 3]}}}, ["a", "c"]),
        ({"where": {"s": {"$ne": "x"}}}, ["b", "c", "d"]),
        ({"where": {"$or": [{"n": 1}, {"b": True}]}}, ["a", "c"]),
        ({"where": {"$and": [{"n": {"$gte": 1}}, {"n": {"$lte": 2}}]}}, ["a", "b"]),
        ({"where": {"tags": {"$contains": "p"}}}, ["a"]),
        ({"where_document": {"$contains": "quick"}}, ["a", "c"]),
        ({"where_document": {"$not_contains": "quick"}}, ["b", "d"]),
        ({"where_document": {"$regex": "^lazy"}}, ["b"]),
        ({"where": {"n": {"$gte": 2}}, "where_document": {"$contains": "dog"}}, ["b", "c"]),
        ({"limit": 2, "offset": 1}, ["b", "c"]),
    ]
    for kwargs, expected in cases:
        assert col.get(**kwargs)["ids"] == expected, (kwargs, col.get(**kwargs)["ids"])
    for include in (["documents"], ["metadatas"], ["embeddings"], ["uris"], []):
        got = col.get(ids=["a"], include=include)
        for field in ("documents", "metadatas", "embeddings", "uris"):
            assert (got[field] is not None) == (field in include), (include, field)


@scenario
def queries(client: Any) -> None:
    col = fresh(client, "queries", configuration={"hnsw": {"space": "cosine"}})
    seed(col)
    result = col.query(query_embeddings=[[1, 0, 0], [0, 1, 0]], n_results=2,
                       include=["distances", "documents", "metadatas", "embeddings"])
    assert result["ids"][0][0] == "a" and result["ids"][1][0] == "b"
    assert abs(result["distances"][0][0]) < 1e-6
    assert len(result["embeddings"][0]) == 2
    filtered = col.query(query_embeddings=[[1, 0, 0]], n_results=3, where={"n": {"$gte": 2}})
    assert set(filtered["ids"][0]) == {"b", "c"}
    by_ids = col.query(query_embeddings=[[0, 0, 1]], n_results=5, ids=["a", "c"])
    assert by_ids["ids"] == [["c", "a"]]
    doc = col.query(query_embeddings=[[1, 0, 0]], n_results=4,
                    where_document={"$contains": "dog"})
    assert set(doc["ids"][0]) == {"b", "c"}


@scenario
def errors(client: Any) -> None:
    col = fresh(client, "errors")
    col.add(ids=["a"], embeddings=[[1, 2]])
    for call in (
        lambda: col.add(ids=["b"], embeddings=[[1, 2, 3]]),
        lambda: col.query(query_embeddings=[[1, 2, 3]]),
    ):
        try:
            call()
            raise AssertionError("accepted a wrong dimension")
        except InvalidArgumentError as exc:
            assert "dimension" in str(exc)
    try:
        client.get_collection("never-created")
        raise AssertionError("found a missing collection")
    except NotFoundError:
        pass
    try:
        col.get(where={"n": {"$bogus": 1}})
        raise AssertionError("accepted a bad filter")
    except (ValueError, ChromaError):
        pass
    client.delete_collection("errors")
    try:
        col.count()
        raise AssertionError("counted a deleted collection")
    except NotFoundError as exc:
        assert str(exc) == f"Collection [{col.id}] does not exist."


@scenario
def tenants_and_databases(client: Any) -> None:
    admin = chromadb.AdminClient(client.get_settings())
    try:
        admin.create_tenant("official")
    except ChromaError:
        pass
    admin.create_database("offdb", tenant="official")
    assert admin.get_database("offdb", tenant="official")["name"] == "offdb"
    assert [d["name"] for d in admin.list_databases(tenant="official")] == ["offdb"]
    scoped = chromadb.HttpClient(host="127.0.0.1", port=PORT, tenant="official",
                                 database="offdb")
    scoped.create_collection("inside", embedding_function=None).add(ids=["x"],
                                                                   embeddings=[[1.0]])
    assert scoped.count_collections() == 1
    admin.delete_database("offdb", tenant="official")


def main() -> int:
    client = chromadb.HttpClient(host="127.0.0.1", port=PORT)
    failed = 0
    for fn in SCENARIOS:
        try:
            fn(client)
            print(json.dumps({"scenario": fn.__name__, "ok": True}))
        except Exception:
            failed += 1
            print(json.dumps({"scenario": fn.__name__, "ok": False,
                              "error": traceback.format_exc()}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
