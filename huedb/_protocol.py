"""Chroma's HTTP API v2 wire shapes: JSON for collections, records and results, base64 vectors."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from huedb._backend import GetResponse, QueryResponse
from huedb._validation import (
    normalize_metadata,
    serialize_metadata,
    validate_metadata,
    validate_update_metadata,
)
from huedb.errors import ChromaError, InvalidArgumentError
from huedb.types import CollectionModel, Database, RecordBatch

API_PREFIX = "/api/v2"
# The version `chroma run` reports, hard-coded in Chroma's Rust frontend.
SERVER_VERSION = "1.0.0"
WIRE_INCLUDE = ("distances", "documents", "embeddings", "metadatas", "uris")

WriteMode = Literal["add", "upsert", "update"]


def unprocessable(message: str) -> ChromaError:
    """A body that parsed as JSON but does not fit the request type: Chroma's 422."""
    error = ChromaError(f"Failed to deserialize the JSON body into the target type: {message}")
    error.status = 422
    return error


# -- vectors --------------------------------------------------------------------------------------

def encode_vector(row: NDArray[Any]) -> str:
    """Standard base64 of the vector as little-endian float32 (`[1.0, 2.0]` → "AACAPwAAAEA=")."""
    return base64.b64encode(np.asarray(row, dtype="<f4").tobytes()).decode("ascii")


def decode_vector(text: str) -> NDArray[np.float32]:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidArgumentError(f"Invalid base64 embedding: {exc}") from None
    if len(raw) % 4:
        raise InvalidArgumentError("Invalid base64 embedding: length is not a multiple of 4")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def decode_embeddings(rows: list[Any] | None, *, field: str = "embeddings"
                      ) -> NDArray[np.float32] | None:
    """Rows of numbers or base64 strings as one 2-D float32 matrix; None when absent."""
    if rows is None:
        return None
    if all(row is None for row in rows) and rows:
        return None
    vectors: list[NDArray[np.float32]] = []
    for row in rows:
        if isinstance(row, str):
            vectors.append(decode_vector(row))
        elif isinstance(row, list) and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in row
        ):
            with np.errstate(over="ignore"):
                vectors.append(np.asarray(row, dtype=np.float64).astype(np.float32))
        elif row is None:
            raise InvalidArgumentError(
                f"{field}: a batch must give an embedding for every record or for none")
        else:
            raise unprocessable(f"{field}: expected a list of numbers or a base64 string")
    if not vectors:
        return np.empty((0, 0), dtype=np.float32)
    if len({v.shape[0] for v in vectors}) > 1:
        raise InvalidArgumentError("Inconsistent dimensions in provided embeddings")
    return np.vstack(vectors)


def decode_queries(rows: list[Any]) -> NDArray[np.float32]:
    """Query vectors as a 2-D float32 matrix (0 x 0 for no queries)."""
    vectors = decode_embeddings(rows, field="query_embeddings")
    return np.empty((0, 0), dtype=np.float32) if vectors is None else vectors


def vectors_json(rows: Any) -> list[list[float]] | None:
    if rows is None:
        return None
    return [np.asarray(row, dtype=np.float32).tolist() for row in rows]


# -- records --------------------------------------------------------------------------------------

def batch_json(batch: RecordBatch, *, base64_vectors: bool = True) -> dict[str, Any]:
    """An add/upsert/update payload; vectors go as base64 like Chroma's Python client sends."""
    embeddings: list[Any] | None = None
    if batch.embeddings is not None:
        embeddings = ([encode_vector(row) for row in batch.embeddings] if base64_vectors
                      else vectors_json(batch.embeddings))
    return {"ids": batch.ids, "embeddings": embeddings, "metadatas": batch.metadatas,
            "documents": batch.documents, "uris": batch.uris}


def batch_from_json(payload: dict[str, Any], mode: WriteMode) -> RecordBatch:
    """A payload's records, with the metadata checks the database owes any caller."""
    metadatas = payload.get("metadatas")
    return RecordBatch(
        ids=list(payload["ids"]),
        embeddings=decode_embeddings(payload.get("embeddings")),
        metadatas=None if metadatas is None else [_wire_metadata(m, mode) for m in metadatas],
        documents=payload.get("documents"),
        uris=payload.get("uris"),
    )


def _wire_metadata(metadata: Any, mode: WriteMode) -> dict[str, Any] | None:
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise unprocessable("metadatas: expected a map or null")
    try:
        normalized = normalize_metadata(metadata)
        if mode == "add":
            if any(value is None for value in metadata.values()):
                raise unprocessable("metadatas: data did not match any variant of untagged "
                                    "enum MetadataValue")
            validate_metadata(normalized)
        else:
            validate_update_metadata(normalized)
        return serialize_metadata(normalized, update=mode != "add")
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidArgumentError(str(exc)) from None


# -- results --------------------------------------------------------------------------------------

def get_response_json(response: GetResponse) -> dict[str, Any]:
    return {
        "ids": response["ids"],
        "embeddings": vectors_json(response.get("embeddings")),
        "documents": response.get("documents"),
        "uris": response.get("uris"),
        "metadatas": response.get("metadatas"),
        "include": response.get("included", []),
    }


def query_response_json(response: QueryResponse) -> dict[str, Any]:
    embeddings = response.get("embeddings")
    return {
        "ids": response["ids"],
        "embeddings": None if embeddings is None else [vectors_json(e) for e in embeddings],
        "documents": response.get("documents"),
        "uris": response.get("uris"),
        "metadatas": response.get("metadatas"),
        "distances": response.get("distances"),
        "include": response.get("included", []),
    }


def get_response_from_json(body: dict[str, Any]) -> GetResponse:
    embeddings = body.get("embeddings")
    return GetResponse(
        ids=body["ids"],
        embeddings=None if embeddings is None else _rows(embeddings),
        documents=body.get("documents"), uris=body.get("uris"),
        metadatas=body.get("metadatas"), included=body.get("include", []),
    )


def query_response_from_json(body: dict[str, Any]) -> QueryResponse:
    embeddings = body.get("embeddings")
    return QueryResponse(
        ids=body["ids"],
        embeddings=None if embeddings is None else [_rows(e) for e in embeddings],
        documents=body.get("documents"), uris=body.get("uris"),
        metadatas=body.get("metadatas"), distances=body.get("distances"),
        included=body.get("include", []),
    )


def _rows(rows: list[Any]) -> list[NDArray[np.float32]]:
    return [decode_vector(r) if isinstance(r, str) else np.asarray(r, dtype=np.float32)
            for r in rows]


# -- catalog --------------------------------------------------------------------------------------

def collection_json(model: CollectionModel) -> dict[str, Any]:
    return {
        "id": str(model.id), "name": model.name,
        "configuration_json": model.configuration_json, "schema": model.serialized_schema,
        "metadata": model.metadata, "dimension": model.dimension,
        "tenant": model.tenant, "database": model.database,
        "log_position": model.log_position, "version": model.version,
    }


def collection_from_json(body: dict[str, Any]) -> CollectionModel:
    return CollectionModel(
        id=UUID(body["id"]), name=body["name"],
        configuration_json=body.get("configuration_json") or {},
        metadata=body.get("metadata"), dimension=body.get("dimension"),
        tenant=body["tenant"], database=body["database"],
        serialized_schema=body.get("schema"), version=body.get("version") or 0,
        log_position=body.get("log_position") or 0,
    )


def database_json(database: Database) -> dict[str, Any]:
    return {"id": str(database["id"]), "name": database["name"], "tenant": database["tenant"]}


def database_from_json(body: dict[str, Any]) -> Database:
    return Database(id=UUID(body["id"]), name=body["name"], tenant=body["tenant"])


def error_json(error: ChromaError) -> dict[str, str]:
    """Chroma's error body: the wire name and the message."""
    return {"error": error.wire_name, "message": str(error.message())}
