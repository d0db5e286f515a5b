"""Mistral AI embeddings over HTTP, as Chroma's `mistral` function."""

from __future__ import annotations

import os
from typing import Any

from huedb.embeddings.base import EmbeddingFunction
from huedb.embeddings.providers._http import (
    JsonClient,
    batches,
    check_documents,
    data_rows,
    forbid_updates,
    to_vectors,
)
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings, Space

__all__ = ["MistralEmbeddingFunction"]

_DEFAULT_BASE = "https://api.mistral.ai/v1"
_BATCH_SIZE = 128  # Mistral limits tokens per request; this keeps short-text batches under it


@register_embedding_function
class MistralEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeds with Mistral's `/embeddings`.

    Args:
        model: for example "mistral-embed".
        api_key_env_var: the variable holding the key (Chroma takes no direct key here).
        api_base: another base URL; huedb only, persisted only when given.

    Raises:
        ValueError: when the variable is not set.
    """

    def __init__(
        self, model: str, api_key_env_var: str = "MISTRAL_API_KEY", api_base: str | None = None
    ) -> None:
        self.model = model
        self.api_key_env_var = api_key_env_var
        self.api_base = api_base
        key = os.getenv(api_key_env_var)
        if not key:
            raise ValueError(
                f"The {api_key_env_var} environment variable is not set. Set it to your "
                "Mistral API key."
            )
        self._url = (api_base or _DEFAULT_BASE).rstrip("/") + "/embeddings"
        self._client = JsonClient("Mistral", "mistral", {"Authorization": f"Bearer {key}"})

    def __call__(self, input: Documents) -> Embeddings:
        out: Embeddings = []
        for batch in batches(check_documents("Mistral", input), _BATCH_SIZE):
            body = {"model": self.model, "input": batch}
            rows = data_rows("Mistral", self._client.post(self._url, body))
            out.extend(to_vectors("Mistral", rows, len(batch)))
        return out

    @staticmethod
    def name() -> str:
        return "mistral"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MistralEmbeddingFunction:
        model = config.get("model")
        if model is None:
            raise ValueError("The model is required.")
        return MistralEmbeddingFunction(
            model=model,
            api_key_env_var=config.get("api_key_env_var", "MISTRAL_API_KEY"),
            api_base=config.get("api_base"),
        )

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"model": self.model, "api_key_env_var": self.api_key_env_var}
        if self.api_base is not None:
            config["api_base"] = self.api_base
        return config

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        forbid_updates(new_config, "model")
