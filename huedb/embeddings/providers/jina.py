"""Jina AI embeddings over HTTP, as Chroma's `jina` function (text only)."""

from __future__ import annotations

from typing import Any

from huedb.embeddings.providers._base import HttpFunction
from huedb.embeddings.providers._http import JsonClient, resolve_api_key
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings

__all__ = ["JinaEmbeddingFunction"]

_DEFAULT_BASE = "https://api.jina.ai/v1"
_OPTIONS = ("task", "late_chunking", "truncate", "dimensions", "embedding_type", "normalized")


@register_embedding_function
class JinaEmbeddingFunction(HttpFunction):
    """Embeds with Jina AI's `/embeddings`; `query_config` overrides options for queries.

    Args:
        api_key: used but not persisted; prefer `api_key_env_var`.
        model_name: for example "jina-embeddings-v3".
        api_key_env_var: the variable holding the key; `JINA_API_KEY` wins when it is set.
        task, late_chunking, truncate, dimensions, embedding_type, normalized: sent when set.
        query_config: options used instead by `embed_query`, for example
            `{"task": "retrieval.query"}`.
        api_base: another base URL; huedb only, persisted only when given.
    """

    _provider = "Jina AI"
    _batch_size = 512
    config_fields = ("api_key_env_var", "model_name", *_OPTIONS, "query_config", "api_base")

    def __init__(
        self,
        api_key: str | None = None,
        model_name: str = "jina-embeddings-v2-base-en",
        api_key_env_var: str = "CHROMA_JINA_API_KEY",
        task: str | None = None,
        late_chunking: bool | None = None,
        truncate: bool | None = None,
        dimensions: int | None = None,
        embedding_type: str | None = None,
        normalized: bool | None = None,
        query_config: dict[str, Any] | None = None,
        api_base: str | None = None,
    ) -> None:
        self.api_key_env_var, key = resolve_api_key(
            "Jina AI", api_key, api_key_env_var, "JINA_API_KEY"
        )
        self.model_name = model_name
        self.task = task
        self.late_chunking = late_chunking
        self.truncate = truncate
        self.dimensions = dimensions
        self.embedding_type = embedding_type
        self.normalized = normalized
        self.query_config = query_config
        self.api_base = api_base
        self._endpoint = (api_base or _DEFAULT_BASE).rstrip("/") + "/embeddings"
        headers = {"Authorization": f"Bearer {key}", "Accept-Encoding": "identity"}
        self._client = JsonClient("Jina AI", "jina", headers)

    def _embed_with(self, input: Documents, is_query: bool) -> Embeddings:
        options = {k: getattr(self, k) for k in _OPTIONS if getattr(self, k) is not None}
        if is_query and self.query_config:
            options.update(self.query_config)
        return self._embed(input, lambda b: {"input": b, "model": self.model_name, **options})

    def __call__(self, input: Documents) -> Embeddings:
        return self._embed_with(input, is_query=False)

    def embed_query(self, input: Documents) -> Embeddings:
        return self._embed_with(input, is_query=True)

    @staticmethod
    def name() -> str:
        return "jina"
