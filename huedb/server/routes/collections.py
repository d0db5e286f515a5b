"""Collection routes. GET and DELETE `collections/{name}` take a name, PUT takes the id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from huedb._protocol import collection_json
from huedb.errors import ChromaError, InvalidArgumentError
from huedb.server.deps import JSON, backend, by_id_collection_id, check_home, empty
from huedb.server.models import CreateCollection, QueryU32, UpdateCollection

router = APIRouter(prefix="/api/v2/tenants/{tenant}/databases/{database}", tags=["collections"])
crn_router = APIRouter(prefix="/api/v2", tags=["collections"])


@router.get("/collections")
def list_collections(request: Request, tenant: str, database: str,
                     limit: Annotated[QueryU32 | None, Query()] = None,
                     offset: Annotated[QueryU32 | None, Query()] = None) -> JSON:
    found = backend(request).list_collections(limit, offset, tenant, database)
    return JSON([collection_json(m) for m in found])


@router.post("/collections")
def create_collection(request: Request, tenant: str, database: str,
                      body: CreateCollection) -> JSON:
    model = backend(request).create_collection(
        body.name, body.configuration, body.metadata, body.get_or_create, tenant, database,
        body.schema_,
    )
    return JSON(collection_json(model))


@router.get("/collections_count")
def count_collections(request: Request, tenant: str, database: str) -> JSON:
    return JSON(backend(request).count_collections(tenant, database))


@router.get("/collections/by-id/{collection_id}")
def get_collection_by_id(request: Request, tenant: str, database: str,
                         collection_id: str) -> JSON:
    cid = by_id_collection_id(collection_id)
    check_home(request, cid, tenant, database, records=False)
    return JSON(collection_json(backend(request).get_collection_by_id(cid)))


@router.get("/collections/{name}")
def get_collection(request: Request, tenant: str, database: str, name: str) -> JSON:
    return JSON(collection_json(backend(request).get_collection(name, tenant, database)))


@router.put("/collections/{collection_id}")
def update_collection(request: Request, tenant: str, database: str, collection_id: str,
                      body: UpdateCollection) -> Response:
    cid = by_id_collection_id(collection_id)
    check_home(request, cid, tenant, database, records=False)
    backend(request).modify_collection(cid, body.new_name, body.new_metadata,
                                       body.new_configuration)
    return empty()


@router.delete("/collections/{name}")
def delete_collection(request: Request, tenant: str, database: str, name: str) -> Response:
    backend(request).delete_collection(name, tenant, database)
    return empty()


@crn_router.get("/collections/{crn}")
def get_collection_by_crn(crn: str) -> JSON:
    parts = crn.split(":")
    if len(parts) != 3 or not all(parts):
        raise InvalidArgumentError("Invalid CRN format: expected tenant:database:collection")
    error = ChromaError("Collection lookup by CRN is not supported on a single-node server")
    error.status = 501
    raise error
