"""Chroma's client-side argument checks: the same exception classes and the same messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from huedb.errors import DuplicateIDError
from huedb.types import SparseVector

RESERVED_DOCUMENT_KEY = "chroma:document"
TYPE_KEY = "#type"
SPARSE_VECTOR_TYPE = "sparse_vector"
INCLUDE_VALUES = ("documents", "embeddings", "metadatas", "distances", "uris", "data")

_ACCEPTED_DTYPES = (np.float16, np.float32, np.float64, np.int32, np.int64)
_WHERE_OPERATORS = ("$gt", "$gte", "$lt", "$lte", "$ne", "$eq", "$in", "$nin", "$contains",
                    "$not_contains")
_WHERE_DOCUMENT_OPERATORS = ("$contains", "$not_contains", "$regex", "$not_regex", "$and", "$or")
_SHAPE_ERROR = ("Expected embeddings to be a list of floats or ints, a list of lists, a numpy "
                "array, or a list of numpy arrays, got {}")
_METADATA_VALUE_ERROR = ("Expected metadata value to be a str, int, float, bool, SparseVector, "
                         "list, or None, got {}")
_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1


def maybe_cast_one_to_many(target: Any) -> list[Any] | None:
    """Chroma's OneOrMany: anything but a list (a tuple included) becomes a one-element list."""
    if target is None:
        return None
    if isinstance(target, list):
        return target
    return [target]


def _tname(value: object) -> str:
    return type(value).__name__


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _float32_row(row: Any) -> NDArray[np.float32]:
    # Values beyond float32 become inf here and are rejected later as non-finite, as in Chroma.
    with np.errstate(over="ignore"):
        return np.array(row, dtype=np.float32)


# -- embeddings, ids, documents, images ---------------------------------------------------------


def normalize_embeddings(embeddings: Any) -> list[NDArray[Any]] | None:
    """Turn every embedding form Chroma accepts into a list of numpy rows (not yet validated)."""
    if embeddings is None:
        return None
    if len(embeddings) == 0:
        raise ValueError(
            f"Expected Embeddings to be non-empty list or numpy array, got {embeddings}")
    if isinstance(embeddings, np.ndarray):
        if embeddings.ndim == 1:
            return [embeddings]
        if embeddings.ndim == 2:
            return list(embeddings)
    elif isinstance(embeddings, list):
        first = embeddings[0]
        if _is_number(first):
            return [_float32_row(embeddings)]
        if isinstance(first, np.ndarray):
            # Later items may not be arrays; validate_embeddings reports that.
            return cast("list[NDArray[Any]]", embeddings)
        # An empty first row raises IndexError here, exactly as Chroma does.
        if isinstance(first, list) and _is_number(first[0]):
            return [_float32_row(row) for row in embeddings]
    raise ValueError(_SHAPE_ERROR.format(embeddings))


def validate_embeddings(embeddings: Any) -> list[NDArray[Any]]:
    """Each embedding must be a non-empty numpy array of an accepted int or float dtype."""
    if not isinstance(embeddings, (list, np.ndarray)):
        raise ValueError(f"Expected embeddings to be a list, got {_tname(embeddings)}")
    if len(embeddings) == 0:
        raise ValueError("Expected embeddings to be a list with at least one item, "
                         f"got {len(embeddings)} embeddings")
    if not all(isinstance(e, np.ndarray) for e in embeddings):
        # Chroma lists a set here, so its order varies; a sorted list is stable.
        names = sorted({_tname(e) for e in embeddings})
        raise ValueError(
            f"Expected each embedding in the embeddings to be a numpy array, got {names}")
    for i, embedding in enumerate(embeddings):
        if embedding.ndim == 0:
            raise ValueError(
                f"Expected a 1-dimensional array, got a 0-dimensional array {embedding}")
        if embedding.size == 0:
            raise ValueError("Expected each embedding in the embeddings to be a 1-dimensional "
                             "numpy array with at least 1 int/float value. Got a 1-dimensional "
                             f"numpy array with no values at pos {i}")
        if embedding.dtype not in _ACCEPTED_DTYPES:
            raise ValueError("Expected each value in the embedding to be a int or float, got an "
                             f"embedding with {embedding.dtype} - {embedding}")
    return list(embeddings)


def validate_ids(ids: Any) -> list[str]:
    """Ids must be a non-empty list of unique strings."""
    if not isinstance(ids, list):
        raise ValueError(f"Expected IDs to be a list, got {_tname(ids)} as IDs")
    if len(ids) == 0:
        raise ValueError(f"Expected IDs to be a non-empty list, got {len(ids)} IDs")
    seen: set[str] = set()
    # A dict keeps duplicates in first-seen order; Chroma's set gives a run-dependent order.
    duplicates: dict[str, None] = {}
    for id_ in ids:
        if not isinstance(id_, str):
            raise ValueError(f"Expected ID to be a str, got {id_}")
        if id_ in seen:
            duplicates[id_] = None
        seen.add(id_)
    if duplicates:
        dups = list(duplicates)
        if len(dups) < 10:
            raise DuplicateIDError(
                f"Expected IDs to be unique, found duplicates of: {', '.join(dups)}")
        # Chroma samples the first eleven and prints the five at each end.
        sample = f"{', '.join(dups[:5])}, ..., {', '.join(dups[:11][-5:])}"
        raise DuplicateIDError(
            f"Expected IDs to be unique, found {len(dups)} duplicated IDs: {sample}")
    return ids


def validate_documents(documents: Any, nullable: bool = False) -> None:
    """Documents are strings; None is allowed only when embeddings are supplied."""
    if not isinstance(documents, list):
        raise ValueError(f"Expected documents to be a list, got {_tname(documents)}")
    if len(documents) == 0:
        raise ValueError(
            f"Expected documents to be a non-empty list, got {len(documents)} documents")
    for document in documents:
        if not isinstance(document, str) and not (document is None and nullable):
            raise ValueError(f"Expected document to be a str, got {document}")


def validate_images(images: Any) -> None:
    """Images are numpy arrays with at least two dimensions."""
    if not isinstance(images, list):
        raise ValueError(f"Expected images to be a list, got {_tname(images)}")
    if len(images) == 0:
        raise ValueError(f"Expected images to be a non-empty list, got {len(images)} images")
    for image in images:
        if not isinstance(image, np.ndarray) or image.ndim < 2:
            raise ValueError(f"Expected image to be a numpy array, got {image}")


def validate_batch_lengths(fields: Mapping[str, Sized | None]) -> None:
    """The given fields (in Chroma's order) must be non-empty and of one common length."""
    present = {name: len(value) for name, value in fields.items() if value is not None}
    if not present:
        raise ValueError(f"At least one of one of {', '.join(fields)} must be provided")
    empty = [name for name, length in present.items() if length == 0]
    if empty:
        raise ValueError(f"Non-empty lists are required for {empty}")
    if len(set(present.values())) > 1:
        listed = ", ".join(f"{name}: {length}" for name, length in present.items())
        raise ValueError(f"Unequal lengths for fields: {listed}")


# -- metadata -----------------------------------------------------------------------------------


def validate_sparse_vector(vector: SparseVector) -> None:
    """The checks Chroma's SparseVector runs on construction (huedb's dataclass runs none)."""
    indices, values, labels = vector.indices, vector.values, vector.labels
    for name, field in (("indices", indices), ("values", values), ("labels", labels)):
        if not isinstance(field, list) and not (name == "labels" and field is None):
            raise ValueError(f"Expected SparseVector {name} to be a list, got {_tname(field)}")
        if name == "values" and len(indices) != len(values):
            raise ValueError("SparseVector indices and values must have the same length, "
                             f"got {len(indices)} indices and {len(values)} values")
    if labels is not None and len(labels) != len(indices):
        raise ValueError("SparseVector labels must have the same length as indices and values, "
                         f"got {len(labels)} labels, {len(indices)} indices")
    for i, index in enumerate(indices):
        if not isinstance(index, int):
            raise ValueError(
                f"SparseVector indices must be integers, got {_tname(index)} at position {i}")
        if index < 0:
            raise ValueError(
                f"SparseVector indices must be non-negative, got {index} at position {i}")
    for i, value in enumerate(values):
        if not isinstance(value, (int, float)):
            raise ValueError(
                f"SparseVector values must be numbers, got {_tname(value)} at position {i}")
    for i in range(1, len(indices)):
        if indices[i] <= indices[i - 1]:
            raise ValueError("SparseVector indices must be sorted in strictly ascending order, "
                             f"found indices[{i}]={indices[i]} <= "
                             f"indices[{i - 1}]={indices[i - 1]}")


def normalize_metadata(metadata: Any) -> dict[str, Any] | None:
    """Copy one record's metadata, turning tagged sparse-vector dicts into SparseVector objects."""
    if metadata is None:
        return None
    normalized: dict[str, Any] = {}
    # `.items()` on a non-mapping raises AttributeError, which is what Chroma's users see.
    for key, value in metadata.items():
        if isinstance(value, dict) and value.get(TYPE_KEY) == SPARSE_VECTOR_TYPE:
            # Missing keys raise KeyError, as Chroma's SparseVector.from_dict does.
            value = SparseVector(value["indices"], value["values"], value.get("tokens"))
        if isinstance(value, SparseVector):
            validate_sparse_vector(value)
        normalized[key] = value
    return normalized


def normalize_metadatas(metadatas: Any) -> list[dict[str, Any] | None] | None:
    """OneOrMany-wrap the metadatas argument and normalise each entry."""
    unpacked = maybe_cast_one_to_many(metadatas)
    return None if unpacked is None else [normalize_metadata(m) for m in unpacked]


def _check_metadata_value(key: str, value: Any, describe: str) -> None:
    if isinstance(value, SparseVector):
        validate_sparse_vector(value)
    elif isinstance(value, list):
        if len(value) == 0:
            raise ValueError(f"Expected metadata list value for key '{key}' to be non-empty")
        # bool is an int subclass, so compare exact types: [1, 1.5] and [True, 1] are mixed.
        kinds = {type(item) for item in value}
        if len(kinds) > 1 or not kinds <= {str, int, float, bool}:
            raise ValueError(f"Expected metadata list value for key '{key}' to contain only str, "
                             "int, float, or bool and all elements must be the same type, "
                             f"got {value}")
    elif not isinstance(value, (str, int, float, bool)) and value is not None:
        raise ValueError(_METADATA_VALUE_ERROR.format(describe))


def validate_metadata(metadata: Any) -> Any:
    """Record metadata: a non-empty dict of str keys to scalars, lists, SparseVectors or None."""
    if not isinstance(metadata, dict) and metadata is not None:
        raise ValueError(
            f"Expected metadata to be a dict or None, got {_tname(metadata)} as metadata")
    if metadata is None:
        return metadata
    if len(metadata) == 0:
        raise ValueError(
            f"Expected metadata to be a non-empty dict, got {len(metadata)} metadata attributes")
    for key, value in metadata.items():
        if key == RESERVED_DOCUMENT_KEY:
            raise ValueError(
                f"Expected metadata to not contain the reserved key {RESERVED_DOCUMENT_KEY}")
        if not isinstance(key, str):
            raise TypeError(
                f"Expected metadata key to be a str, got {key} which is a {_tname(key)}")
        _check_metadata_value(key, value, f"{value} which is a {_tname(value)}")
    return metadata


def validate_update_metadata(metadata: Any) -> Any:
    """Chroma's differently worded check for update metadata (it has no reserved-key check)."""
    if not isinstance(metadata, dict) and metadata is not None:
        raise ValueError(f"Expected metadata to be a dict or None, got {type(metadata)}")
    if metadata is None:
        return metadata
    if len(metadata) == 0:
        raise ValueError(f"Expected metadata to be a non-empty dict, got {metadata}")
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise ValueError(f"Expected metadata key to be a str, got {key}")
        _check_metadata_value(key, value, f"{value}")
    return metadata


def validate_metadatas(metadatas: Any) -> Any:
    """A list of record metadatas, each a dict or None."""
    if not isinstance(metadatas, list):
        raise ValueError(f"Expected metadatas to be a list, got {metadatas}")
    for metadata in metadatas:
        validate_metadata(metadata)
    return metadatas


def validate_collection_metadata_for_modify(metadata: Any) -> None:
    """The client checks `modify` runs before it reaches the database (no method suffix)."""
    if metadata is None:
        return
    validate_metadata(metadata)
    if "hnsw:space" in metadata:
        raise ValueError("Changing the distance function of a collection once it is created is "
                         "not supported currently.")


def _widen_ints(values: list[Any], update: bool, *, is_list: bool) -> list[Any]:
    """Chroma stores integers beyond i64 as floats; a list with one such int becomes all floats."""
    if all(isinstance(v, bool) or not isinstance(v, int) or _I64_MIN <= v <= _I64_MAX
           for v in values):
        return values
    try:
        return [float(v) for v in values]
    except OverflowError:
        target = "UpdateMetadataValue" if update else "MetadataValue"
        what = f"list to {target}: mixed or unsupported element types" if is_list else (
            f"object to {target}")
        raise TypeError(f"argument 'metadatas': Cannot convert Python {what}") from None


def serialize_metadata(
    metadata: Mapping[str, Any] | None, *, update: bool = False
) -> dict[str, Any] | None:
    """Validated metadata in storage form: tagged dicts for SparseVectors, floats beyond i64.

    `update` is True for update and upsert, where None values (key deletions) are allowed.
    Raises TypeError with Chroma's conversion messages for None values when not updating and
    for integers too large even for a float.
    """
    if metadata is None:
        return None
    result: dict[str, Any] = {}
    for key, value in metadata.items():
        if isinstance(value, SparseVector):
            result[key] = value.to_dict()
        elif isinstance(value, list):
            result[key] = _widen_ints(list(value), update, is_list=True)
        elif isinstance(value, int):
            result[key] = _widen_ints([value], update, is_list=False)[0]
        elif value is None and not update:
            raise TypeError("argument 'metadatas': Cannot convert Python object to MetadataValue")
        else:
            result[key] = value
    return result


def deserialize_metadata(metadata: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Stored metadata back to user form: tagged sparse-vector dicts become SparseVectors."""
    if metadata is None:
        return None
    if dict not in map(type, metadata.values()):
        return dict(metadata)  # the common case, tested at C speed
    return {
        key: SparseVector.from_dict(value)
        if isinstance(value, dict) and value.get(TYPE_KEY) == SPARSE_VECTOR_TYPE else value
        for key, value in metadata.items()
    }


# -- filters, include, n_results ----------------------------------------------------------------


def validate_where(where: Any) -> None:
    """Chroma's client-side `where` grammar check (the database adds its own, stricter one)."""
    if not isinstance(where, dict):
        raise ValueError(f"Expected where to be a dict, got {where}")
    if len(where) != 1:
        raise ValueError(f"Expected where to have exactly one operator, got {where}")
    for key, value in where.items():
        if not isinstance(key, str):
            raise ValueError(f"Expected where key to be a str, got {key}")
        if key in ("$contains", "$not_contains"):
            raise ValueError("Expected where key to be a metadata field name or a logical "
                             f"operator ($and, $or), got {key}")
        if key not in ("$and", "$or", "$in", "$nin") and not isinstance(
            value, (str, int, float, dict)
        ):
            raise ValueError("Expected where value to be a str, int, float, or operator "
                             f"expression, got {value}")
        if key in ("$and", "$or"):
            if not isinstance(value, list):
                raise ValueError("Expected where value for $and or $or to be a list of where "
                                 f"expressions, got {value}")
            if len(value) <= 1:
                raise ValueError("Expected where value for $and or $or to be a list with at "
                                 f"least two where expressions, got {value}")
            for expression in value:
                validate_where(expression)
        if isinstance(value, dict):
            _validate_operator_expression(key, value)


def _validate_operator_expression(key: str, expression: dict[Any, Any]) -> None:
    if len(expression) != 1:
        raise ValueError(
            f"Expected operator expression to have exactly one operator, got {expression}")
    for operator, operand in expression.items():
        if operator in ("$gt", "$gte", "$lt", "$lte") and not isinstance(operand, (int, float)):
            raise ValueError("Expected operand value to be an int or a float for operator "
                             f"{operator}, got {operand}")
        if operator in ("$in", "$nin") and not isinstance(operand, list):
            raise ValueError(
                f"Expected operand value to be an list for operator {operator}, got {operand}")
        if operator in ("$contains", "$not_contains"):
            if key == "#document" and not isinstance(operand, str):
                raise ValueError(f"Expected operand value to be a str for operator {operator} "
                                 f"on #document, got {operand}")
            if not isinstance(operand, (str, int, float, bool)):
                raise ValueError("Expected operand value to be a str, int, float, or bool for "
                                 f"operator {operator}, got {operand}")
        if operator not in _WHERE_OPERATORS:
            raise ValueError(f"Expected where operator to be one of "
                             f"{', '.join(_WHERE_OPERATORS)}, got {operator}")
        if not isinstance(operand, (str, int, float, bool, list)):
            raise ValueError("Expected where operand value to be a str, int, float, bool, or "
                             f"list of those type, got {operand}")
        # Chroma compares against the first element's type, so [1, True] passes, [True, 1] not.
        if isinstance(operand, list) and (
            len(operand) == 0 or not all(isinstance(x, type(operand[0])) for x in operand)
        ):
            raise ValueError("Expected where operand value to be a non-empty list, and all "
                             f"values to be of the same type got {operand}")


def validate_where_document(where_document: Any) -> None:
    """Chroma's client-side `where_document` grammar check."""
    if not isinstance(where_document, dict):
        raise ValueError(f"Expected where document to be a dictionary, got {where_document}")
    if len(where_document) != 1:
        raise ValueError(
            f"Expected where document to have exactly one operator, got {where_document}")
    for operator, operand in where_document.items():
        if operator not in _WHERE_DOCUMENT_OPERATORS:
            raise ValueError("Expected where document operator to be one of "
                             f"{', '.join(_WHERE_DOCUMENT_OPERATORS)}, got {operator}")
        if operator in ("$and", "$or"):
            if not isinstance(operand, list):
                raise ValueError("Expected document value for $and or $or to be a list of where "
                                 f"document expressions, got {operand}")
            if len(operand) <= 1:
                raise ValueError("Expected document value for $and or $or to be a list with at "
                                 f"least two where document expressions, got {operand}")
            for expression in operand:
                validate_where_document(expression)
        elif not isinstance(operand, str):
            raise ValueError("Expected where document operand value for operator "
                             f"{operator} to be a str, got {operand}")
        elif len(operand) == 0:
            raise ValueError("Expected where document operand value for operator "
                             f"{operator} to be a non-empty str")


def validate_include(include: Any, disallowed: Sequence[str] | None = None) -> None:
    """`include` is a list of known field names, none of them in `disallowed`."""
    if not isinstance(include, list):
        raise ValueError(f"Expected include to be a list, got {include}")
    for item in include:
        if not isinstance(item, str):
            raise ValueError(f"Expected include item to be a str, got {item}")
        if item not in INCLUDE_VALUES:
            raise ValueError(
                f"Expected include item to be one of {', '.join(INCLUDE_VALUES)}, got {item}")
        if disallowed is not None and item in disallowed:
            raise ValueError(f"Include item cannot be one of {', '.join(disallowed)}, got {item}")


def validate_n_results(n_results: Any) -> int:
    """A positive int; bools pass because Chroma checks `isinstance(n, int)`."""
    if not isinstance(n_results, int):
        raise ValueError(f"Expected requested number of results to be a int, got {n_results}")
    if n_results <= 0:
        # Chroma raises TypeError here, not ValueError.
        raise TypeError(f"Number of requested results {n_results}, cannot be negative, or zero.")
    return n_results
