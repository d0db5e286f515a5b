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
from huedb.embeddings.providers import (
    CohereEmbeddingFunction,
    EmbeddingProviderError,
    GoogleGeminiEmbeddingFunction,
    GoogleGenaiEmbeddingFunction,
    HuggingFaceEmbeddingFunction,
    HuggingFaceEmbeddingServer,
    JinaEmbeddingFunction,
    MistralEmbeddingFunction,
    OllamaEmbeddingFunction,
    OpenAIEmbeddingFunction,
    SentenceTransformerEmbeddingFunction,
    VoyageAIEmbeddingFunction,
)
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
    "CohereEmbeddingFunction",
    "DataLoader",
    "DefaultEmbeddingFunction",
    "EmbeddingFunction",
    "EmbeddingProviderError",
    "GoogleGeminiEmbeddingFunction",
    "GoogleGenaiEmbeddingFunction",
    "HashingEmbeddingFunction",
    "HuggingFaceEmbeddingFunction",
    "HuggingFaceEmbeddingServer",
    "JinaEmbeddingFunction",
    "MistralEmbeddingFunction",
    "ONNXMiniLM_L6_V2",
    "OllamaEmbeddingFunction",
    "OpenAIEmbeddingFunction",
    "SentenceTransformerEmbeddingFunction",
    "SparseEmbeddingFunction",
    "VoyageAIEmbeddingFunction",
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
