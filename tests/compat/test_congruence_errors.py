"""Congruence of invalid inputs, end to end: the error class and message, and the state after.

Client-side argument validation is compared in detail by tests/unit/test_validation_vs_chroma.py;
this table focuses on whole calls and on database-side errors (dimensions, NaN, ids, metadata
keys, filters the server rejects), each followed by reads showing nothing was half-written.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.compat.data import DELETE_COUNT, DELIBERATE, QUERY, seeded
from tests.compat.harness import (
    Scenario,
    Step,
    check,
    chroma_results_for,
    col,
    create,
    ok,
    params,
    quirk,
)

NAN = float("nan")
INF = float("inf")
BATCH_LIMIT = (DELIBERATE + "add of 6000 records: Chroma raises "
                            "InternalError('ValueError: Batch size of 6000 "
               "is greater than max batch size of 5461'), huedb accepts it (max batch 100000, "
               "engine/backend.py MAX_BATCH_SIZE)")
SPARSE = (DELIBERATE + "sparse-vector metadata on add: Chroma 1.5.9 locally rejects it with "
          "TypeError(\"argument 'metadatas': Cannot convert Python object to "
          "MetadataValue\") (dict form and SparseVector object alike); huedb stores it and "
          "returns a SparseVector")
QUERY_DATA = (DELIBERATE + "query(include=['data']) without a data loader: both return included "
              "['data', 'uris'] with data None and uris filled, but Chroma also fills the "
              "unrequested metadatas while huedb leaves them None")


def after(*steps: Step) -> list[Step]:
    """Seed, run `steps`, then show the full state."""
    return [*seeded(), *steps, col("count"),
            col("get", include=["embeddings", "metadatas", "documents", "uris"])]


ERRORS: list[tuple[str, list[Step]]] = [
    # dimensions
    ("add_wrong_dimension", after(col("add", ids=["z"], embeddings=[[1, 2]]))),
    ("add_batch_wrong_dimension", after(col("add", ids=["y", "z"],
                                            embeddings=[[1, 2, 3], [1, 2]]))),
    ("upsert_wrong_dimension", after(col("upsert", ids=["a"], embeddings=[[1, 2, 3, 4]]))),
    ("update_wrong_dimension", after(col("update", ids=["a", "b"],
                                         embeddings=[[1, 2], [3, 4]]))),
    ("update_missing_id_wrong_dimension", after(col("update", ids=["zz"], embeddings=[[1, 2]]))),
    ("query_wrong_dimension", after(col("query", query_embeddings=[[1, 2]]))),
    ("query_mixed_dimensions", after(col("query", query_embeddings=[QUERY, [1, 2]]))),
    ("query_empty_collection_any_dimension", [create(), col("query", query_embeddings=[[1, 2]]),
                                              col("query", query_embeddings=[[1, 2, 3, 4]])]),
    ("first_add_inconsistent", [create(), col("add", ids=["x", "y"],
                                              embeddings=[[1, 2, 3], [1, 2]]),
                                col("add", ids=["x"], embeddings=[[1, 2]]), col("count")]),
    # non-finite embeddings
    ("add_nan", after(col("add", ids=["z"], embeddings=[[NAN, 0, 0]]))),
    ("add_inf", after(col("add", ids=["y", "z"], embeddings=[[1, 2, 3], [0, -INF, 0]]))),
    ("upsert_inf", after(col("upsert", ids=["a"], embeddings=[[INF, 0, 0]]))),
    ("update_nan", after(col("update", ids=["a"], embeddings=[[NAN, NAN, NAN]]))),
    ("failed_first_add_keeps_dimension_free", [
        create(), col("add", ids=["x"], embeddings=[[NAN, 1]]),
        col("add", ids=["x"], embeddings=[[1, 2, 3]]), col("get", include=["embeddings"]),
    ]),
    # ids
    ("add_empty_id", after(col("add", ids=["z", ""], embeddings=[[1, 2, 3]] * 2))),
    ("upsert_empty_id", after(col("upsert", ids=[""], embeddings=[[1, 2, 3]]))),
    ("update_empty_id", after(col("update", ids=[""], embeddings=[[1, 2, 3]]))),
    ("get_empty_id", after(col("get", ids=[""]))),
    ("add_duplicate_ids", after(col("add", ids=["z", "z"], embeddings=[[1, 2, 3]] * 2))),
    ("get_duplicate_ids", after(col("get", ids=["a", "a"]))),
    ("delete_duplicate_ids", after(col("delete", ids=["a", "a"]))),
    ("query_duplicate_ids", after(col("query", query_embeddings=[QUERY], ids=["a", "a"]))),
    ("get_empty_ids", after(col("get", ids=[]), col("delete", ids=[]))),
    ("unicode_and_odd_ids", [
        create(), col("add", ids=["ü", " ", "a b", "%", "_", "x" * 1000, "\n"],
                      embeddings=[[float(i), 1.0] for i in range(7)]),
        col("get", ids=["%", "_"]), col("get", where={"k": {"$ne": 1}}, include=[]),
    ]),
    # metadata
    ("add_metadata_hash_key", after(col("add", ids=["y", "z"], embeddings=[[1, 2, 3]] * 2,
                                        metadatas=[{"ok": 1}, {"#a": 1}]))),
    ("add_metadata_dollar_key", after(col("add", ids=["z"], embeddings=[[1, 2, 3]],
                                          metadatas=[{"$a": 1}]))),
    ("add_metadata_empty_key", after(col("add", ids=["z"], embeddings=[[1, 2, 3]],
                                         metadatas=[{"": 1}]))),
    ("update_metadata_hash_key", after(col("update", ids=["a"], metadatas=[{"#x": 1}]))),
    ("add_metadata_none_value", after(col("add", ids=["z"], embeddings=[[1, 2, 3]],
                                          metadatas=[{"a": None, "b": 1}]))),
    ("upsert_new_id_none_value", after(col("upsert", ids=["z"], embeddings=[[1, 2, 3]],
                                           metadatas=[{"a": None, "b": 1}]))),
    ("add_metadata_huge_ints", after(col("add", ids=["z"], embeddings=[[1, 2, 3]],
                                         metadatas=[{"a": 2**63, "b": 2**64, "c": -(2**63),
                                                     "l": [1, 2**64]}]))),
    ("add_documents_edge_values", after(col("add", ids=["y", "z"], embeddings=[[1, 2, 3]] * 2,
                                            documents=["", "x"], metadatas=[{"e": ""}, None]))),
    # reads and deletes
    ("get_include_distances", after(col("get", include=["distances"]))),
    ("get_include_data", after(col("get", include=["data"]))),
    ("query_n_results_zero", after(col("query", query_embeddings=[QUERY], n_results=0))),
    ("delete_without_filter", after(col("delete"))),
    ("delete_limit_without_where", after(col("delete", ids=["a"], limit=1))),
    ("get_negative_limit", after(col("get", limit=-1), col("get", offset=-2))),
    ("where_server_rejects", after(col("get", where={"b": {"$gt": True}}),
                                   col("get", where={"x": {"$eq": [1]}}),
                                   col("query", query_embeddings=[QUERY],
                                       where={"b": {"$lte": False}}),
                                   col("delete", where={"b": {"$gte": True}}))),
    ("where_document_bad_regex", after(col("delete", where_document={"$regex": "(unclosed"}),
                                       col("query", query_embeddings=[QUERY],
                                           where_document={"$not_regex": "*"}))),
    ("where_document_equality_key", after(col("get", where={"#document": "lazy dog"}),
                                          col("delete", where={"#document": {"$ne": "x"}}))),
]

SCENARIOS: list[Scenario] = [
    *[Scenario(name, steps) for name, steps in ERRORS],
    Scenario("delete_empty_id", after(
        quirk(col("delete", ids=[""]), DELETE_COUNT, ok({"deleted": 0}), ok({"deleted": 1})),
    )),
    Scenario("add_empty_uri", after(col("add", ids=["z"], embeddings=[[1, 2, 3]], uris=[""]))),
    Scenario("add_metadata_sparse_vector_dict", after(
        col("add", ids=["z"], embeddings=[[1, 2, 3]], metadatas=[{"sv": {
            "#type": "sparse_vector", "indices": [1, 4], "values": [0.5, 1.0]}}]),
    ), xfail=SPARSE),
    Scenario("add_over_chroma_batch_limit", [
        create(), col("add", ids=[f"{i}" for i in range(6000)],
                      embeddings=[[float(i), 1.0] for i in range(6000)]),
        col("count"),
    ], xfail=BATCH_LIMIT),
    Scenario("query_include_data_without_loader", after(
        col("query", query_embeddings=[QUERY], n_results=2, include=["data"]),
    ), xfail=QUERY_DATA),
]


@pytest.fixture(scope="module")
def chroma_results() -> dict[str, list[Any]]:
    return chroma_results_for(__name__, SCENARIOS)


@pytest.mark.parametrize("scenario", params(SCENARIOS))
def test_errors(scenario: Scenario, chroma_results: dict[str, list[Any]]) -> None:
    check(scenario, chroma_results[scenario.name])
