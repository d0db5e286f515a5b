"""Chroma's `chromadb.utils.embedding_functions` import path: the registry and built-in EFs."""

from __future__ import annotations

from huedb.embeddings.base import EmbeddingFunction, SparseEmbeddingFunction
from huedb.embeddings.default import DefaultEmbeddingFunction, ONNXMiniLM_L6_V2
from huedb.embeddings.hashing import HashingEmbeddingFunction
from huedb.embeddings.providers import (
    CohereEmbeddingFunction,
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
    config_to_embedding_function,
    known_embedding_functions,
    register_embedding_function,
    register_sparse_embedding_function,
    sparse_known_embedding_functions,
)

__all__ = [
    "CohereEmbeddingFunction",
    "DefaultEmbeddingFunction",
    "EmbeddingFunction",
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
    "config_to_embedding_function",
    "get_builtins",
    "known_embedding_functions",
    "register_embedding_function",
    "register_sparse_embedding_function",
    "sparse_known_embedding_functions",
]

# Provider functions Chroma ships that huedb does not (yet); naming them gets a clear error
# instead of a bare AttributeError.
_CHROMA_ONLY = frozenset(
    {
        "AmazonBedrockEmbeddingFunction",
        "BasetenEmbeddingFunction",
        "Bm25EmbeddingFunction",
        "ChromaBm25EmbeddingFunction",
        "ChromaCloudQwenEmbeddingFunction",
        "ChromaCloudSpladeEmbeddingFunction",
        "ChromaLangchainEmbeddingFunction",
        "CloudflareWorkersAIEmbeddingFunction",
        "FastembedSparseEmbeddingFunction",
        "GoogleGenerativeAiEmbeddingFunction",
        "GooglePalmEmbeddingFunction",
        "GoogleVertexEmbeddingFunction",
        "HuggingFaceSparseEmbeddingFunction",
        "InstructorEmbeddingFunction",
        "MorphEmbeddingFunction",
        "NomicEmbeddingFunction",
        "OpenCLIPEmbeddingFunction",
        "PerplexityEmbeddingFunction",
        "RoboflowEmbeddingFunction",
        "Text2VecEmbeddingFunction",
        "TogetherAIEmbeddingFunction",
    }
)


def get_builtins() -> set[str]:
    """The class names of the embedding functions huedb ships."""
    return {
        "DefaultEmbeddingFunction",
        "HashingEmbeddingFunction",
        "ONNXMiniLM_L6_V2",
        *(name for name in __all__ if name.endswith(("EmbeddingFunction", "EmbeddingServer"))),
    } - {"EmbeddingFunction", "SparseEmbeddingFunction"}


def __getattr__(name: str) -> object:
    if name in _CHROMA_ONLY:
        raise AttributeError(
            f"huedb does not provide Chroma's {name} yet; pass any object with "
            "`__call__(self, input)` as embedding_function=, or register your own class with "
            "@register_embedding_function"
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
