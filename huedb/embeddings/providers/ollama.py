"""Ollama's local embedding server (`/api/embed`) over HTTP, as Chroma's `ollama` function."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from huedb.embeddings.base import EmbeddingFunction
from huedb.embeddings.providers._http import (
    JsonClient,
    batches,
    check_documents,
    field,
    forbid_updates,
    to_vectors,
)
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings, Space

__all__ = ["OllamaEmbeddingFunction"]

DEFAULT_MODEL_NAME = "chroma/all-minilm-l6-v2-f32"
_BATCH_SIZE = 256  # Ollama has no hard limit; keep requests and their latency bounded


@register_embedding_function
class OllamaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeds with a model served by Ollama.

    Args:
        url: the server's base URL (a legacy `.../api/embeddings` URL is accepted).
        model_name: an Ollama model, for example "nomic-embed-text".
        timeout: seconds per request.
    """

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
        out: Embeddings = []
        for batch in batches(check_documents("Ollama", input), _BATCH_SIZE):
            answer = self._client.post(self._endpoint, {"model": self.model_name, "input": batch})
            out.extend(to_vectors("Ollama", field("Ollama", answer, "embeddings"), len(batch)))
        return out

    @staticmethod
    def name() -> str:
        return "ollama"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OllamaEmbeddingFunction:
        return OllamaEmbeddingFunction(
            url=config.get("url", "http://localhost:11434"),
            model_name=config.get("model_name", DEFAULT_MODEL_NAME),
            timeout=config.get("timeout", 60),
        )

    def get_config(self) -> dict[str, Any]:
        return {"url": self.url, "model_name": self.model_name, "timeout": self.timeout}

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        forbid_updates(new_config, "model_name")
