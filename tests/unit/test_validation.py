"""Unit tests for huedb._validation: accepted forms, and every error class and message."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from huedb._validation import (
    deserialize_metadata,
    maybe_cast_one_to_many,
    normalize_embeddings,
    normalize_metadata,
    normalize_metadatas,
    serialize_metadata,
    validate_batch_lengths,
    validate_collection_metadata_for_modify,
    validate_documents,
    validate_embeddings,
    validate_ids,
    validate_images,
    validate_include,
    validate_metadata,
    validate_metadatas,
    validate_n_results,
    validate_sparse_vector,
    validate_update_metadata,
    validate_where,
    validate_where_document,
)
from huedb.errors import DuplicateIDError
from huedb.types import SparseVector

SHAPE = (
    "Expected embeddings to be a list of floats or ints, a list of lists, a numpy array, "
    "or a list of numpy arrays, got "
)
VALUE = "Expected metadata value to be a str, int, float, bool, SparseVector, list, or None, got "
MIXED = (
    "Expected metadata list value for key 'a' to contain only str, int, float, or bool and all "
    "elements must be the same type, got "
)
WHERE_OPS = "$gt, $gte, $lt, $lte, $ne, $eq, $in, $nin, $contains, $not_contains"


def raises(exc: type[BaseException], message: str) -> Any:
    return pytest.raises(exc, match=f"^{re.escape(message)}$")


# -- OneOrMany ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, None),
        ("a", ["a"]),
        (["a", "b"], ["a", "b"]),
        (("a", "b"), [("a", "b")]),  # a tuple is one item, as in Chroma
        ({"k": 1}, [{"k": 1}]),
        (5, [5]),
    ],
)
def test_maybe_cast_one_to_many(target: Any, expected: Any) -> None:
    assert maybe_cast_one_to_many(target) == expected


def test_maybe_cast_keeps_the_list_object() -> None:
    ids = ["a"]
    assert maybe_cast_one_to_many(ids) is ids


# -- embeddings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("embeddings", "rows", "dtype"),
    [
        ([1, 2, 3], [[1, 2, 3]], np.float32),
        ([1.5, 2], [[1.5, 2]], np.float32),
        ([[1, 2], [3, 4]], [[1, 2], [3, 4]], np.float32),
        (np.array([1.0, 2.0]), [[1, 2]], np.float64),
        (np.array([[1, 2], [3, 4]], dtype=np.int32), [[1, 2], [3, 4]], np.int32),
        ([np.array([1, 2], dtype=np.float16)], [[1, 2]], np.float16),
        ([[1, 2], [True, 0]], [[1, 2], [1, 0]], np.float32),  # only the first value is checked
    ],
)
def test_normalize_embeddings_accepted_forms(embeddings: Any, rows: Any, dtype: Any) -> None:
    normalized = normalize_embeddings(embeddings)
    assert normalized is not None
    assert [row.tolist() for row in normalized] == rows
    assert all(row.dtype == dtype for row in normalized)
    assert validate_embeddings(normalized) == normalized


def test_normalize_embeddings_none() -> None:
    assert normalize_embeddings(None) is None


def test_normalize_embeddings_overflow_becomes_inf_without_warning() -> None:
    (row,) = normalize_embeddings([[1e39, 1.0]]) or []
    assert np.isinf(row[0])


@pytest.mark.parametrize(
    ("embeddings", "exc", "message"),
    [
        ([], ValueError, "Expected Embeddings to be non-empty list or numpy array, got []"),
        (np.zeros((0, 3)), ValueError,
         "Expected Embeddings to be non-empty list or numpy array, got []"),
        ([[]], IndexError, "list index out of range"),
        ([None], ValueError, SHAPE + "[None]"),
        ([[None, 1]], ValueError, SHAPE + "[[None, 1]]"),
        ([True, 1], ValueError, SHAPE + "[True, 1]"),
        ([[True, 1]], ValueError, SHAPE + "[[True, 1]]"),
        ([["a", 1]], ValueError, SHAPE + "[['a', 1]]"),
        (["a"], ValueError, SHAPE + "['a']"),
        ([(1, 2)], ValueError, SHAPE + "[(1, 2)]"),
        ((1, 2), ValueError, SHAPE + "(1, 2)"),
        ("abc", ValueError, SHAPE + "abc"),
        (np.zeros((1, 1, 1)), ValueError, SHAPE + "[[[0.]]]"),
        (5, TypeError, "object of type 'int' has no len()"),
        ([[1, 2], "ab"], ValueError, "could not convert string to float: 'ab'"),
    ],
)
def test_normalize_embeddings_errors(embeddings: Any, exc: type[Exception], message: str) -> None:
    with raises(exc, message):
        normalize_embeddings(embeddings)


@pytest.mark.parametrize(
    ("embeddings", "message"),
    [
        ("x", "Expected embeddings to be a list, got str"),
        ([], "Expected embeddings to be a list with at least one item, got 0 embeddings"),
        ([np.ones(2), [1.0]], "Expected each embedding in the embeddings to be a numpy array, "
                              "got ['list', 'ndarray']"),
        ([np.array(5.0)], "Expected a 1-dimensional array, got a 0-dimensional array 5.0"),
        ([np.ones(2), np.zeros(0)],
         "Expected each embedding in the embeddings to be a 1-dimensional numpy array with at "
         "least 1 int/float value. Got a 1-dimensional numpy array with no values at pos 1"),
        ([np.array([1, 2], dtype=np.int8)], "Expected each value in the embedding to be a int "
                                            "or float, got an embedding with int8 - [1 2]"),
        ([np.array([True])], "Expected each value in the embedding to be a int or float, got an "
                             "embedding with bool - [ True]"),
        ([np.array([1], dtype=np.uint8)], "Expected each value in the embedding to be a int or "
                                          "float, got an embedding with uint8 - [1]"),
    ],
)
def test_validate_embeddings_errors(embeddings: Any, message: str) -> None:
    with raises(ValueError, message):
        validate_embeddings(embeddings)


# -- ids, documents, images, lengths ---------------------------------------------------------


def test_validate_ids_accepts_unique_strings() -> None:
    assert validate_ids(["a", "b"]) == ["a", "b"]


@pytest.mark.parametrize(
    ("ids", "exc", "message"),
    [
        ("a", ValueError, "Expected IDs to be a list, got str as IDs"),
        (None, ValueError, "Expected IDs to be a list, got NoneType as IDs"),
        ([], ValueError, "Expected IDs to be a non-empty list, got 0 IDs"),
        ([1], ValueError, "Expected ID to be a str, got 1"),
        (["a", "a", 1], ValueError, "Expected ID to be a str, got 1"),
        (["a", "b", "a", "b", "c"], DuplicateIDError,
         "Expected IDs to be unique, found duplicates of: a, b"),
        ([str(i % 12) for i in range(24)], DuplicateIDError,
         "Expected IDs to be unique, found 12 duplicated IDs: 0, 1, 2, 3, 4, ..., 6, 7, 8, 9, 10"),
        ([str(i % 10) for i in range(20)], DuplicateIDError,
         "Expected IDs to be unique, found 10 duplicated IDs: 0, 1, 2, 3, 4, ..., 5, 6, 7, 8, 9"),
    ],
)
def test_validate_ids_errors(ids: Any, exc: type[Exception], message: str) -> None:
    with raises(exc, message):
        validate_ids(ids)


def test_validate_documents() -> None:
    validate_documents(["a", ""])
    validate_documents(["a", None], nullable=True)
    for documents, message in [
        ("a", "Expected documents to be a list, got str"),
        ([], "Expected documents to be a non-empty list, got 0 documents"),
        (["a", None], "Expected document to be a str, got None"),
        ([5], "Expected document to be a str, got 5"),
    ]:
        with raises(ValueError, message):
            validate_documents(documents)


def test_validate_images() -> None:
    validate_images([np.zeros((2, 2)), np.zeros((2, 2, 3))])
    for images, message in [
        (np.zeros((2, 2)), "Expected images to be a list, got ndarray"),
        ([], "Expected images to be a non-empty list, got 0 images"),
        ([np.zeros(2)], "Expected image to be a numpy array, got [0. 0.]"),
        ([5], "Expected image to be a numpy array, got 5"),
    ]:
        with raises(ValueError, message):
            validate_images(images)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ids": None, "embeddings": None},
         "At least one of one of ids, embeddings must be provided"),
        ({"ids": [], "metadatas": [], "embeddings": [1]},
         "Non-empty lists are required for ['ids', 'metadatas']"),
        ({"ids": [1, 2], "metadatas": None, "embeddings": [1]},
         "Unequal lengths for fields: ids: 2, embeddings: 1"),
        ({"embeddings": [1], "documents": [1, 2], "images": None, "uris": [3]},
         "Unequal lengths for fields: embeddings: 1, documents: 2, uris: 1"),
    ],
)
def test_validate_batch_lengths(fields: Any, message: str) -> None:
    with raises(ValueError, message):
        validate_batch_lengths(fields)


def test_validate_batch_lengths_passes() -> None:
    validate_batch_lengths({"ids": ["a"], "metadatas": None, "embeddings": [[1]]})


# -- metadata ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vector", "message"),
    [
        (SparseVector((1,), [1.0]),  # type: ignore[arg-type]
         "Expected SparseVector indices to be a list, got tuple"),
        (SparseVector([1], None),  # type: ignore[arg-type]
         "Expected SparseVector values to be a list, got NoneType"),
        (SparseVector([1], [1.0, 2.0]),
         "SparseVector indices and values must have the same length, got 1 indices and 2 values"),
        (SparseVector([1], [1.0], ("a",)),  # type: ignore[arg-type]
         "Expected SparseVector labels to be a list, got tuple"),
        (SparseVector([1], [1.0], ["a", "b"]),
         "SparseVector labels must have the same length as indices and values, got 2 labels, "
         "1 indices"),
        (SparseVector([1.0], [1.0]),  # type: ignore[list-item]
         "SparseVector indices must be integers, got float at position 0"),
        (SparseVector([0, -1], [1, 1]), "SparseVector indices must be non-negative, got -1 at "
                                        "position 1"),
        (SparseVector([0], ["x"]),  # type: ignore[list-item]
         "SparseVector values must be numbers, got str at position 0"),
        (SparseVector([3, 3], [1, 1]), "SparseVector indices must be sorted in strictly ascending "
                                       "order, found indices[1]=3 <= indices[0]=3"),
    ],
)
def test_validate_sparse_vector_errors(vector: SparseVector, message: str) -> None:
    with raises(ValueError, message):
        validate_sparse_vector(vector)


def test_normalize_metadata_converts_tagged_sparse_dicts() -> None:
    tagged = {"#type": "sparse_vector", "indices": [1, 4], "values": [0.5, 1.0],
              "tokens": ["a", "b"]}
    normalized = normalize_metadata({"s": tagged, "k": 1})
    assert normalized == {"s": SparseVector([1, 4], [0.5, 1.0], ["a", "b"]), "k": 1}
    assert normalize_metadatas({"k": 1}) == [{"k": 1}]
    assert normalize_metadatas(None) is None
    assert normalize_metadatas([None, {"k": 1}]) == [None, {"k": 1}]


@pytest.mark.parametrize(
    ("metadata", "exc", "message"),
    [
        ("x", AttributeError, "'str' object has no attribute 'items'"),
        ({"s": {"#type": "sparse_vector", "indices": [1]}}, KeyError, "'values'"),
        ({"s": {"#type": "sparse_vector", "indices": [2, 1], "values": [1, 1]}}, ValueError,
         "SparseVector indices must be sorted in strictly ascending order, found indices[1]=1 <= "
         "indices[0]=2"),
        ({"s": SparseVector([-1], [1.0])}, ValueError,
         "SparseVector indices must be non-negative, got -1 at position 0"),
    ],
)
def test_normalize_metadata_errors(metadata: Any, exc: type[Exception], message: str) -> None:
    with raises(exc, message):
        normalize_metadata(metadata)


@pytest.mark.parametrize(
    "metadata",
    [None, {"s": "x", "i": 1, "f": 1.5, "b": True, "n": None, "l": ["a"], "li": [1, 2],
            "lf": [1.5], "lb": [True, False], "sv": SparseVector([0], [1.0])}],
)
def test_validate_metadata_accepts(metadata: Any) -> None:
    assert validate_metadata(metadata) is metadata
    assert validate_update_metadata(metadata) is metadata


@pytest.mark.parametrize(
    ("metadata", "exc", "message"),
    [
        ("x", ValueError, "Expected metadata to be a dict or None, got str as metadata"),
        ({}, ValueError, "Expected metadata to be a non-empty dict, got 0 metadata attributes"),
        ({"chroma:document": 1}, ValueError,
         "Expected metadata to not contain the reserved key chroma:document"),
        ({2: 1, "chroma:document": 1}, TypeError, "Expected metadata key to be a str, got 2 which "
                                                  "is a int"),
        ({"a": (1, 2)}, ValueError, VALUE + "(1, 2) which is a tuple"),
        ({"a": {"b": 1}}, ValueError, VALUE + "{'b': 1} which is a dict"),
        ({"a": np.int64(3)}, ValueError, VALUE + "3 which is a int64"),
        ({"a": []}, ValueError, "Expected metadata list value for key 'a' to be non-empty"),
        ({"a": [1, 1.5]}, ValueError, MIXED + "[1, 1.5]"),
        ({"a": [1.0, 2]}, ValueError, MIXED + "[1.0, 2]"),
        ({"a": [True, 1]}, ValueError, MIXED + "[True, 1]"),
        ({"a": [1, True]}, ValueError, MIXED + "[1, True]"),
        ({"a": ["x", 2]}, ValueError, MIXED + "['x', 2]"),
        ({"a": [None]}, ValueError, MIXED + "[None]"),
        ({"a": [[1]]}, ValueError, MIXED + "[[1]]"),
        ({"a": [{"b": 1}]}, ValueError, MIXED + "[{'b': 1}]"),
    ],
)
def test_validate_metadata_errors(metadata: Any, exc: type[Exception], message: str) -> None:
    with raises(exc, message):
        validate_metadata(metadata)


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ("x", "Expected metadata to be a dict or None, got <class 'str'>"),
        ({}, "Expected metadata to be a non-empty dict, got {}"),
        ({1: 1}, "Expected metadata key to be a str, got 1"),
        ({"a": (1,)}, VALUE + "(1,)"),
        ({"a": []}, "Expected metadata list value for key 'a' to be non-empty"),
    ],
)
def test_validate_update_metadata_errors(metadata: Any, message: str) -> None:
    with raises(ValueError, message):
        validate_update_metadata(metadata)


def test_validate_update_metadata_has_no_reserved_key_check() -> None:
    validate_update_metadata({"chroma:document": "x"})


def test_validate_metadatas() -> None:
    validate_metadatas([{"a": 1}, None])
    with raises(ValueError, "Expected metadatas to be a list, got {'a': 1}"):
        validate_metadatas({"a": 1})
    with raises(ValueError, "Expected metadata to be a non-empty dict, got 0 metadata attributes"):
        validate_metadatas([{"a": 1}, {}])


@pytest.mark.parametrize(
    ("metadata", "exc", "message"),
    [
        ({}, ValueError, "Expected metadata to be a non-empty dict, got 0 metadata attributes"),
        ("x", ValueError, "Expected metadata to be a dict or None, got str as metadata"),
        ({"hnsw:space": "l2"}, ValueError, "Changing the distance function of a collection once "
                                           "it is created is not supported currently."),
        ({1: 1, "hnsw:space": "l2"}, TypeError, "Expected metadata key to be a str, got 1 which "
                                                "is a int"),
        ({"hnsw:space": "l2", "a": (1,)}, ValueError, VALUE + "(1,) which is a tuple"),
    ],
)
def test_validate_collection_metadata_for_modify(
    metadata: Any, exc: type[Exception], message: str
) -> None:
    with raises(exc, message):
        validate_collection_metadata_for_modify(metadata)


def test_validate_collection_metadata_for_modify_passes() -> None:
    validate_collection_metadata_for_modify(None)
    validate_collection_metadata_for_modify({"hnsw:search_ef": 5, "a": "b"})


def test_serialize_and_deserialize_sparse_vectors() -> None:
    vector = SparseVector([1, 3], [0.5, 2.0], ["x", "y"])
    stored = serialize_metadata({"sv": vector, "a": 1})
    assert stored == {"sv": {"#type": "sparse_vector", "indices": [1, 3], "values": [0.5, 2.0],
                             "tokens": ["x", "y"]}, "a": 1}
    assert deserialize_metadata(stored) == {"sv": vector, "a": 1}
    assert serialize_metadata(None) is None
    assert deserialize_metadata(None) is None


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (2**63 - 1, 2**63 - 1),
        (-(2**63), -(2**63)),
        (2**63, 9.223372036854776e18),
        (-(2**63) - 1, -9.223372036854776e18),
        (True, True),
        ([1, 2**63], [1.0, 9.223372036854776e18]),  # one wide int turns the list into floats
        ([2**64], [1.8446744073709552e19]),
        ([1, 2], [1, 2]),
        ([True, False], [True, False]),
    ],
)
def test_serialize_widens_ints_beyond_int64(value: Any, stored: Any) -> None:
    result = serialize_metadata({"a": value})
    assert result == {"a": stored}
    assert type(result["a"]) is type(stored)


@pytest.mark.parametrize(
    ("metadata", "update", "message"),
    [
        ({"a": None}, False, "argument 'metadatas': Cannot convert Python object to MetadataValue"),
        ({"a": 10**400}, False,
         "argument 'metadatas': Cannot convert Python object to MetadataValue"),
        ({"a": 10**400}, True,
         "argument 'metadatas': Cannot convert Python object to UpdateMetadataValue"),
        ({"a": [1, 10**400]}, False, "argument 'metadatas': Cannot convert Python list to "
                                     "MetadataValue: mixed or unsupported element types"),
        ({"a": [10**400]}, True, "argument 'metadatas': Cannot convert Python list to "
                                 "UpdateMetadataValue: mixed or unsupported element types"),
    ],
)
def test_serialize_conversion_errors(metadata: Any, update: bool, message: str) -> None:
    with raises(TypeError, message):
        serialize_metadata(metadata, update=update)


def test_serialize_keeps_none_for_updates() -> None:
    assert serialize_metadata({"a": None, "b": float("inf")}, update=True) == {
        "a": None, "b": float("inf")}


# -- where / where_document / include / n_results ----------------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        {"a": 1}, {"a": "x"}, {"a": 1.5}, {"a": True}, {"a": {"$ne": "x"}}, {"a": {"$gt": 1}},
        {"a": {"$lte": 1.5}}, {"a": {"$in": [1, 2]}}, {"a": {"$nin": ["x"]}},
        {"a": {"$in": [1, True]}},  # passes Chroma's client check (first element's type)
        {"a": {"$gt": True}},  # also passes the client; the database rejects it
        {"a": {"$contains": 1}}, {"#document": {"$not_contains": "x"}},
        {"$and": [{"a": 1}, {"b": {"$eq": 2}}]},
        {"$or": [{"a": 1}, {"$and": [{"b": 1}, {"c": 1}]}]},
        {"$in": [1]},
    ],
)
def test_validate_where_accepts(where: Any) -> None:
    validate_where(where)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("x", "Expected where to be a dict, got x"),
        ({}, "Expected where to have exactly one operator, got {}"),
        ({"a": 1, "b": 2}, "Expected where to have exactly one operator, got {'a': 1, 'b': 2}"),
        ({1: 1}, "Expected where key to be a str, got 1"),
        ({"$contains": "a"}, "Expected where key to be a metadata field name or a logical "
                             "operator ($and, $or), got $contains"),
        ({"$not_contains": "a"}, "Expected where key to be a metadata field name or a logical "
                                 "operator ($and, $or), got $not_contains"),
        ({"a": None}, "Expected where value to be a str, int, float, or operator expression, "
                      "got None"),
        ({"a": [1]}, "Expected where value to be a str, int, float, or operator expression, "
                     "got [1]"),
        ({"$and": {"a": 1}}, "Expected where value for $and or $or to be a list of where "
                             "expressions, got {'a': 1}"),
        ({"$or": [{"a": 1}]}, "Expected where value for $and or $or to be a list with at least "
                              "two where expressions, got [{'a': 1}]"),
        ({"$and": []}, "Expected where value for $and or $or to be a list with at least two "
                       "where expressions, got []"),
        ({"$and": [{"a": 1}, 5]}, "Expected where to be a dict, got 5"),
        ({"a": {}}, "Expected operator expression to have exactly one operator, got {}"),
        ({"a": {"$gt": 1, "$lt": 2}}, "Expected operator expression to have exactly one "
                                      "operator, got {'$gt': 1, '$lt': 2}"),
        ({"a": {"$gte": "x"}}, "Expected operand value to be an int or a float for operator "
                               "$gte, got x"),
        ({"a": {"$in": 1}}, "Expected operand value to be an list for operator $in, got 1"),
        ({"#document": {"$contains": 1}}, "Expected operand value to be a str for operator "
                                          "$contains on #document, got 1"),
        ({"a": {"$not_contains": None}}, "Expected operand value to be a str, int, float, or "
                                         "bool for operator $not_contains, got None"),
        ({"a": {"$foo": 1}}, f"Expected where operator to be one of {WHERE_OPS}, got $foo"),
        ({"a": {"$regex": "x"}}, f"Expected where operator to be one of {WHERE_OPS}, got $regex"),
        ({"a": {"$eq": None}}, "Expected where operand value to be a str, int, float, bool, or "
                               "list of those type, got None"),
        ({"a": {"$in": []}}, "Expected where operand value to be a non-empty list, and all "
                             "values to be of the same type got []"),
        ({"a": {"$nin": [1.5, 2]}}, "Expected where operand value to be a non-empty list, and "
                                    "all values to be of the same type got [1.5, 2]"),
        ({"a": {"$in": [True, 1]}}, "Expected where operand value to be a non-empty list, and "
                                    "all values to be of the same type got [True, 1]"),
    ],
)
def test_validate_where_errors(where: Any, message: str) -> None:
    with raises(ValueError, message):
        validate_where(where)


@pytest.mark.parametrize(
    "where_document",
    [{"$contains": "x"}, {"$not_contains": "x"}, {"$regex": "a.*"}, {"$not_regex": "b"},
     {"$and": [{"$contains": "a"}, {"$or": [{"$regex": "b"}, {"$contains": "c"}]}]}],
)
def test_validate_where_document_accepts(where_document: Any) -> None:
    validate_where_document(where_document)


@pytest.mark.parametrize(
    ("where_document", "message"),
    [
        ("x", "Expected where document to be a dictionary, got x"),
        ({}, "Expected where document to have exactly one operator, got {}"),
        ({"$foo": "x"}, "Expected where document operator to be one of $contains, "
                        "$not_contains, $regex, $not_regex, $and, $or, got $foo"),
        ({"$and": "x"}, "Expected document value for $and or $or to be a list of where "
                        "document expressions, got x"),
        ({"$or": [{"$contains": "a"}]}, "Expected document value for $and or $or to be a list "
                                        "with at least two where document expressions, got "
                                        "[{'$contains': 'a'}]"),
        ({"$and": [{"$contains": "a"}, 5]}, "Expected where document to be a dictionary, got 5"),
        ({"$regex": 1}, "Expected where document operand value for operator $regex to be a str, "
                        "got 1"),
        ({"$contains": ""}, "Expected where document operand value for operator $contains to be "
                            "a non-empty str"),
    ],
)
def test_validate_where_document_errors(where_document: Any, message: str) -> None:
    with raises(ValueError, message):
        validate_where_document(where_document)


@pytest.mark.parametrize(
    ("include", "disallowed", "message"),
    [
        ("documents", None, "Expected include to be a list, got documents"),
        (("documents",), None, "Expected include to be a list, got ('documents',)"),
        ([1], None, "Expected include item to be a str, got 1"),
        (["foo"], None, "Expected include item to be one of documents, embeddings, metadatas, "
                        "distances, uris, data, got foo"),
        (["documents", "distances"], ["distances"],
         "Include item cannot be one of distances, got distances"),
    ],
)
def test_validate_include_errors(include: Any, disallowed: Any, message: str) -> None:
    with raises(ValueError, message):
        validate_include(include, disallowed)


def test_validate_include_accepts() -> None:
    validate_include([])
    validate_include(["documents", "embeddings", "metadatas", "distances", "uris", "data"])


@pytest.mark.parametrize(
    ("n", "exc", "message"),
    [
        (1.5, ValueError, "Expected requested number of results to be a int, got 1.5"),
        ("3", ValueError, "Expected requested number of results to be a int, got 3"),
        (None, ValueError, "Expected requested number of results to be a int, got None"),
        (np.int64(3), ValueError, "Expected requested number of results to be a int, got 3"),
        (0, TypeError, "Number of requested results 0, cannot be negative, or zero."),
        (-2, TypeError, "Number of requested results -2, cannot be negative, or zero."),
        (False, TypeError, "Number of requested results False, cannot be negative, or zero."),
    ],
)
def test_validate_n_results_errors(n: Any, exc: type[Exception], message: str) -> None:
    with raises(exc, message):
        validate_n_results(n)


def test_validate_n_results_accepts_true_as_one() -> None:
    assert validate_n_results(5) == 5
    assert validate_n_results(True) is True
