"""AsyncClientAPI and AsyncHttpClient: Chroma's async client, each call run on a worker thread."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from huedb.async_collection import AsyncCollection
from huedb.client import _DEFAULT_EF, ClientAPI, http_settings
from huedb.config import DEFAULT_DATABASE, DEFAULT_TENANT, Settings
from huedb.embeddings import EmbeddingFunction
from huedb.embeddings.base import DataLoader
from huedb.types import UserIdentity

# What Chroma's AsyncHttpClient puts in its settings; huedb's HTTP backend accepts it too.
_ASYNC_API_IMPL = "chromadb.api.async_fastapi.AsyncFastAPI"


class AsyncClientAPI:
    """The awaitable twin of `ClientAPI`; collections are `AsyncCollection`s."""

    def __init__(self, client: ClientAPI) -> None:
        self._sync = client

    @property
    def tenant(self) -> str:
        return self._sync.tenant

    @property
    def database(self) -> str:
        return self._sync.database

    def get_settings(self) -> Settings:
        return self._sync.get_settings()

    @staticmethod
    def clear_system_cache() -> None:
        """Close every database and server connection this process has open."""
        ClientAPI.clear_system_cache()

    async def heartbeat(self) -> int:
        return await asyncio.to_thread(self._sync.heartbeat)

    async def get_version(self) -> str:
        return await asyncio.to_thread(self._sync.get_version)

    async def get_max_batch_size(self) -> int:
        return await asyncio.to_thread(self._sync.get_max_batch_size)

    async def get_user_identity(self) -> UserIdentity:
        return await asyncio.to_thread(self._sync.get_user_identity)

    async def reset(self) -> bool:
        return await asyncio.to_thread(self._sync.reset)

    async def set_tenant(self, tenant: str, database: str = DEFAULT_DATABASE) -> None:
        await asyncio.to_thread(self._sync.set_tenant, tenant, database)

    async def set_database(self, database: str) -> None:
        await asyncio.to_thread(self._sync.set_database, database)

    async def list_collections(self, limit: int | None = None,
                               offset: int | None = None) -> list[AsyncCollection]:
        found = await asyncio.to_thread(self._sync.list_collections, limit, offset)
        return [AsyncCollection(c) for c in found]

    async def count_collections(self) -> int:
        return await asyncio.to_thread(self._sync.count_collections)

    # The collection methods spell out Chroma's parameters so positional calls work as there.
    async def create_collection(
        self, name: str, schema: Any = None, configuration: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        embedding_function: EmbeddingFunction[Any] | None = _DEFAULT_EF,
        data_loader: DataLoader[Any] | None = None, get_or_create: bool = False,
    ) -> AsyncCollection:
        return AsyncCollection(await asyncio.to_thread(
            self._sync.create_collection, name, schema, configuration, metadata,
            embedding_function, data_loader, get_or_create))

    async def get_collection(self, name: str,
                             embedding_function: EmbeddingFunction[Any] | None = _DEFAULT_EF,
                             data_loader: DataLoader[Any] | None = None) -> AsyncCollection:
        return AsyncCollection(await asyncio.to_thread(
            self._sync.get_collection, name, embedding_function, data_loader))

    async def get_collection_by_id(
        self, id: UUID, embedding_function: EmbeddingFunction[Any] | None = _DEFAULT_EF,
        data_loader: DataLoader[Any] | None = None,
    ) -> AsyncCollection:
        return AsyncCollection(await asyncio.to_thread(
            self._sync.get_collection_by_id, id, embedding_function, data_loader))

    async def get_or_create_collection(
        self, name: str, schema: Any = None, configuration: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        embedding_function: EmbeddingFunction[Any] | None = _DEFAULT_EF,
        data_loader: DataLoader[Any] | None = None,
    ) -> AsyncCollection:
        return AsyncCollection(await asyncio.to_thread(
            self._sync.get_or_create_collection, name, schema, configuration, metadata,
            embedding_function, data_loader))

    async def delete_collection(self, name: str) -> None:
        await asyncio.to_thread(self._sync.delete_collection, name)

    async def close(self) -> None:
        await asyncio.to_thread(self._sync.close)

    async def __aenter__(self) -> AsyncClientAPI:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def AsyncHttpClient(host: str = "localhost", port: int = 8000, ssl: bool = False,
                          headers: dict[str, str] | None = None,
                          settings: Settings | None = None, tenant: str = DEFAULT_TENANT,
                          database: str = DEFAULT_DATABASE) -> AsyncClientAPI:
    """An async client of a Chroma-compatible server; must be awaited, as in Chroma."""
    settings = http_settings(host, port, ssl, headers, settings).copy(
        chroma_api_impl=_ASYNC_API_IMPL)
    client = await asyncio.to_thread(ClientAPI, str(tenant), str(database), settings)
    return AsyncClientAPI(client)
