"""Congruence: huedb and chromadb 1.5.9 run the same record scenarios and must agree.

Covers add/get (every include combination), limit/offset, upsert/update merge semantics, peek,
count, delete, query in every space, and persistence. Filters, collections and errors live in
the sibling `test_congruence_*` modules. See `harness.py` for how results are compared.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest

from tests.compat.data import (
    DELETE_COUNT,
    DELIBERATE,
    EMBEDDINGS,
    IDS,
    QUERY,
    seed,
    seeded,
)
from tests.compat.harness import (
    Scenario,
    check,
    chroma_results_for,
    client,
    col,
    create,
    differences,
    err,
    nparray,
    ok,
    params,
    quirk,
    reopen,
)

FIELDS = ["documents", "embeddings", "metadatas", "uris"]
ALL = [*FIELDS]
QUERY_FIELDS = [*FIELDS, "distances"]


def _powerset(items: list[str]) -> list[list[str]]:
    return [list(c) for n in range(len(items) + 1) for c in combinations(items, n)]


def query_result(ids: list[list[str]], included: list[str], **fields: Any) -> dict[str, Any]:
    """A QueryResult as the harness encodes it, for expected-difference assertions."""
    keys = ["embeddings", "documents", "uris", "data", "metadatas", "distances"]
    return {"ids": ids, "included": included, **{k: fields.get(k) for k in keys}}


def deleted(n: int) -> dict[str, Any]:
    return ok({"deleted": n})


QUERY_UNKNOWN_ID = "§10.6: Chroma raises InternalError for unknown ids in query(ids=); huedb skips"
NAN_QUERY = (DELIBERATE + "NaN query embedding: huedb raises InvalidArgumentError('Query "
                          "embeddings must not "
             "contain NaN or Infinity values') (engine/queries.py query); Chroma returns the "
             "records with NaN distances. The prepare_query docstring (_prepare.py) calls this "
             "deliberate, but it is not in spec §10")
FINDING_ID = err("InternalError", "Error executing plan: Internal error: Error finding id")

SCENARIOS: list[Scenario] = [
    # --- add / get, include --------------------------------------------------------------------
    *[Scenario(f"get_include[{'+'.join(inc) or 'none'}]", [*seeded(), col("get", include=inc)])
      for inc in _powerset(FIELDS)],
    Scenario("get_include_reordered",
             [*seeded(), col("get", include=["uris", "embeddings", "documents", "metadatas"])]),
    Scenario("get_include_duplicates", [*seeded(), col("get", include=["documents"] * 2)]),
    Scenario("get_default_include", [*seeded(), col("get")]),
    Scenario("get_empty_collection", [create(), col("get", include=ALL), col("count")]),
    Scenario("get_ids_storage_order", [*seeded(), col("get", ids=["d", "a", "zz", "e"])]),
    Scenario("get_ids_single_string", [*seeded(), col("get", ids="c", include=ALL)]),
    Scenario("get_ids_only_missing", [*seeded(), col("get", ids=["zz"], include=ALL)]),
    *[Scenario(f"get_paging[{lim},{off}]", [*seeded(), col("get", limit=lim, offset=off)])
      for lim, off in [(2, None), (None, 3), (2, 2), (0, None), (None, 10), (100, None),
                       (1, 4), (0, 0), (3, 0)]],
    Scenario("get_paging_with_ids", [*seeded(), col("get", ids=["a", "b", "d"], limit=2,
                                                    offset=1)]),
    Scenario("get_paging_with_where", [*seeded(), col("get", where={"i": {"$gte": 2}}, limit=1,
                                                      offset=1)]),
    Scenario("peek", [*seeded(), col("peek"), col("peek", 2), col("peek", limit=0)]),
    Scenario("peek_empty", [create(), col("peek")]),
    Scenario("count", [create(), col("count"), seed(), col("count")]),
    Scenario("add_minimal_fields", [create(), col("add", ids=["x", "y"],
                                                  embeddings=[[1, 2], [3, 4]]),
                                    col("get", include=ALL)]),
    Scenario("add_single_record_unwrapped", [create(), col("add", ids="x", embeddings=[1, 2],
                                                           metadatas={"k": "v"}, documents="d",
                                                           uris="u"),
                                             col("get", include=ALL)]),
    Scenario("add_numpy_embeddings", [
        create(),
        col("add", ids=["f64", "i64"], embeddings=nparray([[0.1, 0.2], [3, 4]], "float64")),
        col("add", ids=["f16"], embeddings=nparray([0.5, 0.25], "float16")),
        col("add", ids=["i32"], embeddings=[nparray([7, 8], "int32")]),
        col("get", include=["embeddings"]),
    ]),
    Scenario("add_float32_precision", [
        create(), col("add", ids=["p"], embeddings=[[0.1, 1e-30, 123456789.123]]),
        col("get", include=["embeddings"]),
        col("query", query_embeddings=[[0.1, 0.0, 123456789.0]], include=["distances"]),
    ]),
    Scenario("add_metadata_values", [
        create(),
        col("add", ids=["m"], embeddings=[[1, 2]], metadatas=[{
            "int": -7, "float": 0.1, "big": 2**62, "huge": 2**63, "str": "", "uni": "héllo ✓",
            "t": True, "f": False, "strs": ["a", "b", "a"], "ints": [3, 1], "fl": [0.5],
            "bs": [False, True], "zero": 0.0, "neg": -1e300}]),
        col("get", include=["metadatas"]),
    ]),
    Scenario("add_long_document_and_uri", [
        create(),
        col("add", ids=["l"], embeddings=[[1, 2]], documents=["lorem ipsum " * 2000],
            uris=["file:///" + "x" * 5000]),
        col("get", include=["documents", "uris"]),
    ]),
    Scenario("add_existing_ids_ignored", [
        *seeded(),
        col("add", ids=["a", "new"], embeddings=[[9, 9, 9], [5, 5, 5]],
            metadatas=[{"i": 99}, {"i": 5}], documents=["changed", "fresh"]),
        col("get", ids=["a", "new"], include=ALL), col("count"),
    ]),
    Scenario("add_many_then_get_all", [
        create(),
        col("add", ids=[f"id{i:03d}" for i in range(300)],
            embeddings=[[float(i), float(i % 7), 1.0] for i in range(300)],
            metadatas=[{"n": i, "mod": i % 3} for i in range(300)]),
        col("count"), col("get", where={"mod": 2}, limit=5, offset=10), col("peek"),
        col("query", query_embeddings=[[150.2, 3.0, 1.0]], n_results=4, include=["distances"]),
    ]),
    # --- upsert / update ------------------------------------------------------------------------
    Scenario("upsert_merges_metadata", [
        *seeded(),
        col("upsert", ids=["a", "z"], embeddings=[[0, 0.5, 0.5], [2, 2, 2]],
            metadatas=[{"i": 5, "s": None, "new": "v"}, {"k": 1, "gone": None}],
            documents=["A doc", "Z doc"]),
        col("get", ids=["a", "z"], include=ALL), col("count"),
    ]),
    Scenario("upsert_without_documents_keeps_them", [
        *seeded(),
        col("upsert", ids=["a"], embeddings=[[0, 0, 2]]),
        col("get", ids=["a"], include=ALL),
    ]),
    Scenario("upsert_metadata_all_keys_removed", [
        create(), col("add", ids=["x"], embeddings=[[1, 2]], metadatas=[{"a": 1, "b": "s"}]),
        col("upsert", ids=["x"], embeddings=[[1, 2]], metadatas=[{"a": None, "b": None}]),
        col("get", include=["metadatas"]),
    ]),
    Scenario("update_merges_metadata", [
        *seeded(),
        col("update", ids=["a", "b"], metadatas=[{"i": 100, "tags": None, "x": [1, 2]},
                                                  {"new": False}]),
        col("get", ids=["a", "b"], include=ALL),
    ]),
    Scenario("update_on_record_without_metadata", [
        *seeded(), col("update", ids=["d"], metadatas=[{"k": "v"}]),
        col("update", ids=["d"], metadatas=[{"k": None}]),
        col("get", ids=["d"], include=["metadatas"]),
        col("update", ids=["d"], metadatas=[{"gone": None}]),
        col("get", ids=["d"], include=["metadatas"]),
    ]),
    Scenario("update_and_upsert_with_none_metadata_entries", [
        *seeded(),
        col("update", ids=["a", "b"], metadatas=[{"k": 1}, None]),
        col("upsert", ids=["c", "z"], embeddings=[[0, 0, 1], [2, 2, 2]], metadatas=[None, None],
            documents=[None, "zz"]),
        col("get", ids=["a", "b", "c", "z"], include=ALL),
    ]),
    Scenario("update_single_fields", [
        *seeded(),
        col("update", ids=["a"], documents=["new doc"], embeddings=[[1, 0, 0]]),
        col("update", ids=["b"], embeddings=[[0.5, 0.5, 0.5]]),
        col("update", ids=["c"], uris=["u://new"]),
        col("update", ids=["e"], metadatas=[{"flt": "scalar now"}]),
        col("get", include=ALL),
    ]),
    Scenario("update_missing_ids_ignored", [
        *seeded(),
        col("update", ids=["zz", "a"], embeddings=[[1, 2, 3], [3, 2, 1]],
            metadatas=[{"k": 1}, {"k": 2}]),
        col("get", include=ALL), col("count"),
    ]),
    Scenario("update_uri_to_none", [
        *seeded(), col("update", ids=["a"], uris=[None], embeddings=[[1, 0, 0]]),
        col("get", ids=["a"], include=["uris", "documents"]),
    ]),
    # --- delete: compare what remains ----------------------------------------------------------
    Scenario("delete_by_ids", [
        *seeded(),
        quirk(col("delete", ids=["a", "zz", "d"]), DELETE_COUNT, deleted(2), deleted(3)),
        col("get", include=ALL), col("count"),
        quirk(col("delete", ids=["a"]), DELETE_COUNT, deleted(0), deleted(1)),
    ]),
    Scenario("delete_by_where", [*seeded(), col("delete", where={"i": {"$gt": 2}}),
                                 col("get"), col("count")]),
    Scenario("delete_by_where_document", [
        *seeded(), col("delete", where_document={"$contains": "quick"}), col("get"),
    ]),
    Scenario("delete_ids_and_where", [
        *seeded(), col("delete", ids=["a", "b", "c"], where={"b": False}), col("get"),
    ]),
    Scenario("delete_with_limit", [
        *seeded(), col("delete", where={"i": {"$gte": 1}}, limit=2), col("get"),
        col("delete", where_document={"$contains": "o"}, limit=0), col("count"),
    ]),
    Scenario("delete_matching_nothing", [
        *seeded(), col("delete", where={"s": "nothing"}), col("count"),
    ]),
    Scenario("delete_all_then_readd", [
        *seeded(), quirk(col("delete", ids=IDS), DELETE_COUNT, deleted(5), deleted(5)),
        col("count"), col("query", query_embeddings=[QUERY]),
        col("add", ids=["a"], embeddings=[[0, 1, 0]], documents=["again"]),
        col("get", include=ALL),
        col("add", ids=["short"], embeddings=[[1, 2]]),
    ]),
    # --- query -----------------------------------------------------------------------------------
    *[Scenario(f"query_space[{space}]", [
        *seeded(configuration={"hnsw": {"space": space}}),
        col("query", query_embeddings=[QUERY, [0.0, -1.0, 0.5]], n_results=5,
            include=["distances", "embeddings"]),
    ]) for space in ["l2", "cosine", "ip"]],
    *[Scenario(f"query_space_metadata[{space}]", [
        *seeded(metadata={"hnsw:space": space}),
        col("query", query_embeddings=[QUERY], n_results=3),
        col("get", include=["embeddings"]),
    ]) for space in ["l2", "cosine", "ip"]],
    *[Scenario(f"query_include[{'+'.join(inc) or 'none'}]",
               [*seeded(), col("query", query_embeddings=[QUERY], n_results=3, include=inc)])
      for inc in _powerset(QUERY_FIELDS)],
    Scenario("query_cosine_zero_and_scaled_vectors", [
        create(configuration={"hnsw": {"space": "cosine"}}),
        col("add", ids=["zero", "unit", "big", "neg"],
            embeddings=[[0, 0, 0], [1, 0, 0], [100, 1, 0], [-3, 0.5, 0]]),
        col("query", query_embeddings=[[2, 0.1, 0]], include=["distances", "embeddings"]),
        col("get", include=["embeddings"]),
    ]),
    Scenario("query_ip_unnormalised", [
        *seeded(configuration={"hnsw": {"space": "ip"}}),
        col("upsert", ids=["big"], embeddings=[[10, -2, 3]]),
        col("query", query_embeddings=[[0.5, 0.25, -1]], n_results=6,
            include=["distances", "embeddings"], where={"i": {"$ne": 3}}),
    ]),
    Scenario("query_filter_fewer_matches_than_n_results", [
        *seeded(configuration={"hnsw": {"space": "cosine"}}),
        col("query", query_embeddings=[QUERY, [0, 1, 1]], n_results=4,
            where={"b": False}, include=["distances", "metadatas"]),
    ]),
    Scenario("get_ids_where_and_where_document", [
        *seeded(),
        col("get", ids=["a", "b", "c", "e"], where={"i": {"$lte": 3}},
            where_document={"$not_contains": "dog"}, include=["documents"]),
        col("get", ids=["a", "b"], where={"i": 10}),
    ]),
    Scenario("query_default_include", [*seeded(), col("query", query_embeddings=[QUERY])]),
    Scenario("query_n_results_over_count", [
        *seeded(), col("query", query_embeddings=QUERY, n_results=50),
    ]),
    Scenario("query_n_results_true", [
        *seeded(), col("query", query_embeddings=[QUERY], n_results=True),
    ]),
    Scenario("query_empty_collection", [
        create(), col("query", query_embeddings=[[1, 2], [3, 4]], include=[*QUERY_FIELDS]),
    ]),
    Scenario("query_numpy_inputs", [
        *seeded(),
        col("query", query_embeddings=nparray([QUERY, [0.3, -0.2, 0.9]], "float64"), n_results=2),
        col("query", query_embeddings=nparray(QUERY, "float32"), n_results=2),
    ]),
    Scenario("query_with_where", [
        *seeded(), col("query", query_embeddings=[QUERY], where={"i": {"$lt": 5}}),
        col("query", query_embeddings=[QUERY], where={"s": "none"}, include=ALL),
    ]),
    Scenario("query_with_where_document", [
        *seeded(), col("query", query_embeddings=[QUERY], where_document={"$contains": "o"},
                       where={"i": {"$ne": 2}}),
    ]),
    Scenario("query_with_ids", [
        *seeded(), col("query", query_embeddings=[QUERY], ids=["c", "b"], n_results=1),
        col("query", query_embeddings=[QUERY], ids=["c", "b", "e"], where={"i": {"$gt": 2}}),
        col("query", query_embeddings=[QUERY], ids=[]),
    ]),
    Scenario("query_with_unknown_ids", [
        *seeded(),
        quirk(col("query", query_embeddings=[QUERY], ids=["zz"], include=["distances"]),
              QUERY_UNKNOWN_ID, ok(query_result([[]], ["distances"], distances=[[]])),
              FINDING_ID),
        quirk(col("query", query_embeddings=[QUERY], ids=["b", "zz"], include=["distances"]),
              QUERY_UNKNOWN_ID,
              ok(query_result([["b"]], ["distances"], distances=[[1.65]])), FINDING_ID),
    ]),
    Scenario("query_after_update_and_delete", [
        *seeded(), col("update", ids=["c"], embeddings=[[1, 0.2, 0.2]]),
        col("delete", where={"s": "x"}),
        col("query", query_embeddings=[QUERY], n_results=3, include=["distances"]),
    ]),
    Scenario("query_nan_query_embedding", xfail=NAN_QUERY, steps=[
        *seeded(), col("query", query_embeddings=[[float("nan"), 0, 0]], n_results=2,
                       include=["distances"]),
    ]),
    Scenario("metadata_of_record_with_only_uri", steps=[
        create(),
        col("add", ids=["none", "doc", "uri", "md"], embeddings=[[1, 2]] * 4,
            documents=[None, "d", None, None], uris=[None, None, "u", None],
            metadatas=[None, None, None, {"k": 1}]),
        col("get", include=["metadatas"]),
        col("update", ids=["md"], uris=["u2"], metadatas=[{"k": None}], embeddings=[[1, 2]]),
        col("query", query_embeddings=[[1, 2]], include=["metadatas"]),
    ]),
    # --- persistence -----------------------------------------------------------------------------
    Scenario("persistent_roundtrip", client="persistent", steps=[
        *seeded(metadata={"hnsw:space": "cosine", "owner": "me"}),
        col("update", ids=["a"], metadatas=[{"i": 42}]), col("delete", where={"s": "y"}),
        reopen(), client("get_collection", "coll", embedding_function=None, as_="c"),
        col("get", include=ALL), col("count"),
        col("query", query_embeddings=[QUERY], n_results=2, include=["distances"]),
        client("list_collections"),
    ]),
    Scenario("persistent_dimension_survives_reopen", client="persistent", steps=[
        create(), col("add", ids=["x"], embeddings=[EMBEDDINGS[0]]),
        reopen(), client("get_collection", "coll", embedding_function=None, as_="c"),
        col("add", ids=["y"], embeddings=[[1, 2]]), col("count"),
    ]),
]


@pytest.fixture(scope="module")
def chroma_results() -> dict[str, list[Any]]:
    return chroma_results_for(__name__, SCENARIOS)


@pytest.mark.parametrize("scenario", params(SCENARIOS))
def test_records(scenario: Scenario, chroma_results: dict[str, list[Any]]) -> None:
    check(scenario, chroma_results[scenario.name])


def test_comparison_is_strict_except_for_vectors() -> None:
    """The harness itself: types and values must match; only embeddings/distances get slack."""
    assert differences({"ids": [1]}, {"ids": [1.0]}, "", None)
    assert differences({"metadatas": [0.1]}, {"metadatas": [0.1 + 1e-12]}, "", None)
    assert differences({"ok": 1}, {"error": ["E", "m"]}, "", None)
    assert differences([1, 2], [1], "", None)
    assert not differences({"distances": [[1.0]]}, {"distances": [[1.000001]]}, "", None)
    assert differences({"distances": [[1.0]]}, {"distances": [[1.001]]}, "", None)
    assert not differences({"embeddings": {"data": [0.99999994]}}, {"embeddings": {"data": [1.0]}},
                           "", None)
