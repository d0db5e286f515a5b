"""Public type aliases and result shapes, named as Chroma names them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, TypedDict
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

DEFAULT_TENANT = "default_tenant"
DEFAULT_DATABASE = "default_database"
DEFAULT_DATABASE_ID = "00000000-0000-0000-0000-000000000000"

ID = str
IDs = list[ID]
URI = str
URIs = list[URI]
Document = str
Documents = list[Document]
Vector = NDArray[np.int32 | np.float32]
Embedding = Vector
Embeddings = list[Embedding]
PyEmbedding = Sequence[float] | Sequence[int]
PyEmbeddings = list[PyEmbedding]
Image = NDArray[Any]
Images = list[Image]
Embeddable = Documents | Images
Loadable = list[Image | None]


@dataclass
class SparseVector:
    """A sparse vector: strictly ascending non-negative indices with one value each."""

    indices: list[int]
    values: list[float]
    labels: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"#type": "sparse_vector", "indices": self.indices,
                               "values": self.values}
        if self.labels is not None:
            out["tokens"] = self.labels
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SparseVector:
        return cls(indices=list(d["indices"]), values=list(d["values"]), labels=d.get("tokens"))


MetadataListValue = list[str | int | float | bool]
MetadataValue = str | int | float | bool | SparseVector | MetadataListValue | None
Metadata = Mapping[str, MetadataValue]
Metadatas = list[Metadata]
UpdateMetadata = Mapping[str, MetadataValue]
CollectionMetadata = dict[str, Any]
UpdateCollectionMetadata = UpdateMetadata

LiteralValue = str | int | float | bool
LogicalOperator = Literal["$and", "$or"]
WhereOperator = Literal["$gt", "$gte", "$lt", "$lte", "$ne", "$eq"]
InclusionExclusionOperator = Literal["$in", "$nin"]
OperatorExpression = dict[str, Any]
Where = dict[str, Any]
WhereDocumentOperator = Literal["$contains", "$not_contains", "$regex", "$not_regex", "$and", "$or"]
WhereDocument = dict[str, Any]

IncludeEnum = Literal["documents", "embeddings", "metadatas", "distances", "uris", "data"]
Include = list[IncludeEnum]
IncludeMetadataDocuments: Include = ["metadatas", "documents"]
IncludeMetadataDocumentsEmbeddings: Include = ["metadatas", "documents", "embeddings"]
IncludeMetadataDocumentsDistances: Include = ["metadatas", "documents", "distances"]
IncludeMetadataDocumentsEmbeddingsDistances: Include = [
    "metadatas", "documents", "embeddings", "distances",
]

Space = Literal["cosine", "l2", "ip"]


class ReadLevel(str, Enum):
    """Accepted for compatibility; a local database always reads every committed write."""

    INDEX_AND_WAL = "index_and_wal"
    INDEX_ONLY = "index_only"
    INDEX_AND_BOUNDED_WAL = "index_and_bounded_wal"


class GetResult(TypedDict):
    ids: list[ID]
    embeddings: Any
    documents: list[Document | None] | None
    uris: list[URI | None] | None
    data: Loadable | None
    metadatas: list[Metadata | None] | None
    included: Include


class QueryResult(TypedDict):
    ids: list[IDs]
    embeddings: Any
    documents: list[list[Document | None]] | None
    uris: list[list[URI | None]] | None
    data: list[Loadable] | None
    metadatas: list[list[Metadata | None]] | None
    distances: list[list[float]] | None
    included: Include


class DeleteResult(TypedDict):
    deleted: int


class Tenant(TypedDict):
    name: str


class Database(TypedDict):
    id: UUID
    name: str
    tenant: str


@dataclass
class UserIdentity:
    user_id: str
    tenant: str | None
    databases: list[str] | None
    attributes: dict[str, Any] | None = None


@dataclass
class IndexingStatus:
    num_indexed_ops: int
    num_unindexed_ops: int
    total_ops: int
    op_indexing_progress: float


@dataclass
class CollectionModel:
    """What a backend knows about a collection; the `Collection` object wraps one of these."""

    id: UUID
    name: str
    configuration_json: dict[str, Any]
    metadata: dict[str, Any] | None
    dimension: int | None
    tenant: str
    database: str
    serialized_schema: dict[str, Any] | None = None
    version: int = 0
    log_position: int = 0


@dataclass
class RecordBatch:
    """Validated, normalised records on their way to a backend: vectors only, never raw text."""

    ids: list[str]
    embeddings: NDArray[np.float32] | None = None
    metadatas: list[dict[str, Any] | None] | None = None
    documents: list[str | None] | None = None
    uris: list[str | None] | None = None
