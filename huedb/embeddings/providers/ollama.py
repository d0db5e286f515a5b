"""Ollama's local embedding server (`/api/embed`) over HTTP, as Chroma's `ollama` function."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from huedb.embeddings.providers._base import HttpFunction
from huedb.embeddings.providers._http import JsonClient, field
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings

__all__ = ["OllamaEmbeddingFunction"]

DEFAULT_MODEL_NAME = "chroma/all-minilm-l6-v2-f32"


@register_embedding_function
class OllamaEmbeddingFunction(HttpFunction):
    """Embeds with a model served by Ollama.

    Args:
        url: the server's base URL (a legacy `.../api/embeddings` URL is accepted).
        model_name: an Ollama model, for example "nomic-embed-text".
        timeout: seconds per request.
    """

    _provider = "Ollama"
    _batch_size = 256  # Ollama has no hard limit; keep requests and their latency bounded
    config_fields = ("url", "model_name", "timeout")

    def __init__(
        self,
        url: str = "http://localhost:11434",
        model_name: str = DEFAULT_MODEL_NAME,
        timeout: int = 60,
    ) -> None:
        self.url = url
        self.model_name = model_name
        self.timeout = timeout
        base = url
        if base.endswith("/api/embeddings"):  # Chroma accepts the old endpoint's URL
            parsed = urlparse(url)
            base = f"{parsed.scheme}://{parsed.netloc}"
        self._endpoint = base.rstrip("/") + "/api/embed"
        self._client = JsonClient("Ollama", "ollama", timeout=float(timeout))

    def __call__(self, input: Documents) -> Embeddings:
        return self._embed(input, lambda batch: {"model": self.model_name, "input": batch})

    def _rows(self, answer: Any) -> object:
        return field("Ollama", answer, "embeddings")

    @staticmethod
    def name() -> str:
        return "ollama"
