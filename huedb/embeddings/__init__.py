"""Embedding functions: the protocol, the registry, the built-in functions and config helpers."""

from __future__ import annotations

from huedb.embeddings.base import (
    DataLoader,
    EmbeddingFunction,
    SparseEmbeddingFunction,
    validate_embedding_function,
    validate_sparse_embedding_function,
)
from huedb.embeddings.default import DefaultEmbeddingFunction, ONNXMiniLM_L6_V2
from huedb.embeddings.hashing import HashingEmbeddingFunction
from huedb.embeddings.registry import (
    check_ef_conflict,
    check_ef_update,
    check_multiple_efs,
    config_to_embedding_function,
    embedding_function_from_config,
    embedding_function_to_config,
    known_embedding_functions,
    register_embedding_function,
    register_sparse_embedding_function,
    sparse_known_embedding_functions,
)

__all__ = [
    "DataLoader",
    "DefaultEmbeddingFunction",
    "EmbeddingFunction",
    "HashingEmbeddingFunction",
    "ONNXMiniLM_L6_V2",
    "SparseEmbeddingFunction",
    "check_ef_conflict",
    "check_ef_update",
    "check_multiple_efs",
    "config_to_embedding_function",
    "embedding_function_from_config",
    "embedding_function_to_config",
    "known_embedding_functions",
    "register_embedding_function",
    "register_sparse_embedding_function",
    "sparse_known_embedding_functions",
    "validate_embedding_function",
    "validate_sparse_embedding_function",
]
