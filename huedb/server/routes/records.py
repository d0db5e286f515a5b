"""Record routes on one collection: add, update, upsert, get, delete, count, query."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from huedb._protocol import (
    batch_from_json,
    decode_queries,
    get_response_json,
    query_response_json,
)
from huedb.server.deps import JSON, backend, check_home, empty, record_collection_id
from huedb.server.models import (
    AddRecords,
    DeleteRecords,
    GetRecords,
    QueryRecords,
    UpdateRecords,
)

router = APIRouter(prefix="/api/v2/tenants/{tenant}/databases/{database}/collections",
                   tags=["records"])


def _collection(request: Request, tenant: str, database: str, collection_id: str) -> Any:
    cid = record_collection_id(collection_id)
    check_home(request, cid, tenant, database)
    return cid


@router.post("/{collection_id}/add", status_code=201)
def add(request: Request, tenant: str, database: str, collection_id: str,
        body: AddRecords) -> Response:
    cid = _collection(request, tenant, database, collection_id)
    backend(request).add(cid, batch_from_json(body.model_dump(), "add"))
    return empty(201)


@router.post("/{collection_id}/update")
def update(request: Request, tenant: str, database: str, collection_id: str,
           body: UpdateRecords) -> Response:
    cid = _collection(request, tenant, database, collection_id)
    backend(request).update(cid, batch_from_json(body.model_dump(), "update"))
    return empty()


@router.post("/{collection_id}/upsert")
def upsert(request: Request, tenant: str, database: str, collection_id: str,
           body: AddRecords) -> Response:
    cid = _collection(request, tenant, database, collection_id)
    backend(request).upsert(cid, batch_from_json(body.model_dump(), "upsert"))
    return empty()


@router.post("/{collection_id}/get")
def get(request: Request, tenant: str, database: str, collection_id: str,
        body: GetRecords) -> JSON:
    cid = _collection(request, tenant, database, collection_id)
    include: Any = [f for f in body.include if f != "distances"]
    found = backend(request).get(cid, body.ids, body.where, body.where_document, body.limit,
                                 body.offset, include)
    return JSON(get_response_json(found))


@router.post("/{collection_id}/query")
def query(request: Request, tenant: str, database: str, collection_id: str,
          body: QueryRecords) -> JSON:
    cid = _collection(request, tenant, database, collection_id)
    vectors = decode_queries(body.query_embeddings)
    found = backend(request).query(cid, vectors, body.n_results, body.ids, body.where,
                                   body.where_document, list(body.include))
    return JSON(query_response_json(found))


@router.post("/{collection_id}/delete")
def delete(request: Request, tenant: str, database: str, collection_id: str,
           body: DeleteRecords) -> JSON:
    cid = _collection(request, tenant, database, collection_id)
    deleted = backend(request).delete(cid, body.ids, body.where, body.where_document,
                                      body.limit)
    return JSON({"deleted": deleted})


@router.get("/{collection_id}/count")
def count(request: Request, tenant: str, database: str, collection_id: str,
          read_level: Annotated[str | None, Query()] = None) -> JSON:
    # Every committed write is visible at once, so each read level reads the same.
    cid = _collection(request, tenant, database, collection_id)
    return JSON(backend(request).count(cid))
