"""Record routes on one collection: add, update, upsert, get, delete, count, query.

Each route's work is a plain function of the backend, the app's cache of collection homes, the
path and the validated body, answering with a status and the JSON bytes. The FastAPI routes
below call them, and so does `huedb.server.fast`, which serves the hot routes (add, upsert,
get, query, count) without FastAPI's per-request machinery; both therefore answer alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from numpy.typing import NDArray
from pydantic import BaseModel

from huedb._backend import Backend
from huedb._protocol import (
    WriteMode,
    batch_from_json,
    decode_embeddings,
    decode_queries,
    get_response_json,
    query_response_json,
)
from huedb.server.deps import (
    EMPTY,
    JSON,
    MEDIA_TYPE,
    Homes,
    backend,
    check_home_in,
    record_collection_id,
    render_json,
)
from huedb.server.models import (
    AddRecords,
    DeleteRecords,
    GetRecords,
    QueryRecords,
    UpdateRecords,
)
from huedb.types import RecordBatch

router = APIRouter(prefix="/api/v2/tenants/{tenant}/databases/{database}/collections",
                   tags=["records"])

Reply = tuple[int, bytes]
# (backend, homes, tenant, database, collection_id, body) -> (status, JSON bytes)
Operation = Callable[[Backend, Homes, str, str, str, Any], Reply]


def _collection(found: Backend, homes: Homes, tenant: str, database: str,
                collection_id: str) -> UUID:
    cid = record_collection_id(collection_id)
    check_home_in(found, homes, cid, tenant, database)
    return cid


def _vectors(rows: list[Any] | None, field: str) -> NDArray[np.float32] | None:
    """`decode_embeddings` for validated rows, in one numpy call when they are all lists.

    The body models have already made every number of a list row a float, so rows that are
    all lists of one length are exactly the matrix `decode_embeddings` would stack row by row
    (its per-number checks cost more than the rest of a request); anything else, base64 rows,
    nulls or ragged rows, goes to `decode_embeddings` for its own answer and wording.
    """
    if rows and type(rows[0]) is list:
        width = len(rows[0])
        if all(type(row) is list and len(row) == width for row in rows):
            with np.errstate(over="ignore"):
                matrix: NDArray[np.float32] = np.asarray(rows, dtype=np.float64).astype(
                    np.float32)
            return matrix
    return decode_embeddings(rows, field=field)


def _batch(body: AddRecords | UpdateRecords, mode: WriteMode) -> RecordBatch:
    # The validated fields as they are: `model_dump` would only copy every vector again.
    vectors = _vectors(body.embeddings, "embeddings")
    batch = batch_from_json({"ids": body.ids, "embeddings": None, "metadatas": body.metadatas,
                             "documents": body.documents, "uris": body.uris}, mode)
    batch.embeddings = vectors
    return batch


def _write(mode: WriteMode, status: int) -> Operation:
    def write(found: Backend, homes: Homes, tenant: str, database: str, collection_id: str,
              body: Any) -> Reply:
        cid = _collection(found, homes, tenant, database, collection_id)
        getattr(found, mode)(cid, _batch(body, mode))
        return status, EMPTY

    return write


do_add = _write("add", 201)
do_update = _write("update", 200)
do_upsert = _write("upsert", 200)


def do_get(found: Backend, homes: Homes, tenant: str, database: str, collection_id: str,
           body: GetRecords) -> Reply:
    cid = _collection(found, homes, tenant, database, collection_id)
    include: Any = [f for f in body.include if f != "distances"]
    records = found.get(cid, body.ids, body.where, body.where_document, body.limit,
                        body.offset, include)
    return 200, render_json(get_response_json(records))


def do_query(found: Backend, homes: Homes, tenant: str, database: str, collection_id: str,
             body: QueryRecords) -> Reply:
    cid = _collection(found, homes, tenant, database, collection_id)
    vectors = _vectors(body.query_embeddings, "query_embeddings")
    if vectors is None:  # as `decode_queries` answers no rows
        vectors = decode_queries(body.query_embeddings)
    results = found.query(cid, vectors, body.n_results, body.ids, body.where,
                          body.where_document, list(body.include))
    return 200, render_json(query_response_json(results))


def do_count(found: Backend, homes: Homes, tenant: str, database: str, collection_id: str,
             body: None = None) -> Reply:
    # Every committed write is visible at once, so each read level reads the same.
    cid = _collection(found, homes, tenant, database, collection_id)
    return 200, render_json(found.count(cid))


# What `huedb.server.fast` serves: operation name -> (HTTP method, body model, function).
FAST_ROUTES: dict[str, tuple[str, type[BaseModel] | None, Operation]] = {
    "add": ("POST", AddRecords, do_add),
    "upsert": ("POST", AddRecords, do_upsert),
    "get": ("POST", GetRecords, do_get),
    "query": ("POST", QueryRecords, do_query),
    "count": ("GET", None, do_count),
}


def _answer(request: Request, operation: Operation, tenant: str, database: str,
            collection_id: str, body: Any = None) -> Response:
    status, content = operation(backend(request), request.app.state.homes, tenant, database,
                                collection_id, body)
    return Response(content, status_code=status, media_type=MEDIA_TYPE)


@router.post("/{collection_id}/add", status_code=201)
def add(request: Request, tenant: str, database: str, collection_id: str,
        body: AddRecords) -> Response:
    return _answer(request, do_add, tenant, database, collection_id, body)


@router.post("/{collection_id}/update")
def update(request: Request, tenant: str, database: str, collection_id: str,
           body: UpdateRecords) -> Response:
    return _answer(request, do_update, tenant, database, collection_id, body)


@router.post("/{collection_id}/upsert")
def upsert(request: Request, tenant: str, database: str, collection_id: str,
           body: AddRecords) -> Response:
    return _answer(request, do_upsert, tenant, database, collection_id, body)


@router.post("/{collection_id}/get")
def get(request: Request, tenant: str, database: str, collection_id: str,
        body: GetRecords) -> Response:
    return _answer(request, do_get, tenant, database, collection_id, body)


@router.post("/{collection_id}/query")
def query(request: Request, tenant: str, database: str, collection_id: str,
          body: QueryRecords) -> Response:
    return _answer(request, do_query, tenant, database, collection_id, body)


@router.post("/{collection_id}/delete")
def delete(request: Request, tenant: str, database: str, collection_id: str,
           body: DeleteRecords) -> JSON:
    cid = _collection(backend(request), request.app.state.homes, tenant, database,
                      collection_id)
    deleted = backend(request).delete(cid, body.ids, body.where, body.where_document,
                                      body.limit)
    return JSON({"deleted": deleted})


@router.get("/{collection_id}/count")
def count(request: Request, tenant: str, database: str, collection_id: str,
          read_level: Annotated[str | None, Query()] = None) -> Response:
    return _answer(request, do_count, tenant, database, collection_id)
