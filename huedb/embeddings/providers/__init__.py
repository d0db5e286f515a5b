"""Embedding providers, one module each; importing one registers it (its library loads lazily)."""

from __future__ import annotations

from huedb.embeddings.providers._http import EmbeddingProviderError
from huedb.embeddings.providers.cohere import CohereEmbeddingFunction
from huedb.embeddings.providers.google import (
    GoogleGeminiEmbeddingFunction,
    GoogleGenaiEmbeddingFunction,
)
from huedb.embeddings.providers.huggingface import (
    HuggingFaceEmbeddingFunction,
    HuggingFaceEmbeddingServer,
)
from huedb.embeddings.providers.jina import JinaEmbeddingFunction
from huedb.embeddings.providers.mistral import MistralEmbeddingFunction
from huedb.embeddings.providers.ollama import OllamaEmbeddingFunction
from huedb.embeddings.providers.openai import OpenAIEmbeddingFunction
from huedb.embeddings.providers.sentence_transformer import SentenceTransformerEmbeddingFunction
from huedb.embeddings.providers.voyageai import VoyageAIEmbeddingFunction

__all__ = [
    "CohereEmbeddingFunction",
    "EmbeddingProviderError",
    "GoogleGeminiEmbeddingFunction",
    "GoogleGenaiEmbeddingFunction",
    "HuggingFaceEmbeddingFunction",
    "HuggingFaceEmbeddingServer",
    "JinaEmbeddingFunction",
    "MistralEmbeddingFunction",
    "OllamaEmbeddingFunction",
    "OpenAIEmbeddingFunction",
    "SentenceTransformerEmbeddingFunction",
    "VoyageAIEmbeddingFunction",
]
