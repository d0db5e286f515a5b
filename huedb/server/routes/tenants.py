"""Tenant and database routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from huedb._protocol import database_json
from huedb.server.deps import JSON, backend, empty
from huedb.server.models import CreateDatabase, CreateTenant, QueryU32, UpdateTenant

router = APIRouter(prefix="/api/v2/tenants", tags=["tenants"])


@router.post("")
def create_tenant(request: Request, body: CreateTenant) -> Response:
    backend(request).create_tenant(body.name)
    return empty()


@router.get("/{tenant}")
def get_tenant(request: Request, tenant: str) -> JSON:
    found = backend(request).get_tenant(tenant)
    return JSON({"name": found["name"], "resource_name": None})


@router.patch("/{tenant}")
def update_tenant(request: Request, tenant: str, body: UpdateTenant) -> Response:
    # huedb keeps no resource names (a Cloud notion); the tenant must exist all the same.
    backend(request).get_tenant(tenant)
    return empty()


@router.get("/{tenant}/databases")
def list_databases(request: Request, tenant: str, limit: Annotated[QueryU32 | None, Query()] = None,
                   offset: Annotated[QueryU32 | None, Query()] = None) -> JSON:
    found = backend(request).list_databases(limit, offset, tenant)
    return JSON([database_json(d) for d in found])


@router.post("/{tenant}/databases")
def create_database(request: Request, tenant: str, body: CreateDatabase) -> Response:
    backend(request).create_database(body.name, tenant)
    return empty()


@router.get("/{tenant}/databases/{database}")
def get_database(request: Request, tenant: str, database: str) -> JSON:
    return JSON(database_json(backend(request).get_database(database, tenant)))


@router.delete("/{tenant}/databases/{database}")
def delete_database(request: Request, tenant: str, database: str) -> Response:
    backend(request).delete_database(database, tenant)
    return empty()
