"""Voyage AI embeddings over HTTP, as Chroma's `voyageai` function."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huedb.embeddings.providers._base import HttpFunction
from huedb.embeddings.providers._http import JsonClient, resolve_api_key
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings

__all__ = ["VoyageAIEmbeddingFunction"]

_DEFAULT_BASE = "https://api.voyageai.com/v1"


@register_embedding_function
class VoyageAIEmbeddingFunction(HttpFunction):
    """Embeds with Voyage AI's `/embeddings`.

    Args:
        api_key: used but not persisted; prefer `api_key_env_var`.
        model_name: for example "voyage-3".
        api_key_env_var: the variable holding the key; `VOYAGE_API_KEY` wins when it is set.
        input_type: None, "query" or "document".
        truncation: let the server truncate long texts.
        api_base: another base URL; huedb only, persisted only when given.
    """

    _provider = "Voyage AI"
    _batch_size = 128  # Voyage's per-request limit for most models
    config_fields = ("api_key_env_var", "model_name", "input_type", "truncation", "api_base")

    def __init__(
        self,
        api_key: str | None = None,
        model_name: str = "voyage-large-2",
        api_key_env_var: str = "CHROMA_VOYAGE_API_KEY",
        input_type: str | None = None,
        truncation: bool = True,
        api_base: str | None = None,
    ) -> None:
        self.api_key_env_var, key = resolve_api_key(
            "Voyage AI", api_key, api_key_env_var, "VOYAGE_API_KEY"
        )
        self.model_name = model_name
        self.input_type = input_type
        self.truncation = truncation
        self.api_base = api_base
        self._endpoint = (api_base or _DEFAULT_BASE).rstrip("/") + "/embeddings"
        self._client = JsonClient("Voyage AI", "voyageai", {"Authorization": f"Bearer {key}"})

    def __call__(self, input: Documents) -> Embeddings:
        return self._embed(
            input,
            lambda batch: {
                "input": batch,
                "model": self.model_name,
                "input_type": self.input_type,
                "truncation": self.truncation,
            },
        )

    @staticmethod
    def name() -> str:
        return "voyageai"

    @classmethod
    def _init_args(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        args = super()._init_args(config)
        # As Chroma rebuilds it: a null truncation means the default, True.
        args["truncation"] = args["truncation"] is None or bool(args["truncation"])
        return args
