"""Cohere's embed API over HTTP, as Chroma's `cohere` function (text only)."""

from __future__ import annotations

from typing import Any

from huedb.embeddings.providers._base import HttpFunction
from huedb.embeddings.providers._http import JsonClient, field, resolve_api_key
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings, Space

__all__ = ["CohereEmbeddingFunction"]

_DEFAULT_BASE = "https://api.cohere.com"


@register_embedding_function
class CohereEmbeddingFunction(HttpFunction):
    """Embeds with Cohere's `/v1/embed` (`input_type="search_document"`, as Chroma sends).

    Args:
        api_key: used but not persisted; prefer `api_key_env_var`.
        model_name: for example "embed-english-v3.0".
        api_key_env_var: the variable holding the key; `COHERE_API_KEY` wins when it is set.
        api_base: another base URL (a gateway); huedb only, persisted only when given.
    """

    _provider = "Cohere"
    _batch_size = 96  # Cohere's limit on texts per request
    config_fields = ("api_key_env_var", "model_name", "api_base")

    def __init__(
        self,
        api_key: str | None = None,
        model_name: str = "large",
        api_key_env_var: str = "CHROMA_COHERE_API_KEY",
        api_base: str | None = None,
    ) -> None:
        self.api_key_env_var, key = resolve_api_key(
            "Cohere", api_key, api_key_env_var, "COHERE_API_KEY"
        )
        self.model_name = model_name
        self.api_base = api_base
        self._endpoint = (api_base or _DEFAULT_BASE).rstrip("/") + "/v1/embed"
        self._client = JsonClient("Cohere", "cohere", {"Authorization": f"Bearer {key}"})

    def __call__(self, input: Documents) -> Embeddings:
        return self._embed(
            input,
            lambda batch: {
                "texts": batch,
                "model": self.model_name,
                "input_type": "search_document",
            },
        )

    def _rows(self, answer: Any) -> object:
        rows = field("Cohere", answer, "embeddings")
        if isinstance(rows, dict):  # the shape when embedding_types is set: {"float": [...]}
            rows = field("Cohere", rows, "float")
        return rows

    @staticmethod
    def name() -> str:
        return "cohere"

    def default_space(self) -> Space:
        return "ip" if self.model_name == "embed-multilingual-v2.0" else "cosine"

    def supported_spaces(self) -> list[Space]:
        if self.model_name in ("embed-english-v2.0", "embed-english-light-v2.0"):
            return ["cosine"]
        if self.model_name == "embed-multilingual-v2.0":
            return ["ip"]
        return ["cosine", "l2", "ip"]
