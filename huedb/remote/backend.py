"""HttpBackend: the Backend protocol over Chroma's HTTP API v2, on an injectable httpx.Client."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx
import numpy as np
from numpy.typing import NDArray

from huedb._backend import GetResponse, QueryResponse
from huedb._protocol import (
    API_PREFIX,
    batch_json,
    collection_from_json,
    database_from_json,
    get_response_from_json,
    query_response_from_json,
    vectors_json,
)
from huedb.config import DEFAULT_DATABASE, DEFAULT_TENANT
from huedb.errors import ChromaError, error_types
from huedb.types import CollectionModel, Database, Include, RecordBatch, Tenant, UserIdentity

_USER_AGENT = "huedb Python client (Chroma API v2)"
_SAFE_METHODS = frozenset({"GET", "HEAD"})
# Only requests that cannot have changed anything are retried, and only on connection trouble.
_RETRIES = 2


class HttpBackend:
    """Talks to a Chroma-compatible server; raises the error class the server names."""

    def __init__(self, http: httpx.Client, *, api_path: str = API_PREFIX,
                 owns_http: bool = True) -> None:
        self.http = http
        self.api_path = api_path.rstrip("/")
        self._owns_http = owns_http
        self._homes: dict[UUID, tuple[str, str]] = {}
        self._preflight: dict[str, Any] | None = None

    @classmethod
    def connect(cls, base_url: str, *, headers: dict[str, str] | None = None,
                api_path: str = API_PREFIX, verify: bool | str = True, timeout: float = 60.0,
                keepalive: float | None = 40.0, max_connections: int | None = None,
                max_keepalive: int | None = None) -> HttpBackend:
        """A backend with its own pooled connection to `base_url`."""
        limits = httpx.Limits(max_connections=max_connections,
                              max_keepalive_connections=max_keepalive,
                              keepalive_expiry=keepalive)
        http = httpx.Client(
            base_url=base_url, headers={"User-Agent": _USER_AGENT, **(headers or {})},
            timeout=httpx.Timeout(timeout, connect=10.0), verify=verify,
            transport=httpx.HTTPTransport(retries=_RETRIES, limits=limits, verify=verify),
        )
        return cls(http, api_path=api_path)

    # -- plumbing -------------------------------------------------------------------------------
    def _request(self, method: str, path: str, body: Any = None,
                 params: dict[str, Any] | None = None) -> Any:
        content = None if body is None else json.dumps(body, allow_nan=False)
        attempts = _RETRIES + 1 if method in _SAFE_METHODS else 1
        for attempt in range(attempts):
            try:
                response = self.http.request(
                    method, self.api_path + path, content=content, params=params,
                    headers={"Content-Type": "application/json"},
                )
                break
            except (httpx.RemoteProtocolError, httpx.ReadError):
                if attempt + 1 == attempts:
                    raise
                time.sleep(0.05 * (attempt + 1))
            except httpx.ConnectError as exc:
                raise ValueError(
                    "Could not connect to a Chroma server. Are you sure it is running?"
                ) from exc
        if response.is_success:
            return response.json() if response.content else None
        raise _error_from(response)

    def _scope(self, tenant: str, database: str) -> str:
        return f"/tenants/{quote(tenant, safe='')}/databases/{quote(database, safe='')}"

    def _collection_path(self, collection_id: UUID) -> str:
        tenant, database = self._homes.get(collection_id, (DEFAULT_TENANT, DEFAULT_DATABASE))
        return f"{self._scope(tenant, database)}/collections/{collection_id}"

    def _model(self, body: dict[str, Any]) -> CollectionModel:
        model = collection_from_json(body)
        self._homes[model.id] = (model.tenant, model.database)
        return model

    def _pre_flight(self) -> dict[str, Any]:
        if self._preflight is None:
            self._preflight = self._request("GET", "/pre-flight-checks")
        return self._preflight

    # -- system ---------------------------------------------------------------------------------
    def heartbeat(self) -> int:
        return int(self._request("GET", "/heartbeat")["nanosecond heartbeat"])

    def get_version(self) -> str:
        return str(self._request("GET", "/version"))

    def get_max_batch_size(self) -> int:
        return int(self._pre_flight()["max_batch_size"])

    def get_user_identity(self) -> UserIdentity:
        body = self._request("GET", "/auth/identity")
        return UserIdentity(user_id=body.get("user_id", ""), tenant=body.get("tenant"),
                            databases=body.get("databases"))

    def reset(self) -> bool:
        result = bool(self._request("POST", "/reset"))
        self._homes.clear()
        return result

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    # -- tenants and databases --------------------------------------------------------------------
    def create_tenant(self, name: str) -> None:
        self._request("POST", "/tenants", {"name": name})

    def get_tenant(self, name: str) -> Tenant:
        body = self._request("GET", f"/tenants/{quote(name, safe='')}")
        return Tenant(name=body["name"])

    def create_database(self, name: str, tenant: str) -> None:
        self._request("POST", f"/tenants/{quote(tenant, safe='')}/databases", {"name": name})

    def get_database(self, name: str, tenant: str) -> Database:
        return database_from_json(self._request("GET", self._scope(tenant, name)))

    def list_databases(self, limit: int | None, offset: int | None, tenant: str) -> list[Database]:
        body = self._request("GET", f"/tenants/{quote(tenant, safe='')}/databases",
                             params=_page(limit, offset))
        return [database_from_json(d) for d in body]

    def delete_database(self, name: str, tenant: str) -> None:
        self._request("DELETE", self._scope(tenant, name))

    # -- collections ------------------------------------------------------------------------------
    def create_collection(
        self, name: str, configuration: dict[str, Any] | None, metadata: dict[str, Any] | None,
        get_or_create: bool, tenant: str, database: str, schema: dict[str, Any] | None = None,
    ) -> CollectionModel:
        body = {"name": name, "metadata": metadata, "configuration": configuration,
                "schema": schema, "get_or_create": get_or_create}
        return self._model(self._request("POST", f"{self._scope(tenant, database)}/collections",
                                         body))

    def get_collection(self, name: str, tenant: str, database: str) -> CollectionModel:
        path = f"{self._scope(tenant, database)}/collections/{quote(name, safe='')}"
        return self._model(self._request("GET", path))

    def get_collection_by_id(self, collection_id: UUID) -> CollectionModel:
        tenant, database = self._homes.get(collection_id, (DEFAULT_TENANT, DEFAULT_DATABASE))
        path = f"{self._scope(tenant, database)}/collections/by-id/{collection_id}"
        return self._model(self._request("GET", path))

    def list_collections(self, limit: int | None, offset: int | None, tenant: str,
                         database: str) -> list[CollectionModel]:
        body = self._request("GET", f"{self._scope(tenant, database)}/collections",
                             params=_page(limit, offset))
        return [self._model(m) for m in body]

    def count_collections(self, tenant: str, database: str) -> int:
        return int(self._request("GET", f"{self._scope(tenant, database)}/collections_count"))

    def modify_collection(self, collection_id: UUID, new_name: str | None,
                          new_metadata: dict[str, Any] | None,
                          new_configuration: dict[str, Any] | None) -> None:
        body = {"new_name": new_name, "new_metadata": new_metadata,
                "new_configuration": new_configuration}
        self._request("PUT", self._collection_path(collection_id), body)

    def delete_collection(self, name: str, tenant: str, database: str) -> None:
        path = f"{self._scope(tenant, database)}/collections/{quote(name, safe='')}"
        self._request("DELETE", path)

    # -- records ----------------------------------------------------------------------------------
    def _write(self, op: str, collection_id: UUID, batch: RecordBatch) -> None:
        base64_vectors = bool(self._pre_flight().get("supports_base64_encoding"))
        self._request("POST", f"{self._collection_path(collection_id)}/{op}",
                      batch_json(batch, base64_vectors=base64_vectors))

    def add(self, collection_id: UUID, batch: RecordBatch) -> None:
        self._write("add", collection_id, batch)

    def upsert(self, collection_id: UUID, batch: RecordBatch) -> None:
        self._write("upsert", collection_id, batch)

    def update(self, collection_id: UUID, batch: RecordBatch) -> None:
        self._write("update", collection_id, batch)

    def count(self, collection_id: UUID) -> int:
        return int(self._request("GET", f"{self._collection_path(collection_id)}/count",
                                 params={"read_level": "index_and_wal"}))

    def get(self, collection_id: UUID, ids: list[str] | None, where: dict[str, Any] | None,
            where_document: dict[str, Any] | None, limit: int | None, offset: int | None,
            include: Include) -> GetResponse:
        body = {"ids": ids, "where": where, "where_document": where_document, "limit": limit,
                "offset": offset, "include": _wire_include(include)}
        found = self._request("POST", f"{self._collection_path(collection_id)}/get", body)
        response = get_response_from_json(found)
        response["included"] = list(include)
        return response

    def query(self, collection_id: UUID, query_embeddings: NDArray[np.float32], n_results: int,
              ids: list[str] | None, where: dict[str, Any] | None,
              where_document: dict[str, Any] | None, include: Include) -> QueryResponse:
        body = {"query_embeddings": vectors_json(np.atleast_2d(query_embeddings))
                if np.size(query_embeddings) else [],
                "n_results": n_results, "ids": ids, "where": where,
                "where_document": where_document, "include": _wire_include(include)}
        found = self._request("POST", f"{self._collection_path(collection_id)}/query", body)
        response = query_response_from_json(found)
        response["included"] = list(include)
        return response

    def delete(self, collection_id: UUID, ids: list[str] | None, where: dict[str, Any] | None,
               where_document: dict[str, Any] | None, limit: int | None) -> int:
        body: dict[str, Any] = {"ids": ids, "where": where, "where_document": where_document}
        if limit is not None:
            body["limit"] = limit
        found = self._request("POST", f"{self._collection_path(collection_id)}/delete", body)
        return int(found.get("deleted", 0)) if isinstance(found, dict) else 0


def _page(limit: int | None, offset: int | None) -> dict[str, Any]:
    return {k: v for k, v in (("limit", limit), ("offset", offset)) if v is not None}


def _wire_include(include: Include) -> list[str]:
    return [field for field in include if field != "data"]


def _error_from(response: httpx.Response) -> ChromaError:
    """The server's error JSON as the exception class it names (Chroma's `raise_chroma_error`)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "error" in body:
        cls = error_types.get(str(body["error"]), ChromaError)
        error = cls(str(body.get("message", "")))
    else:
        error = ChromaError(response.text or response.reason_phrase)
    error.status = response.status_code
    return error
