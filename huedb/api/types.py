"""Chroma's `chromadb.api.types` import path: the public type names, re-exported from huedb."""

from __future__ import annotations

from typing import Final, TypeVar, Union

from huedb.embeddings.base import (
    D,
    DataLoader,
    EmbeddingFunction,
    L,
    SparseEmbeddingFunction,
    SparseVectors,
    validate_embedding_function,
    validate_sparse_embedding_function,
    validate_sparse_vectors,
)
from huedb.embeddings.default import DefaultEmbeddingFunction
from huedb.types import (
    ID,
    URI,
    CollectionMetadata,
    DeleteResult,
    Document,
    Documents,
    Embeddable,
    Embedding,
    Embeddings,
    GetResult,
    IDs,
    Image,
    Images,
    Include,
    IncludeEnum,
    IncludeMetadataDocuments,
    IncludeMetadataDocumentsDistances,
    IncludeMetadataDocumentsEmbeddings,
    IncludeMetadataDocumentsEmbeddingsDistances,
    IndexingStatus,
    LiteralValue,
    Loadable,
    LogicalOperator,
    Metadata,
    Metadatas,
    OperatorExpression,
    PyEmbedding,
    PyEmbeddings,
    QueryResult,
    ReadLevel,
    Space,
    SparseVector,
    UpdateCollectionMetadata,
    UpdateMetadata,
    URIs,
    Vector,
    Where,
    WhereDocument,
    WhereDocumentOperator,
    WhereOperator,
)

__all__ = [
    "CollectionMetadata",
    "D",
    "DOCUMENT_KEY",
    "DataLoader",
    "DefaultEmbeddingFunction",
    "DeleteResult",
    "Document",
    "Documents",
    "EMBEDDING_KEY",
    "Embeddable",
    "Embedding",
    "EmbeddingFunction",
    "Embeddings",
    "GetResult",
    "ID",
    "IDs",
    "Image",
    "Images",
    "Include",
    "IncludeEnum",
    "IncludeMetadataDocuments",
    "IncludeMetadataDocumentsDistances",
    "IncludeMetadataDocumentsEmbeddings",
    "IncludeMetadataDocumentsEmbeddingsDistances",
    "IndexingStatus",
    "L",
    "LiteralValue",
    "Loadable",
    "LogicalOperator",
    "META_KEY_CHROMA_DOCUMENT",
    "Metadata",
    "Metadatas",
    "OneOrMany",
    "OperatorExpression",
    "PyEmbedding",
    "PyEmbeddings",
    "PyVector",
    "QueryResult",
    "ReadLevel",
    "SPARSE_VECTOR_TYPE_VALUE",
    "Space",
    "SparseEmbeddingFunction",
    "SparseVector",
    "SparseVectors",
    "T",
    "TYPE_KEY",
    "URI",
    "URIs",
    "UpdateCollectionMetadata",
    "UpdateMetadata",
    "Vector",
    "Where",
    "WhereDocument",
    "WhereDocumentOperator",
    "WhereOperator",
    "maybe_cast_one_to_many",
    "validate_embedding_function",
    "validate_sparse_embedding_function",
    "validate_sparse_vectors",
]

T = TypeVar("T")
# Chroma's spelling for "a value or a list of values", used in Collection method signatures.
OneOrMany = Union[T, list[T]]  # noqa: UP007 (a generic alias needs Union)
PyVector = PyEmbedding

META_KEY_CHROMA_DOCUMENT: Final[str] = "chroma:document"
DOCUMENT_KEY: Final[str] = "#document"
EMBEDDING_KEY: Final[str] = "#embedding"
TYPE_KEY: Final[str] = "#type"
SPARSE_VECTOR_TYPE_VALUE: Final[str] = "sparse_vector"


def maybe_cast_one_to_many(target: OneOrMany[T] | None) -> list[T] | None:
    """Wrap a single value in a list; lists and `None` pass through (Chroma's helper)."""
    if target is None:
        return None
    if isinstance(target, list):
        return target
    return [target]
