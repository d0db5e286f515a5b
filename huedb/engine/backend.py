"""LocalBackend: the embedded database, implementing the Backend protocol over SQLite."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from huedb._backend import GetResponse, QueryResponse
from huedb._version import CHROMA_API_VERSION
from huedb.config import Settings
from huedb.engine import catalog, queries, writes
from huedb.engine.store import Store
from huedb.errors import AuthorizationError, NotFoundError
from huedb.types import CollectionModel, Database, Include, RecordBatch, Tenant

# Chroma's local limit is 5461 (SQLite's variable cap / 6); huedb chunks internally, so this
# number only tells clients how much to send per request.
MAX_BATCH_SIZE = 100_000


class LocalBackend:
    """One database file (or one in-memory database) serving every client in this process."""

    def __init__(self, path: Path | None, settings: Settings) -> None:
        self.path = path
        self.settings = settings
        self.store = Store(path, settings.sqlite_synchronous, settings.busy_timeout_seconds)
        self.cache = queries.VectorCache(path)

    # -- system ---------------------------------------------------------------------------------
    def heartbeat(self) -> int:
        return time.time_ns()

    def get_version(self) -> str:
        return CHROMA_API_VERSION

    def get_max_batch_size(self) -> int:
        return MAX_BATCH_SIZE

    def reset(self) -> bool:
        if not self.settings.allow_reset:
            raise AuthorizationError("Reset is disabled by config")
        with self.store.atomic() as conn:
            for table in ("record_metadata", "vectors", "records", "tombstones", "collections",
                          "databases", "tenants"):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("INSERT INTO records_fts (records_fts) VALUES ('delete-all')")
            conn.execute("INSERT INTO tenants (name) VALUES ('default_tenant')")
            conn.execute(
                "INSERT INTO databases (id, name, tenant) VALUES "
                "('00000000-0000-0000-0000-000000000000', 'default_database', 'default_tenant')"
            )
        self.cache.purge()
        return True

    def close(self) -> None:
        # A graph build still running is abandoned, not awaited: closing stays instant, the
        # saved index keeps the last built graph plus the rows searched exactly beside it, and
        # the next open resumes the build in the background.
        self.cache.close(cancel=True)
        self.store.close()

    # -- tenants and databases ------------------------------------------------------------
    def create_tenant(self, name: str) -> None:
        catalog.create_tenant(self.store, name)

    def get_tenant(self, name: str) -> Tenant:
        return catalog.get_tenant(self.store, name)

    def create_database(self, name: str, tenant: str) -> None:
        catalog.create_database(self.store, name, tenant)

    def get_database(self, name: str, tenant: str) -> Database:
        return catalog.get_database(self.store, name, tenant)

    def list_databases(self, limit: int | None, offset: int | None, tenant: str) -> list[Database]:
        return catalog.list_databases(self.store, limit, offset, tenant)

    def delete_database(self, name: str, tenant: str) -> None:
        for pk in catalog.delete_database(self.store, name, tenant):
            self.cache.drop(pk)

    # -- collections ------------------------------------------------------------------------------
    def create_collection(
        self, name: str, configuration: dict[str, Any] | None, metadata: dict[str, Any] | None,
        get_or_create: bool, tenant: str, database: str, schema: dict[str, Any] | None = None,
    ) -> CollectionModel:
        return catalog.create_collection(self.store, name, configuration, metadata,
                                         get_or_create, tenant, database, schema)

    def get_collection(self, name: str, tenant: str, database: str) -> CollectionModel:
        return catalog.get_collection(self.store, name, tenant, database)

    def get_collection_by_id(self, collection_id: UUID) -> CollectionModel:
        with self.store.snapshot() as conn:
            found = catalog.find_collection(conn, collection_id)
        if found is None:
            raise NotFoundError(f"Collection [{collection_id}] does not exist")
        return found.model

    def list_collections(self, limit: int | None, offset: int | None, tenant: str,
                         database: str) -> list[CollectionModel]:
        return catalog.list_collections(self.store, limit, offset, tenant, database)

    def count_collections(self, tenant: str, database: str) -> int:
        return catalog.count_collections(self.store, tenant, database)

    def modify_collection(self, collection_id: UUID, new_name: str | None,
                          new_metadata: dict[str, Any] | None,
                          new_configuration: dict[str, Any] | None) -> None:
        catalog.modify_collection(self.store, collection_id, new_name, new_metadata,
                                  new_configuration)

    def delete_collection(self, name: str, tenant: str, database: str) -> None:
        self.cache.drop(catalog.delete_collection(self.store, name, tenant, database))

    # -- records --------------------------------------------------------------------------
    def add(self, collection_id: UUID, batch: RecordBatch) -> None:
        writes.write(self.store, collection_id, batch, "add")

    def upsert(self, collection_id: UUID, batch: RecordBatch) -> None:
        writes.write(self.store, collection_id, batch, "upsert")

    def update(self, collection_id: UUID, batch: RecordBatch) -> None:
        writes.write(self.store, collection_id, batch, "update")

    def count(self, collection_id: UUID) -> int:
        return queries.count(self.store, collection_id)

    def get(self, collection_id: UUID, ids: list[str] | None, where: dict[str, Any] | None,
            where_document: dict[str, Any] | None, limit: int | None, offset: int | None,
            include: Include) -> GetResponse:
        return queries.get(self.store, collection_id, ids, where, where_document, limit, offset,
                           include)

    def scan(self, collection_id: UUID, after: int, limit: int,
             include: Include) -> tuple[GetResponse, int]:
        """A page of records after row id `after`, and the row id to continue from."""
        return queries.scan(self.store, collection_id, after, limit, include)

    def query(self, collection_id: UUID, query_embeddings: NDArray[np.float32], n_results: int,
              ids: list[str] | None, where: dict[str, Any] | None,
              where_document: dict[str, Any] | None, include: Include) -> QueryResponse:
        return queries.query(self.store, self.cache, collection_id, query_embeddings, n_results,
                             ids, where, where_document, include)

    def delete(self, collection_id: UUID, ids: list[str] | None, where: dict[str, Any] | None,
               where_document: dict[str, Any] | None, limit: int | None) -> int:
        return writes.delete(self.store, collection_id, ids, where, where_document, limit)
