"""Voyage AI embeddings over HTTP, as Chroma's `voyageai` function."""

from __future__ import annotations

from typing import Any

from huedb.embeddings.base import EmbeddingFunction
from huedb.embeddings.providers._http import (
    JsonClient,
    batches,
    check_documents,
    data_rows,
    forbid_updates,
    resolve_api_key,
    to_vectors,
)
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings, Space

__all__ = ["VoyageAIEmbeddingFunction"]

_DEFAULT_BASE = "https://api.voyageai.com/v1"
_BATCH_SIZE = 128  # Voyage's per-request limit for most models


@register_embedding_function
class VoyageAIEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeds with Voyage AI's `/embeddings`.

    Args:
        api_key: used but not persisted; prefer `api_key_env_var`.
        model_name: for example "voyage-3".
        api_key_env_var: the variable holding the key; `VOYAGE_API_KEY` wins when it is set.
        input_type: None, "query" or "document".
        truncation: let the server truncate long texts.
        api_base: another base URL; huedb only, persisted only when given.
    """

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
        self._url = (api_base or _DEFAULT_BASE).rstrip("/") + "/embeddings"
        self._client = JsonClient("Voyage AI", "voyageai", {"Authorization": f"Bearer {key}"})

    def __call__(self, input: Documents) -> Embeddings:
        out: Embeddings = []
        for batch in batches(check_documents("Voyage AI", input), _BATCH_SIZE):
            body = {
                "input": batch,
                "model": self.model_name,
                "input_type": self.input_type,
                "truncation": self.truncation,
            }
            rows = data_rows("Voyage AI", self._client.post(self._url, body))
            out.extend(to_vectors("Voyage AI", rows, len(batch)))
        return out

    @staticmethod
    def name() -> str:
        return "voyageai"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> VoyageAIEmbeddingFunction:
        truncation = config.get("truncation")
        return VoyageAIEmbeddingFunction(
            api_key_env_var=config.get("api_key_env_var", "CHROMA_VOYAGE_API_KEY"),
            model_name=config.get("model_name", "voyage-large-2"),
            input_type=config.get("input_type"),
            truncation=True if truncation is None else bool(truncation),
            api_base=config.get("api_base"),
        )

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "api_key_env_var": self.api_key_env_var,
            "model_name": self.model_name,
            "input_type": self.input_type,
            "truncation": self.truncation,
        }
        if self.api_base is not None:
            config["api_base"] = self.api_base
        return config

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        forbid_updates(new_config, "model_name")
