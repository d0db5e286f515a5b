"""Collection: Chroma's collection API over any Backend; normalises, embeds and shapes results."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

import numpy as np

from huedb import _prepare
from huedb._backend import Backend
from huedb._validation import deserialize_metadata, validate_collection_metadata_for_modify
from huedb.collection_config import update_configuration_json
from huedb.embeddings import DefaultEmbeddingFunction, EmbeddingFunction
from huedb.embeddings.base import DataLoader, validate_embedding_function
from huedb.embeddings.registry import check_config_update, embedding_function_from_config
from huedb.types import (
    CollectionModel,
    DeleteResult,
    GetResult,
    Include,
    IndexingStatus,
    QueryResult,
    ReadLevel,
)

_GET_INCLUDE = ("metadatas", "documents")
_QUERY_INCLUDE = ("metadatas", "documents", "distances")


class Collection:
    """A named set of records with embeddings, documents, uris and metadata.

    Created by a client (`create_collection`, `get_collection`, ...), never directly.
    """

    def __init__(
        self,
        backend: Backend,
        model: CollectionModel,
        embedding_function: EmbeddingFunction[Any] | None = None,
        data_loader: DataLoader[Any] | None = None,
    ) -> None:
        if embedding_function is not None:
            validate_embedding_function(embedding_function)
        self._backend = backend
        self._model = model
        self._embedding_function = embedding_function
        self._data_loader = data_loader
        self._persisted_ef: EmbeddingFunction[Any] | None = None

    # -- properties ------------------------------------------------------------------------------
    @property
    def id(self) -> UUID:
        return self._model.id

    @property
    def name(self) -> str:
        return self._model.name

    @property
    def metadata(self) -> dict[str, Any] | None:
        return self._model.metadata

    @property
    def configuration_json(self) -> dict[str, Any]:
        return self._model.configuration_json

    @property
    def configuration(self) -> dict[str, Any]:
        """The configuration with the embedding function rebuilt as an instance."""
        raw = self._model.configuration_json
        ef_config = raw.get("embedding_function")
        ef = None
        if isinstance(ef_config, dict) and ef_config.get("type") == "known":
            try:
                ef = embedding_function_from_config(ef_config)
            except ValueError:
                ef = None
        return {"hnsw": raw.get("hnsw"), "spann": raw.get("spann"), "embedding_function": ef}

    @property
    def schema(self) -> dict[str, Any] | None:
        return self._model.serialized_schema

    @property
    def tenant(self) -> str:
        return self._model.tenant

    @property
    def database(self) -> str:
        return self._model.database

    @property
    def embedding_function(self) -> EmbeddingFunction[Any] | None:
        return self._embedding_function

    @property
    def data_loader(self) -> DataLoader[Any] | None:
        return self._data_loader

    def get_model(self) -> CollectionModel:
        return self._model

    def __repr__(self) -> str:
        return f"Collection(name={self.name})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Collection):
            return False
        return (self.id, self.name, self.configuration_json, self.metadata, self.tenant,
                self.database, self._embedding_function, self._data_loader) == (
            other.id, other.name, other.configuration_json, other.metadata, other.tenant,
            other.database, other._embedding_function, other._data_loader)

    __hash__ = None  # type: ignore[assignment]

    # -- records ---------------------------------------------------------------------------------
    def count(self, read_level: ReadLevel | str = ReadLevel.INDEX_AND_WAL) -> int:
        """The number of records in the collection."""
        return self._backend.count(self.id)

    def add(self, ids: Any, embeddings: Any = None, metadatas: Any = None, documents: Any = None,
            images: Any = None, uris: Any = None) -> None:
        """Add records; ids that already exist are left as they are (as in Chroma)."""
        batch = _prepare.prepare_records("add", ids, embeddings, metadatas, documents, images,
                                         uris, embed=self._embed, load_uris=self._load_uris)
        self._backend.add(self.id, batch)

    def upsert(self, ids: Any, embeddings: Any = None, metadatas: Any = None,
               documents: Any = None, images: Any = None, uris: Any = None) -> None:
        """Add new records and update existing ones, merging metadata."""
        batch = _prepare.prepare_records("upsert", ids, embeddings, metadatas, documents, images,
                                         uris, embed=self._embed, load_uris=self._load_uris)
        self._backend.upsert(self.id, batch)

    def update(self, ids: Any, embeddings: Any = None, metadatas: Any = None,
               documents: Any = None, images: Any = None, uris: Any = None) -> None:
        """Update existing records (unknown ids are ignored), merging metadata."""
        batch = _prepare.prepare_records("update", ids, embeddings, metadatas, documents, images,
                                         uris, embed=self._embed, load_uris=self._load_uris)
        self._backend.update(self.id, batch)

    def get(self, ids: Any = None, where: Any = None, limit: Any = None, offset: Any = None,
            where_document: Any = None,
            include: Any = _GET_INCLUDE) -> GetResult:
        """Records by id and/or filter, in storage order."""
        request = _prepare.prepare_get(ids, where, where_document, limit, offset,
                                       _listed(include),
                                       has_data_loader=self._data_loader is not None)
        response = self._backend.get(self.id, request.ids, request.where,
                                     request.where_document, request.limit, request.offset,
                                     _stored_fields(request.include))
        return self._shape_get(response, request.include)

    def peek(self, limit: int = 10) -> GetResult:
        """The first `limit` records, with embeddings."""
        return self.get(limit=limit, include=["metadatas", "documents", "embeddings"])

    def query(self, query_embeddings: Any = None, query_texts: Any = None,
              query_images: Any = None, query_uris: Any = None, ids: Any = None,
              n_results: Any = 10, where: Any = None, where_document: Any = None,
              include: Any = _QUERY_INCLUDE) -> QueryResult:
        """The nearest records to each query, nearest first."""
        request = _prepare.prepare_query(
            query_embeddings, query_texts, query_images, query_uris, ids, n_results, where,
            where_document, _listed(include), embed_query=self._embed_query,
            load_uris=self._load_uris, has_data_loader=self._data_loader is not None,
        )
        response = self._backend.query(self.id, request.embeddings, request.n_results,
                                       request.ids, request.where, request.where_document,
                                       _stored_fields(request.include))
        return self._shape_query(response, request.include)

    def delete(self, ids: Any = None, where: Any = None, where_document: Any = None,
               limit: Any = None) -> DeleteResult:
        """Delete records by id and/or filter; returns how many were deleted."""
        request = _prepare.prepare_delete(ids, where, where_document, limit)
        deleted = self._backend.delete(self.id, request.ids, request.where,
                                       request.where_document, request.limit)
        return {"deleted": deleted}

    # -- the collection itself --------------------------------------------------------------------
    def modify(self, name: str | None = None, metadata: dict[str, Any] | None = None,
               configuration: dict[str, Any] | None = None) -> None:
        """Rename, replace metadata (not merged) or tune the configuration."""
        if metadata is not None:
            validate_collection_metadata_for_modify(metadata)
        wire_config = None
        if configuration is not None:
            hnsw_collection = self.configuration_json.get("spann") is None
            if configuration.get("spann") is not None and hnsw_collection:
                raise ValueError("Trying to update SPANN config but schema has HNSW")
            self._check_ef_update(configuration.get("embedding_function"))
            wire_config = update_configuration_json(configuration)
        self._backend.modify_collection(self.id, name, metadata, wire_config)
        self._model = self._backend.get_collection_by_id(self.id)

    def _check_ef_update(self, new_ef: EmbeddingFunction[Any] | None) -> None:
        """Refuse an EF of another kind before anything is stored (Chroma stores, then raises)."""
        stored = self._model.configuration_json.get("embedding_function")
        if new_ef is None or not isinstance(stored, dict) or stored.get("type") != "known":
            return
        check_config_update(stored, new_ef)

    def fork(self, new_name: str) -> Collection:
        raise NotImplementedError("Collection forking is not implemented for Local Chroma")

    def fork_count(self) -> int:
        raise NotImplementedError("Fork count is not implemented for Local Chroma")

    def search(self, searches: Any, read_level: Any = None) -> Any:
        raise NotImplementedError("Search is not implemented for Local Chroma")

    def get_indexing_status(self) -> IndexingStatus:
        # Every committed write is searchable immediately: nothing is ever waiting to be indexed.
        total = self.count()
        return IndexingStatus(num_indexed_ops=total, num_unindexed_ops=0, total_ops=total,
                              op_indexing_progress=1.0)

    # -- embedding --------------------------------------------------------------------------------
    def _active_ef(self) -> EmbeddingFunction[Any]:
        """Chroma's order: an explicit non-default EF, else the persisted one, else the default."""
        ef = self._embedding_function
        if ef is not None and not isinstance(ef, DefaultEmbeddingFunction):
            return ef
        if self._persisted_ef is None:
            stored = self._model.configuration_json.get("embedding_function")
            if isinstance(stored, dict) and stored.get("type") == "known":
                self._persisted_ef = embedding_function_from_config(stored)
        if self._persisted_ef is not None:
            return self._persisted_ef
        if ef is None:
            return cast(EmbeddingFunction[Any], DefaultEmbeddingFunction())
        return ef

    def _embed(self, inputs: list[Any]) -> list[np.ndarray[Any, Any]]:
        return list(self._active_ef()(inputs))

    def _embed_query(self, inputs: list[Any]) -> list[np.ndarray[Any, Any]]:
        return list(self._active_ef().embed_query(inputs))

    def _load_uris(self, uris: list[str]) -> list[Any]:
        if self._data_loader is None:
            raise ValueError("You must set a data loader on the collection if loading from URIs.")
        return list(self._data_loader(uris))

    # -- results -----------------------------------------------------------------------------------
    def _shape_get(self, response: dict[str, Any], include: Include) -> GetResult:
        embeddings = response.get("embeddings")
        metadatas = response.get("metadatas")
        result: GetResult = {
            "ids": response["ids"],
            "embeddings": None if embeddings is None else _as_matrix(embeddings),
            "documents": response.get("documents") if "documents" in include else None,
            "uris": response.get("uris") if "uris" in include else None,
            "data": None,
            "metadatas": None if metadatas is None else [deserialize_metadata(m)
                                                         for m in metadatas],
            "included": include,
        }
        if "data" in include and self._data_loader is not None and result["uris"] is not None:
            result["data"] = self._data_loader(cast(list[str], result["uris"]))
        return result

    def _shape_query(self, response: dict[str, Any], include: Include) -> QueryResult:
        embeddings = response.get("embeddings")
        metadatas = response.get("metadatas")
        result: QueryResult = {
            "ids": response["ids"],
            "embeddings": None if embeddings is None else [_as_matrix(e) for e in embeddings],
            "documents": response.get("documents") if "documents" in include else None,
            "uris": response.get("uris") if "uris" in include else None,
            "data": None,
            "metadatas": None if metadatas is None else [
                [deserialize_metadata(m) for m in row] for row in metadatas],
            "distances": response.get("distances") if "distances" in include else None,
            "included": include,
        }
        if "data" in include and self._data_loader is not None and result["uris"] is not None:
            result["data"] = [self._data_loader(cast(list[str], u)) for u in result["uris"]]
        return result


def _listed(include: Any) -> Any:
    """The defaults are tuples so no call can mutate them; results show lists, as in Chroma."""
    return list(include) if include is _GET_INCLUDE or include is _QUERY_INCLUDE else include


def _stored_fields(include: Include) -> Include:
    """What the backend must return: `data` is loaded here from the uris."""
    return [field for field in include if field != "data"]


def _as_matrix(rows: Any) -> np.ndarray[Any, Any]:
    """Chroma returns embeddings as a 2-D float64 array holding float32 values."""
    if isinstance(rows, np.ndarray):
        return rows.astype(np.float64)
    if len(rows) == 0:
        return np.array([], dtype=np.float64)
    return np.vstack([np.asarray(r, dtype=np.float32) for r in rows]).astype(np.float64)
