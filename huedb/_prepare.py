"""Turn a Collection method's raw arguments into a checked request, in Chroma's order and words.

Chroma checks a request in three stages, each failing differently, and this module keeps them
apart so that the first failing check and its exact text match Chroma's:

1. client-side normalisation, validation and embedding: every exception gets
   `" in {method}."` appended to its message (`_client_side`);
2. argument conversion in Chroma's Rust bindings: TypeError/OverflowError, no suffix;
3. the database's own batch checks (metadata keys, non-finite values, record counts,
   inconsistent dimensions): InvalidArgumentError, no suffix.

Checks that need the collection (its dimension, existing ids) and the empty-id check, which
Chroma runs after the dimension check, are the backend's.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from huedb._validation import (
    maybe_cast_one_to_many,
    normalize_embeddings,
    normalize_metadatas,
    serialize_metadata,
    validate_batch_lengths,
    validate_documents,
    validate_embeddings,
    validate_ids,
    validate_images,
    validate_include,
    validate_metadatas,
    validate_n_results,
    validate_where,
    validate_where_document,
)
from huedb.errors import InvalidArgumentError
from huedb.types import Include, RecordBatch, Where, WhereDocument

EmbedFn = Callable[[list[Any]], list[NDArray[Any]]]
LoadUrisFn = Callable[[list[str]], list[Any]]

_NO_LOADER = "You must set a data loader on the collection if loading from URIs."
_NO_EMBEDDING_FUNCTION = ("You must provide an embedding function to compute embeddings."
                          "https://docs.trychroma.com/guides/embeddings")
_C_LONG_MIN, _C_LONG_MAX = -(2**63), 2**63 - 1
_U32_MAX = 2**32 - 1
_PY_TPFLAGS_HEAPTYPE = 1 << 9


class GetRequest(NamedTuple):
    """A checked `get`; `include` gains "uris" when "data" is requested."""

    ids: list[str] | None
    where: Where | None
    where_document: WhereDocument | None
    limit: int | None
    offset: int
    include: Include


class QueryRequest(NamedTuple):
    """A checked `query`: one float32 row per query and `n_results` as a plain int."""

    embeddings: NDArray[np.float32]
    ids: list[str] | None
    n_results: int
    where: Where | None
    where_document: WhereDocument | None
    include: Include


class DeleteRequest(NamedTuple):
    """A checked `delete`."""

    ids: list[str] | None
    where: Where | None
    where_document: WhereDocument | None
    limit: int | None


@contextmanager
def _client_side(method: str) -> Iterator[None]:
    """Append " in {method}." to whatever is raised inside, keeping the exception's class."""
    try:
        yield
    except Exception as exc:
        # Chroma's validation_context rewrites only the first argument and leaves an exception
        # without arguments alone; str(exc) keeps KeyError's quotes and multi-arg tuples.
        if exc.args:
            exc.args = (f"{exc} in {method}.", *exc.args[1:])
        raise


# -- stage 2: what Chroma's Rust bindings reject while converting arguments ----------------------


def _type_name(value: object) -> str:
    """CPython's tp_name: bare for builtins and Python classes, dotted for C extension types."""
    kind = type(value)
    if kind.__module__ == "builtins" or kind.__flags__ & _PY_TPFLAGS_HEAPTYPE:
        return kind.__name__
    return f"{kind.__module__}.{kind.__qualname__}"


def _as_u32(name: str, value: Any) -> int:
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"argument '{name}': '{_type_name(value)}' object cannot be interpreted "
                        "as an integer") from None
    if not _C_LONG_MIN <= number <= _C_LONG_MAX:
        raise OverflowError("Python int too large to convert to C long")
    if not 0 <= number <= _U32_MAX:
        raise OverflowError("out of range integral type conversion attempted")
    return number


def _check_strings(name: str, values: list[Any], *, nullable: bool) -> None:
    for value in values:
        if not isinstance(value, str) and not (nullable and value is None):
            raise TypeError(f"argument '{name}': '{type(value).__name__}' object cannot be "
                            "converted to 'PyString'")


def _float32_rows(name: str, rows: list[NDArray[Any]]) -> list[NDArray[np.float32]]:
    """Nested rows fail as in the bindings; values beyond float32 become inf, as in Rust."""
    if any(row.ndim > 1 for row in rows):
        raise TypeError(
            f"argument '{name}': only 0-dimensional arrays can be converted to Python scalars")
    with np.errstate(over="ignore"):
        return [row.astype(np.float32) for row in rows]


# -- stage 3: the database's batch checks --------------------------------------------------------


def _validation_errors(
    metadatas: list[dict[str, Any] | None] | None, rows: list[NDArray[np.float32]] | None
) -> None:
    """The database validator reports both kinds of failure together, as Chroma does."""
    problems = []
    for i, metadata in enumerate(metadatas or []):
        if metadata and any(key == "" or key[0] in "#$" for key in metadata):
            problems.append(f"metadatas: Invalid metadata at index {i}")
            break
    if rows is not None and not all(np.isfinite(row).all() for row in rows):
        problems.append("embeddings: Embeddings must not contain NaN or Infinity values")
    if problems:
        raise InvalidArgumentError("Validation error: " + "\n".join(problems))


def _stack(rows: list[NDArray[np.float32]]) -> NDArray[np.float32]:
    if len({row.shape[0] for row in rows}) > 1:
        raise InvalidArgumentError("Inconsistent dimensions in provided embeddings")
    return np.stack(rows)


# -- stage 1 helpers ------------------------------------------------------------------------------


def _validate_inputs(vectors: list[Any] | None, docs: list[Any] | None,
                     imgs: list[Any] | None) -> None:
    if vectors is not None:
        validate_embeddings(vectors)
    if docs is not None:
        validate_documents(docs, nullable=vectors is not None)
    if imgs is not None:
        validate_images(imgs)


def _embed_one_field(
    fields: Mapping[str, list[Any] | None], embed: EmbedFn | None, load_uris: LoadUrisFn | None
) -> list[NDArray[Any]]:
    """Embed the single field that is present (uris through the data loader)."""
    # Chroma names these fields from a set, so its order changes between runs; ours is fixed.
    if sum(value is not None for value in fields.values()) != 1:
        raise ValueError(f"Exactly one of {', '.join(fields)} must be provided")
    name, inputs = next((k, v) for k, v in fields.items() if v is not None)
    if name == "uris":
        if load_uris is None:
            raise ValueError(_NO_LOADER)
        inputs = load_uris(inputs)
    if embed is None:
        raise ValueError(_NO_EMBEDDING_FUNCTION)
    produced = embed(inputs)
    if produced is None:
        # Chroma fails a bare `assert` here; say what went wrong instead.
        raise ValueError("Expected the embedding function to return embeddings, got None")
    # What Chroma's EmbeddingFunction wrapper does to every result.
    return validate_embeddings(normalize_embeddings(produced))


def _with_uris_for_data(include: Include) -> Include:
    # Data is loaded from the uris, so the backend must return them. Chroma appends to the
    # caller's list; we return a copy.
    if "data" in include and "uris" not in include:
        return [*include, "uris"]
    return list(include)


# -- public entry points --------------------------------------------------------------------------


def prepare_records(
    method: Literal["add", "upsert", "update"],
    ids: Any,
    embeddings: Any = None,
    metadatas: Any = None,
    documents: Any = None,
    images: Any = None,
    uris: Any = None,
    *,
    embed: EmbedFn | None = None,
    load_uris: LoadUrisFn | None = None,
) -> RecordBatch:
    """Check and normalise an add/upsert/update request, embedding documents when needed.

    Args:
        method: the Collection method; sets the error suffix and the per-method rules.
        ids, embeddings, metadatas, documents, images, uris: the caller's arguments, unchanged.
        embed: the collection's embedding function, or None when it has none.
        load_uris: the collection's data loader, or None when it has none.

    Returns:
        A RecordBatch with a 2-D float32 embedding matrix (None for an update that carries
        no embeddings and nothing to embed) and metadatas in storage form.

    Raises:
        Whatever Chroma raises for the same input, with the same class and message.
    """
    with _client_side(method):
        vectors = normalize_embeddings(embeddings)
        docs = maybe_cast_one_to_many(documents)
        imgs = maybe_cast_one_to_many(images)
        uri_list = maybe_cast_one_to_many(uris)
        id_list = maybe_cast_one_to_many(ids)
        mds = normalize_metadatas(metadatas)
        validate_batch_lengths({"ids": id_list, "metadatas": mds, "embeddings": vectors,
                                "documents": docs, "images": imgs, "uris": uri_list})
        _validate_inputs(vectors, docs, imgs)
        checked_ids = validate_ids(id_list)
        if mds is not None:
            validate_metadatas(mds)
        if vectors is None and method == "add":
            fields = {"uris": uri_list, "images": imgs, "documents": docs}
            vectors = _embed_one_field(fields, embed, load_uris)
        elif vectors is None and (method == "upsert" or docs is not None or imgs is not None):
            # Chroma sometimes embeds the uris here instead (set order); we always embed the
            # field it validated.
            vectors = _embed_one_field({"images": imgs, "documents": docs}, embed, load_uris)

    rows = None if vectors is None else _float32_rows("embeddings", vectors)
    stored = None if mds is None else [serialize_metadata(m, update=method != "add") for m in mds]
    if uri_list is not None:
        _check_strings("uris", uri_list, nullable=True)

    _validation_errors(stored, rows)
    if rows is not None and len(rows) != len(checked_ids):
        raise InvalidArgumentError(
            "Inconsistent number of IDs, embeddings, documents, URIs and metadatas")
    return RecordBatch(
        ids=list(checked_ids),
        embeddings=None if rows is None else _stack(rows),
        metadatas=stored,
        documents=None if docs is None else list(docs),
        uris=None if uri_list is None else list(uri_list),
    )


def prepare_get(
    ids: Any,
    where: Any,
    where_document: Any,
    limit: Any,
    offset: Any,
    include: Any,
    *,
    has_data_loader: bool = False,
) -> GetRequest:
    """Check a `get`. A negative or non-int limit/offset fails as in Chroma's bindings."""
    with _client_side("get"):
        id_list = maybe_cast_one_to_many(ids)
        if id_list is not None:
            validate_ids(id_list)
        if where is not None:
            validate_where(where)
        if where_document is not None:
            validate_where_document(where_document)
        validate_include(include, disallowed=["distances"])
        if "data" in include and not has_data_loader:
            raise ValueError(_NO_LOADER)
    checked_limit = None if limit is None else _as_u32("limit", limit)
    # Chroma sends `offset or 0`, so any falsy offset ("" included) means 0.
    checked_offset = _as_u32("offset", offset or 0)
    return GetRequest(id_list, where, where_document, checked_limit, checked_offset,
                      _with_uris_for_data(include))


def prepare_query(
    query_embeddings: Any,
    query_texts: Any,
    query_images: Any,
    query_uris: Any,
    ids: Any,
    n_results: Any,
    where: Any,
    where_document: Any,
    include: Any,
    *,
    embed_query: EmbedFn | None = None,
    load_uris: LoadUrisFn | None = None,
    has_data_loader: bool = False,
) -> QueryRequest:
    """Check a `query`, embedding texts, images or uris when no embeddings are given.

    `has_data_loader` changes nothing and is accepted for symmetry with `prepare_get`: Chroma's
    query allows include=["data"] without a loader, and uris are loaded through `load_uris`.

    Unlike Chroma, non-finite query embeddings and an embedding function that returns the
    wrong number of vectors raise InvalidArgumentError instead of giving odd results.
    """
    del has_data_loader
    with _client_side("query"):
        vectors = normalize_embeddings(query_embeddings)
        docs = maybe_cast_one_to_many(query_texts)
        imgs = maybe_cast_one_to_many(query_images)
        uri_list = maybe_cast_one_to_many(query_uris)
        filter_ids = maybe_cast_one_to_many(ids)
        validate_batch_lengths({"embeddings": vectors, "documents": docs, "images": imgs,
                                "uris": uri_list})
        _validate_inputs(vectors, docs, imgs)
        if where is not None:
            validate_where(where)
        if where_document is not None:
            validate_where_document(where_document)
        validate_include(include)
        validate_n_results(n_results)
        expected = None
        if vectors is None:
            fields = {"uris": uri_list, "images": imgs, "documents": docs}
            expected = max(len(v) for v in fields.values() if v is not None)
            vectors = _embed_one_field(fields, embed_query, load_uris)

    if filter_ids is not None:
        _check_strings("ids", filter_ids, nullable=False)
    rows = _float32_rows("query_embeddings", vectors)
    checked_n = _as_u32("n_results", n_results)
    if expected is not None and len(rows) != expected:
        raise InvalidArgumentError(
            f"Expected {expected} query embeddings from the embedding function, got {len(rows)}")
    if not all(np.isfinite(row).all() for row in rows):
        raise InvalidArgumentError("Validation error: query_embeddings: Query embeddings must not "
                                   "contain NaN or Infinity values")
    return QueryRequest(_stack(rows), filter_ids, checked_n, where, where_document,
                        _with_uris_for_data(include))


def prepare_delete(ids: Any, where: Any, where_document: Any, limit: Any) -> DeleteRequest:
    """Check a `delete`: at least one filter, and a limit only together with a where clause."""
    with _client_side("delete"):
        if ids is None and where is None and where_document is None:
            raise ValueError("At least one of ids, where, or where_document must be provided")
        if limit is not None:
            if not isinstance(limit, int) or isinstance(limit, bool):
                raise TypeError("limit must be a non-negative integer")
            if limit < 0:
                raise ValueError("limit must be a non-negative integer")
            if where is None and where_document is None:
                raise ValueError("limit can only be specified when a where or where_document "
                                 "clause is provided")
        id_list = maybe_cast_one_to_many(ids)
        if id_list is not None:
            validate_ids(id_list)
        if where is not None:
            validate_where(where)
        if where_document is not None:
            validate_where_document(where_document)
    checked_limit = None if limit is None else _as_u32("limit", limit)
    return DeleteRequest(id_list, where, where_document, checked_limit)
