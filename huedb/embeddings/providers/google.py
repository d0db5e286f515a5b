"""Google Gemini API embeddings over HTTP, as Chroma's `google_gemini` (alias `google_genai`)."""

from __future__ import annotations

import os
from typing import Any

from huedb.embeddings.providers._base import HttpFunction
from huedb.embeddings.providers._http import (
    EmbeddingProviderError,
    JsonClient,
    check_documents,
    field,
)
from huedb.embeddings.registry import known_embedding_functions, register_embedding_function
from huedb.types import Documents, Embeddings

__all__ = ["GoogleGeminiEmbeddingFunction", "GoogleGenaiEmbeddingFunction"]

_DEFAULT_BASE = "https://generativelanguage.googleapis.com/v1beta"
_OPTIONAL = ("task_type", "dimension", "api_base")  # persisted only when set


@register_embedding_function
class GoogleGeminiEmbeddingFunction(HttpFunction):
    """Embeds with the Gemini API's `batchEmbedContents`, authenticated by an API key.

    Args:
        model_name: for example "gemini-embedding-001".
        task_type: for example "RETRIEVAL_DOCUMENT" or "SEMANTIC_SIMILARITY".
        dimension: output dimensionality (128-3072); the model's default when None.
        api_key_env_var: the variable holding the key.
        vertexai, project, location: kept for Chroma compatibility; Vertex AI needs Google's
            OAuth credentials, which huedb does not handle, so `vertexai=True` is refused.
        api_base: another base URL; huedb only, persisted only when given.

    Raises:
        ValueError: when the key is missing or Vertex AI is asked for.
    """

    _provider = "Google Gemini"
    _batch_size = 100  # batchEmbedContents accepts at most 100 requests
    config_fields = ("model_name", "api_key_env_var", "vertexai", "project", "location", *_OPTIONAL)
    required_config = {"model_name": "The model name is required."}
    config_if_set = frozenset(_OPTIONAL)
    fixed_config = ("model_name", "dimension", "vertexai", "project", "location")

    def __init__(
        self,
        model_name: str = "gemini-embedding-001",
        task_type: str | None = None,
        dimension: int | None = None,
        api_key_env_var: str | None = "GEMINI_API_KEY",
        vertexai: bool | None = None,
        project: str | None = None,
        location: str | None = None,
        api_base: str | None = None,
    ) -> None:
        self.model_name = model_name
        self.task_type = task_type
        self.dimension = dimension
        self.api_key_env_var = api_key_env_var
        self.vertexai = vertexai
        self.project = project
        self.location = location
        self.api_base = api_base
        if vertexai:
            raise ValueError(
                "huedb's Google Gemini embedding function uses the Gemini API with an API key; "
                "Vertex AI (vertexai=True) is not supported"
            )
        key = os.getenv(api_key_env_var) if api_key_env_var else None
        if not key:
            raise ValueError(
                f"The {api_key_env_var} environment variable must be set if vertexai is not "
                "enabled. Set it to your Gemini API key."
            )
        model = model_name if model_name.startswith("models/") else f"models/{model_name}"
        self._model = model
        self._endpoint = f"{(api_base or _DEFAULT_BASE).rstrip('/')}/{model}:batchEmbedContents"
        self._client = JsonClient("Google Gemini", "google", {"x-goog-api-key": key})

    def __call__(self, input: Documents) -> Embeddings:
        texts = check_documents("Google Gemini", input)
        if not texts:
            raise ValueError("Input documents cannot be empty")
        return self._embed(texts, lambda batch: {"requests": [self._request(t) for t in batch]})

    def _request(self, text: str) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self._model, "content": {"parts": [{"text": text}]}}
        if self.task_type is not None:
            request["taskType"] = self.task_type
        if self.dimension is not None:
            request["outputDimensionality"] = self.dimension
        return request

    def _rows(self, answer: Any) -> object:
        try:
            return [e["values"] for e in field("Google Gemini", answer, "embeddings")]
        except (KeyError, TypeError) as e:
            raise EmbeddingProviderError(
                f"Google Gemini returned malformed embeddings: {answer!r:.300}"
            ) from e

    @staticmethod
    def name() -> str:
        return "google_gemini"


GoogleGenaiEmbeddingFunction = GoogleGeminiEmbeddingFunction
# Chroma's older name for the same function; collections persisted under it still reopen.
known_embedding_functions["google_genai"] = GoogleGeminiEmbeddingFunction
