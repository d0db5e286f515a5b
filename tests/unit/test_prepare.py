"""Unit tests for huedb._prepare: request shapes, stage ordering, and error suffixes."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from huedb._prepare import (
    DeleteRequest,
    GetRequest,
    prepare_delete,
    prepare_get,
    prepare_query,
    prepare_records,
)
from huedb.errors import DuplicateIDError, InvalidArgumentError
from huedb.types import SparseVector

NAN_ERROR = "Validation error: embeddings: Embeddings must not contain NaN or Infinity values"


def raises(exc: type[BaseException], message: str) -> Any:
    return pytest.raises(exc, match=f"^{re.escape(message)}$")


def embed(inputs: list[Any]) -> list[Any]:
    """A stand-in embedding function: three numbers per input."""
    return [np.array([float(i), 1.0, 2.0]) for i in range(len(inputs))]


def load(uris: list[str]) -> list[Any]:
    return [np.full((2, 2), len(uri)) for uri in uris]


def failing(exc: BaseException) -> Any:
    def fn(inputs: list[Any]) -> list[Any]:
        raise exc

    return fn


def returning(value: Any) -> Any:
    return lambda inputs: value


# -- prepare_records: results -------------------------------------------------------------------


@pytest.mark.parametrize(
    "embeddings",
    [[1, 2, 3], [[1, 2, 3]], np.array([1, 2, 3]), np.array([[1.0, 2.0, 3.0]]),
     [np.array([1, 2, 3], dtype=np.int64)], np.array([[1, 2, 3]], dtype=np.float16)],
)
def test_records_accept_every_embedding_form(embeddings: Any) -> None:
    batch = prepare_records("add", "a", embeddings)
    assert batch.ids == ["a"]
    assert batch.embeddings is not None
    assert batch.embeddings.dtype == np.float32
    assert batch.embeddings.tolist() == [[1.0, 2.0, 3.0]]
    assert batch.metadatas is None and batch.documents is None and batch.uris is None


def test_records_keep_documents_when_embeddings_win() -> None:
    batch = prepare_records("upsert", ["a", "b"], [[1, 2], [3, 4]], documents=["x", None],
                            embed=failing(AssertionError("must not embed")))
    assert batch.documents == ["x", None]
    assert batch.embeddings is not None and batch.embeddings.shape == (2, 2)


def test_records_embed_documents_images_and_uris() -> None:
    seen: list[Any] = []

    def spy(inputs: list[Any]) -> list[Any]:
        seen.append(inputs)
        return embed(inputs)

    docs = prepare_records("add", ["a", "b"], documents=["x", "y"], embed=spy)
    assert docs.embeddings is not None and docs.embeddings.tolist() == [[0, 1, 2], [1, 1, 2]]
    assert docs.documents == ["x", "y"]
    images = [np.zeros((2, 2))]
    prepare_records("upsert", "a", images=images, embed=spy)
    uris = prepare_records("add", "a", uris="abc", embed=spy, load_uris=load)
    assert uris.uris == ["abc"]
    assert seen[0] == ["x", "y"] and seen[1] is images
    assert seen[2][0].tolist() == [[3, 3], [3, 3]]


def test_update_without_anything_to_embed_sends_no_embeddings() -> None:
    batch = prepare_records("update", ["a"], metadatas=[{"k": None}], uris=["u"])
    assert batch.embeddings is None
    assert batch.metadatas == [{"k": None}]
    assert batch.uris == ["u"]


def test_update_embeds_documents_and_upsert_ignores_uris_for_embedding() -> None:
    batch = prepare_records("update", "a", documents="doc", embed=embed)
    assert batch.embeddings is not None and batch.embeddings.shape == (1, 3)
    # Chroma picks uris or documents by set order here; huedb always embeds the documents.
    upsert = prepare_records("upsert", "a", documents="doc", uris="u", embed=embed)
    assert upsert.uris == ["u"] and upsert.embeddings is not None


def test_records_serialize_metadata() -> None:
    tagged = {"#type": "sparse_vector", "indices": [2], "values": [0.5]}
    batch = prepare_records(
        "add", ["a", "b", "c"], [[1.0]] * 3,
        metadatas=[{"sv": SparseVector([1], [1.0])}, {"t": tagged, "big": 2**63}, None],
    )
    assert batch.metadatas == [
        {"sv": {"#type": "sparse_vector", "indices": [1], "values": [1.0]}},
        {"t": tagged, "big": 9.223372036854776e18},
        None,
    ]
    update = prepare_records("upsert", "a", [1.0], metadatas={"gone": None})
    assert update.metadatas == [{"gone": None}]


def test_records_do_not_mutate_arguments() -> None:
    ids = ["a"]
    metadatas = [{"sv": {"#type": "sparse_vector", "indices": [1], "values": [1.0]}}]
    prepare_records("add", ids, [[1.0]], metadatas=metadatas)
    assert ids == ["a"]
    assert metadatas == [{"sv": {"#type": "sparse_vector", "indices": [1], "values": [1.0]}}]


# -- prepare_records: client-side errors carry " in {method}." --------------------------------


@pytest.mark.parametrize(
    ("method", "kwargs", "exc", "message"),
    [
        ("add", {"ids": 5, "embeddings": [1, 2]}, ValueError, "Expected ID to be a str, got 5"),
        ("add", {"ids": ("a", "b"), "embeddings": [[1], [2]]}, ValueError,
         "Unequal lengths for fields: ids: 1, embeddings: 2"),
        ("add", {"ids": None}, ValueError, "At least one of one of ids, metadatas, embeddings, "
                                           "documents, images, uris must be provided"),
        ("add", {"ids": None, "embeddings": [1]}, ValueError,
         "Expected IDs to be a list, got NoneType as IDs"),
        ("add", {"ids": [], "embeddings": []}, ValueError,
         "Expected Embeddings to be non-empty list or numpy array, got []"),
        ("add", {"ids": [], "embeddings": [[1]]}, ValueError,
         "Non-empty lists are required for ['ids']"),
        ("add", {"ids": ["a"], "documents": [], "metadatas": []}, ValueError,
         "Non-empty lists are required for ['metadatas', 'documents']"),
        ("upsert", {"ids": ["a", "a"], "embeddings": [[1], [1]]}, DuplicateIDError,
         "Expected IDs to be unique, found duplicates of: a"),
        ("add", {"ids": ["a"], "embeddings": [[]]}, IndexError, "list index out of range"),
        ("add", {"ids": ["a", "b"], "embeddings": [[1.0], None]}, ValueError,
         "Expected a 1-dimensional array, got a 0-dimensional array nan"),
        ("update", {"ids": ["a"], "documents": [None]}, ValueError,
         "Expected document to be a str, got None"),
        ("add", {"ids": ["a"], "embeddings": [[1]], "metadatas": "x"}, AttributeError,
         "'str' object has no attribute 'items'"),
        ("add", {"ids": ["a"], "embeddings": [[1]], "metadatas": [{}]}, ValueError,
         "Expected metadata to be a non-empty dict, got 0 metadata attributes"),
        ("add", {"ids": ["a"], "embeddings": [[1]], "metadatas": [{1: 1}]}, TypeError,
         "Expected metadata key to be a str, got 1 which is a int"),
        ("add", {"ids": ["a"], "embeddings": [[1]], "images": [np.zeros(2)]}, ValueError,
         "Expected image to be a numpy array, got [0. 0.]"),
        ("add", {"ids": ["a"]}, ValueError, "Exactly one of uris, images, documents must be "
                                            "provided"),
        ("add", {"ids": ["a"], "documents": ["x"], "uris": ["u"]}, ValueError,
         "Exactly one of uris, images, documents must be provided"),
        ("upsert", {"ids": ["a"], "uris": ["u"]}, ValueError,
         "Exactly one of images, documents must be provided"),
        ("update", {"ids": ["a"], "documents": ["x"], "images": [np.zeros((2, 2))]}, ValueError,
         "Exactly one of images, documents must be provided"),
        ("add", {"ids": ["a"], "uris": ["u"]}, ValueError,
         "You must set a data loader on the collection if loading from URIs."),
    ],
)
def test_records_client_side_errors(
    method: Any, kwargs: dict[str, Any], exc: type[Exception], message: str
) -> None:
    with raises(exc, f"{message} in {method}."):
        prepare_records(method, **kwargs, embed=embed)


def test_records_without_embedding_function() -> None:
    with raises(ValueError, "You must provide an embedding function to compute embeddings."
                            "https://docs.trychroma.com/guides/embeddings in add."):
        prepare_records("add", "a", documents="x")


@pytest.mark.parametrize(
    ("fn", "exc", "message"),
    [
        (failing(RuntimeError("boom")), RuntimeError, "boom in upsert."),
        (failing(KeyError("k")), KeyError, "\"'k' in upsert.\""),
        (failing(ValueError("a", "b")), ValueError, "(\"('a', 'b') in upsert.\", 'b')"),
        (failing(ValueError()), ValueError, ""),
        (returning([]), ValueError,
         "Expected Embeddings to be non-empty list or numpy array, got [] in upsert."),
        (returning(["abc"]), ValueError, "Expected embeddings to be a list of floats or ints, a "
         "list of lists, a numpy array, or a list of numpy arrays, got ['abc'] in upsert."),
        (returning([np.ones(2, dtype=np.int8)]), ValueError, "Expected each value in the "
         "embedding to be a int or float, got an embedding with int8 - [1 1] in upsert."),
        # Chroma fails a bare assert (AssertionError with no message); we explain.
        (returning(None), ValueError,
         "Expected the embedding function to return embeddings, got None in upsert."),
    ],
)
def test_embedding_function_errors_get_the_suffix(
    fn: Any, exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc) as info:
        prepare_records("upsert", "a", documents="x", embed=fn)
    assert str(info.value) == message


def test_loader_errors_get_the_suffix() -> None:
    with raises(OSError, "gone in add."):
        prepare_records("add", "a", uris="u", embed=embed, load_uris=failing(OSError("gone")))


# -- prepare_records: conversion and database errors (no suffix) -----------------------------


@pytest.mark.parametrize(
    ("method", "kwargs", "exc", "message"),
    [
        ("add", {"embeddings": [np.ones((1, 3))]}, TypeError,
         "argument 'embeddings': only 0-dimensional arrays can be converted to Python scalars"),
        ("add", {"metadatas": {"k": None}}, TypeError,
         "argument 'metadatas': Cannot convert Python object to MetadataValue"),
        ("update", {"metadatas": {"k": 10**400}}, TypeError,
         "argument 'metadatas': Cannot convert Python object to UpdateMetadataValue"),
        ("add", {"uris": [5]}, TypeError,
         "argument 'uris': 'int' object cannot be converted to 'PyString'"),
        ("upsert", {"uris": [b"u"]}, TypeError,
         "argument 'uris': 'bytes' object cannot be converted to 'PyString'"),
        ("add", {"metadatas": {"#k": 1}}, InvalidArgumentError,
         "Validation error: metadatas: Invalid metadata at index 0"),
        ("update", {"metadatas": {"": None}}, InvalidArgumentError,
         "Validation error: metadatas: Invalid metadata at index 0"),
        ("add", {"embeddings": [[1.0, float("nan")]]}, InvalidArgumentError, NAN_ERROR),
        ("add", {"embeddings": [[1e39, 1.0]]}, InvalidArgumentError, NAN_ERROR),
        ("upsert", {"embeddings": np.array([[np.inf, 1.0]])}, InvalidArgumentError, NAN_ERROR),
        ("add", {"embeddings": [[np.nan]], "metadatas": {"$k": 1}}, InvalidArgumentError,
         "Validation error: metadatas: Invalid metadata at index 0\n"
         "embeddings: Embeddings must not contain NaN or Infinity values"),
    ],
)
def test_records_conversion_and_database_errors(
    method: Any, kwargs: dict[str, Any], exc: type[Exception], message: str
) -> None:
    args = {"ids": "a", "embeddings": [[1.0, 2.0]], **kwargs}
    with raises(exc, message):
        prepare_records(method, **args)


def test_records_database_error_order() -> None:
    # Invalid metadata keys come before inconsistent dimensions, as in Chroma.
    with raises(InvalidArgumentError, "Validation error: metadatas: Invalid metadata at index 1"):
        prepare_records("add", ["a", "b"], [[1, 2], [1]], metadatas=[{"k": 1}, {"#k": 1}])
    with raises(InvalidArgumentError, "Inconsistent dimensions in provided embeddings"):
        prepare_records("add", ["a", "b"], [[1, 2], [1]])
    with raises(InvalidArgumentError, "Inconsistent dimensions in provided embeddings"):
        prepare_records("add", ["a", "b"], documents=["x", "y"],
                        embed=returning([[1.0, 2.0], [1.0]]))


@pytest.mark.parametrize("produced", [[[1.0, 2.0]], [[1.0, 2.0]] * 3])
def test_records_embedding_count_mismatch(produced: Any) -> None:
    with raises(InvalidArgumentError,
                "Inconsistent number of IDs, embeddings, documents, URIs and metadatas"):
        prepare_records("add", ["a", "b"], documents=["x", "y"], embed=returning(produced))


# -- prepare_get ----------------------------------------------------------------------------


def test_get_defaults_and_conversions() -> None:
    include: Any = ["metadatas", "documents"]
    request = prepare_get(None, None, None, None, None, include)
    assert request == GetRequest(None, None, None, None, 0, ["metadatas", "documents"])
    request = prepare_get("a", {"k": 1}, {"$contains": "x"}, True, "", [])
    assert request == GetRequest(["a"], {"k": 1}, {"$contains": "x"}, 1, 0, [])
    assert prepare_get(None, None, None, np.int64(3), 2**32 - 1, []).limit == 3


def test_get_data_adds_uris_without_mutating_the_argument() -> None:
    include: Any = ["data"]
    request = prepare_get(None, None, None, None, None, include, has_data_loader=True)
    assert request.include == ["data", "uris"]
    assert include == ["data"]


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"ids": []}, ValueError, "Expected IDs to be a non-empty list, got 0 IDs in get."),
        ({"ids": ["a", "a"]}, DuplicateIDError,
         "Expected IDs to be unique, found duplicates of: a in get."),
        ({"ids": ("a", "b")}, ValueError, "Expected ID to be a str, got ('a', 'b') in get."),
        ({"where": {"a": None}, "limit": -1}, ValueError,
         "Expected where value to be a str, int, float, or operator expression, got None in get."),
        ({"where_document": {"$contains": ""}}, ValueError, "Expected where document operand "
         "value for operator $contains to be a non-empty str in get."),
        ({"include": "documents"}, ValueError, "Expected include to be a list, got documents in "
                                               "get."),
        ({"include": ["distances"]}, ValueError,
         "Include item cannot be one of distances, got distances in get."),
        ({"include": ["data"]}, ValueError,
         "You must set a data loader on the collection if loading from URIs. in get."),
        ({"limit": -1}, OverflowError, "out of range integral type conversion attempted"),
        ({"offset": 2**32}, OverflowError, "out of range integral type conversion attempted"),
        ({"limit": 2**63}, OverflowError, "Python int too large to convert to C long"),
        ({"limit": "x"}, TypeError,
         "argument 'limit': 'str' object cannot be interpreted as an integer"),
        ({"offset": 1.5}, TypeError,
         "argument 'offset': 'float' object cannot be interpreted as an integer"),
        ({"limit": np.float64(2)}, TypeError,
         "argument 'limit': 'numpy.float64' object cannot be interpreted as an integer"),
        ({"limit": "x", "offset": -1}, TypeError,
         "argument 'limit': 'str' object cannot be interpreted as an integer"),
    ],
)
def test_get_errors(kwargs: dict[str, Any], exc: type[Exception], message: str) -> None:
    args = {"ids": None, "where": None, "where_document": None, "limit": None, "offset": None,
            "include": ["metadatas"], **kwargs}
    with raises(exc, message):
        prepare_get(**args)


# -- prepare_query ----------------------------------------------------------------------------


def query(**kwargs: Any) -> Any:
    args = {"query_embeddings": None, "query_texts": None, "query_images": None,
            "query_uris": None, "ids": None, "n_results": 10, "where": None,
            "where_document": None, "include": ["metadatas", "documents", "distances"], **kwargs}
    return prepare_query(**args)


def test_query_with_embeddings() -> None:
    request = query(query_embeddings=[1, 2, 3], query_texts=["ignored"], ids="a", n_results=True,
                    include=["data"])
    assert request.embeddings.tolist() == [[1, 2, 3]]
    assert request.embeddings.dtype == np.float32
    assert request.ids == ["a"]
    assert request.n_results == 1 and type(request.n_results) is int
    # Chroma's query allows "data" without a loader; uris are added for the loader.
    assert request.include == ["data", "uris"]


def test_query_embeds_texts_and_uris_with_the_query_function() -> None:
    request = query(query_texts="hello", embed_query=embed)
    assert request.embeddings.tolist() == [[0, 1, 2]]
    request = query(query_uris=["u", "v"], embed_query=embed, load_uris=load)
    assert request.embeddings.shape == (2, 3)


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({}, ValueError, "At least one of one of embeddings, documents, images, uris must be "
                         "provided in query."),
        ({"query_embeddings": [[1.0]], "query_texts": ["a", "b"]}, ValueError,
         "Unequal lengths for fields: embeddings: 1, documents: 2 in query."),
        ({"query_texts": ["a"], "query_uris": ["u"]}, ValueError,
         "Exactly one of uris, images, documents must be provided in query."),
        ({"query_uris": ["u"]}, ValueError,
         "You must set a data loader on the collection if loading from URIs. in query."),
        ({"query_texts": [None]}, ValueError, "Expected document to be a str, got None in query."),
        ({"query_texts": []}, ValueError, "Non-empty lists are required for ['documents'] in "
                                          "query."),
        ({"query_embeddings": [[1.0]], "n_results": 1.5}, ValueError,
         "Expected requested number of results to be a int, got 1.5 in query."),
        ({"query_embeddings": [[1.0]], "n_results": 0}, TypeError,
         "Number of requested results 0, cannot be negative, or zero. in query."),
        ({"query_embeddings": [[1.0]], "include": ["bad"]}, ValueError, "Expected include item "
         "to be one of documents, embeddings, metadatas, distances, uris, data, got bad in query."),
        ({"query_embeddings": [[1.0]], "where_document": {"a": None}}, ValueError,
         "Expected where document operator to be one of $contains, $not_contains, $regex, "
         "$not_regex, $and, $or, got a in query."),
        ({"query_texts": ["x"], "embed_query": failing(RuntimeError("boom"))}, RuntimeError,
         "boom in query."),
        ({"query_embeddings": [[1.0]], "ids": [1]}, TypeError,
         "argument 'ids': 'int' object cannot be converted to 'PyString'"),
        ({"query_embeddings": [[1.0], [[1.0]]]}, TypeError,
         "argument 'query_embeddings': only 0-dimensional arrays can be converted to Python "
         "scalars"),
        ({"query_embeddings": [[1.0]], "n_results": 2**32}, OverflowError,
         "out of range integral type conversion attempted"),
        ({"query_embeddings": [[1.0]], "n_results": 2**64}, OverflowError,
         "Python int too large to convert to C long"),
        ({"query_embeddings": [[1.0, 2.0], [1.0]]}, InvalidArgumentError,
         "Inconsistent dimensions in provided embeddings"),
    ],
)
def test_query_errors(kwargs: dict[str, Any], exc: type[Exception], message: str) -> None:
    with raises(exc, message):
        query(**kwargs)


@pytest.mark.parametrize("vector", [[float("nan"), 1.0], [float("inf"), 1.0], [1e39, 1.0]])
def test_query_rejects_non_finite_embeddings(vector: list[float]) -> None:
    # Deliberate deviation: Chroma answers NaN queries with NaN distances for every record.
    with raises(InvalidArgumentError, "Validation error: query_embeddings: Query embeddings must "
                                      "not contain NaN or Infinity values"):
        query(query_embeddings=[vector])


def test_query_rejects_wrong_embedding_count() -> None:
    # Deliberate deviation: Chroma silently answers fewer queries than it was given.
    with raises(InvalidArgumentError,
                "Expected 2 query embeddings from the embedding function, got 1"):
        query(query_texts=["a", "b"], embed_query=returning([[1.0, 2.0]]))


# -- prepare_delete ---------------------------------------------------------------------------


def test_delete_requests() -> None:
    assert prepare_delete("a", None, None, None) == DeleteRequest(["a"], None, None, None)
    assert prepare_delete(None, {"k": 1}, None, 0) == DeleteRequest(None, {"k": 1}, None, 0)
    assert prepare_delete(None, None, {"$contains": "x"}, 5).limit == 5


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({}, ValueError, "At least one of ids, where, or where_document must be provided in "
                         "delete."),
        ({"ids": []}, ValueError, "Expected IDs to be a non-empty list, got 0 IDs in delete."),
        ({"ids": ["a", "a"]}, DuplicateIDError,
         "Expected IDs to be unique, found duplicates of: a in delete."),
        ({"ids": [1]}, ValueError, "Expected ID to be a str, got 1 in delete."),
        ({"ids": ["a"], "limit": 1}, ValueError, "limit can only be specified when a where or "
                                                 "where_document clause is provided in delete."),
        ({"ids": [1], "limit": 1}, ValueError, "limit can only be specified when a where or "
                                               "where_document clause is provided in delete."),
        ({"where": {"a": 1}, "limit": -1}, ValueError,
         "limit must be a non-negative integer in delete."),
        ({"where": {"a": None}, "limit": -1}, ValueError,
         "limit must be a non-negative integer in delete."),
        ({"where": {"a": 1}, "limit": True}, TypeError,
         "limit must be a non-negative integer in delete."),
        ({"where": {"a": 1}, "limit": "1"}, TypeError,
         "limit must be a non-negative integer in delete."),
        ({"where": {}, "limit": 2**32}, ValueError,
         "Expected where to have exactly one operator, got {} in delete."),
        ({"where": {"a": 1}, "limit": 2**32}, OverflowError,
         "out of range integral type conversion attempted"),
        ({"where": {"a": 1}, "limit": 2**64}, OverflowError,
         "Python int too large to convert to C long"),
    ],
)
def test_delete_errors(kwargs: dict[str, Any], exc: type[Exception], message: str) -> None:
    args = {"ids": None, "where": None, "where_document": None, "limit": None, **kwargs}
    with raises(exc, message):
        prepare_delete(**args)
