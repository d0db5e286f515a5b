"""The one seam between the public API and storage: the `Backend` protocol.

`engine.LocalBackend` (SQLite in this process) and the HTTP client backend implement it. `Client`
and `Collection` talk only to this protocol, so every public behaviour is the same whichever
backend serves it. Inputs arrive validated and normalised by the caller; a backend still checks
what a database must check for any caller (names, dimensions, ids, filters), because an HTTP
server hands it raw client input.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from huedb.types import CollectionModel, Database, Include, RecordBatch, Tenant, UserIdentity


class GetResponse(dict[str, Any]):
    """Columnar records: ids, embeddings (list of float32 arrays), documents, uris, metadatas."""


class QueryResponse(dict[str, Any]):
    """Per-query columnar records plus distances."""


class Backend(Protocol):
    """Everything a client can ask of a database."""

    # -- system --------------------------------------------------------------------------
    def heartbeat(self) -> int: ...
    def get_version(self) -> str: ...
    def get_max_batch_size(self) -> int: ...
    def reset(self) -> bool: ...
    def close(self) -> None: ...

    # -- tenants and databases --------------------------------------------------------------
    def create_tenant(self, name: str) -> None: ...
    def get_tenant(self, name: str) -> Tenant: ...
    def create_database(self, name: str, tenant: str) -> None: ...
    def get_database(self, name: str, tenant: str) -> Database: ...
    def list_databases(
        self, limit: int | None, offset: int | None, tenant: str
    ) -> list[Database]: ...
    def delete_database(self, name: str, tenant: str) -> None: ...

    # -- collections -------------------------------------------------------------------------
    def create_collection(
        self,
        name: str,
        configuration: dict[str, Any] | None,
        metadata: dict[str, Any] | None,
        get_or_create: bool,
        tenant: str,
        database: str,
        schema: dict[str, Any] | None = None,
    ) -> CollectionModel: ...
    def get_collection(self, name: str, tenant: str, database: str) -> CollectionModel: ...
    def get_collection_by_id(self, collection_id: UUID) -> CollectionModel: ...
    def list_collections(
        self, limit: int | None, offset: int | None, tenant: str, database: str
    ) -> list[CollectionModel]: ...
    def count_collections(self, tenant: str, database: str) -> int: ...
    def modify_collection(
        self,
        collection_id: UUID,
        new_name: str | None,
        new_metadata: dict[str, Any] | None,
        new_configuration: dict[str, Any] | None,
    ) -> None: ...
    def delete_collection(self, name: str, tenant: str, database: str) -> None: ...

    # -- records -------------------------------------------------------------------------------
    def add(self, collection_id: UUID, batch: RecordBatch) -> None: ...
    def upsert(self, collection_id: UUID, batch: RecordBatch) -> None: ...
    def update(self, collection_id: UUID, batch: RecordBatch) -> None: ...
    def count(self, collection_id: UUID) -> int: ...
    def get(
        self,
        collection_id: UUID,
        ids: list[str] | None,
        where: dict[str, Any] | None,
        where_document: dict[str, Any] | None,
        limit: int | None,
        offset: int | None,
        include: Include,
    ) -> GetResponse: ...
    def query(
        self,
        collection_id: UUID,
        query_embeddings: NDArray[np.float32],
        n_results: int,
        ids: list[str] | None,
        where: dict[str, Any] | None,
        where_document: dict[str, Any] | None,
        include: Include,
    ) -> QueryResponse: ...
    def delete(
        self,
        collection_id: UUID,
        ids: list[str] | None,
        where: dict[str, Any] | None,
        where_document: dict[str, Any] | None,
        limit: int | None,
    ) -> int: ...


@runtime_checkable
class IdentityBackend(Protocol):
    """A backend that knows who the caller is (a server with authentication)."""

    def get_user_identity(self) -> UserIdentity: ...
