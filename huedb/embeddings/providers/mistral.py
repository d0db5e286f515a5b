"""Mistral AI embeddings over HTTP, as Chroma's `mistral` function."""

from __future__ import annotations

import os

from huedb.embeddings.providers._base import HttpFunction
from huedb.embeddings.providers._http import JsonClient
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings

__all__ = ["MistralEmbeddingFunction"]

_DEFAULT_BASE = "https://api.mistral.ai/v1"


@register_embedding_function
class MistralEmbeddingFunction(HttpFunction):
    """Embeds with Mistral's `/embeddings`.

    Args:
        model: for example "mistral-embed".
        api_key_env_var: the variable holding the key (Chroma takes no direct key here).
        api_base: another base URL; huedb only, persisted only when given.

    Raises:
        ValueError: when the variable is not set.
    """

    _provider = "Mistral"
    _batch_size = 128  # Mistral limits tokens per request; this keeps short-text batches under it
    config_fields = ("model", "api_key_env_var", "api_base")
    required_config = {"model": "The model is required."}
    fixed_config = ("model",)

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
        self._endpoint = (api_base or _DEFAULT_BASE).rstrip("/") + "/embeddings"
        self._client = JsonClient("Mistral", "mistral", {"Authorization": f"Bearer {key}"})

    def __call__(self, input: Documents) -> Embeddings:
        return self._embed(input, lambda batch: {"model": self.model, "input": batch})

    @staticmethod
    def name() -> str:
        return "mistral"
