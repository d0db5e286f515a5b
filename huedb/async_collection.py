"""AsyncCollection: Chroma's async collection API, each call run on a worker thread."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from huedb.collection import Collection
from huedb.embeddings import EmbeddingFunction
from huedb.embeddings.base import DataLoader
from huedb.types import (
    CollectionModel,
    DeleteResult,
    GetResult,
    IndexingStatus,
    QueryResult,
    ReadLevel,
)


class AsyncCollection:
    """The awaitable twin of `Collection`; made by an `AsyncClientAPI`, never directly.

    Each method runs the synchronous `Collection` call in a worker thread, so embedding and
    HTTP round trips never block the event loop and both APIs behave identically.
    """

    def __init__(self, collection: Collection) -> None:
        self._sync = collection

    @property
    def id(self) -> UUID:
        return self._sync.id

    @property
    def name(self) -> str:
        return self._sync.name

    @property
    def metadata(self) -> dict[str, Any] | None:
        return self._sync.metadata

    @property
    def configuration_json(self) -> dict[str, Any]:
        return self._sync.configuration_json

    @property
    def configuration(self) -> dict[str, Any]:
        return self._sync.configuration

    @property
    def schema(self) -> dict[str, Any] | None:
        return self._sync.schema

    @property
    def tenant(self) -> str:
        return self._sync.tenant

    @property
    def database(self) -> str:
        return self._sync.database

    @property
    def embedding_function(self) -> EmbeddingFunction[Any] | None:
        return self._sync.embedding_function

    @property
    def data_loader(self) -> DataLoader[Any] | None:
        return self._sync.data_loader

    def get_model(self) -> CollectionModel:
        return self._sync.get_model()

    def __repr__(self) -> str:
        return repr(self._sync)  # Chroma's two collection classes share one repr

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AsyncCollection) and self._sync == other._sync

    __hash__ = None  # type: ignore[assignment]

    async def count(self, read_level: ReadLevel | str = ReadLevel.INDEX_AND_WAL) -> int:
        return await asyncio.to_thread(self._sync.count, read_level)

    async def add(self, ids: Any, embeddings: Any = None, metadatas: Any = None,
                  documents: Any = None, images: Any = None, uris: Any = None) -> None:
        await asyncio.to_thread(self._sync.add, ids, embeddings, metadatas, documents, images,
                                uris)

    async def upsert(self, ids: Any, embeddings: Any = None, metadatas: Any = None,
                     documents: Any = None, images: Any = None, uris: Any = None) -> None:
        await asyncio.to_thread(self._sync.upsert, ids, embeddings, metadatas, documents, images,
                                uris)

    async def update(self, ids: Any, embeddings: Any = None, metadatas: Any = None,
                     documents: Any = None, images: Any = None, uris: Any = None) -> None:
        await asyncio.to_thread(self._sync.update, ids, embeddings, metadatas, documents, images,
                                uris)

    async def get(self, ids: Any = None, where: Any = None, limit: Any = None,
                  offset: Any = None, where_document: Any = None,
                  include: Any = None) -> GetResult:
        kwargs: dict[str, Any] = {} if include is None else {"include": include}
        return await asyncio.to_thread(self._sync.get, ids, where, limit, offset,
                                       where_document, **kwargs)

    async def peek(self, limit: int = 10) -> GetResult:
        return await asyncio.to_thread(self._sync.peek, limit)

    async def query(self, query_embeddings: Any = None, query_texts: Any = None,
                    query_images: Any = None, query_uris: Any = None, ids: Any = None,
                    n_results: Any = 10, where: Any = None, where_document: Any = None,
                    include: Any = None) -> QueryResult:
        kwargs: dict[str, Any] = {} if include is None else {"include": include}
        return await asyncio.to_thread(
            self._sync.query, query_embeddings, query_texts, query_images, query_uris, ids,
            n_results, where, where_document, **kwargs)

    async def delete(self, ids: Any = None, where: Any = None, where_document: Any = None,
                     limit: Any = None) -> DeleteResult:
        return await asyncio.to_thread(self._sync.delete, ids, where, where_document, limit)

    async def modify(self, name: str | None = None, metadata: dict[str, Any] | None = None,
                     configuration: dict[str, Any] | None = None) -> None:
        await asyncio.to_thread(self._sync.modify, name, metadata, configuration)

    async def fork(self, new_name: str) -> AsyncCollection:
        return AsyncCollection(await asyncio.to_thread(self._sync.fork, new_name))

    async def fork_count(self) -> int:
        return await asyncio.to_thread(self._sync.fork_count)

    async def search(self, searches: Any, read_level: Any = None) -> Any:
        return await asyncio.to_thread(self._sync.search, searches, read_level)

    async def get_indexing_status(self) -> IndexingStatus:
        return await asyncio.to_thread(self._sync.get_indexing_status)
