"""Hugging Face: the hosted Inference API and a text-embeddings-inference server, over HTTP."""

from __future__ import annotations

import os
import warnings
from typing import Any

from huedb.embeddings.providers._base import HttpFunction
from huedb.embeddings.providers._http import JsonClient, resolve_api_key
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings

__all__ = ["HuggingFaceEmbeddingFunction", "HuggingFaceEmbeddingServer"]

_DEFAULT_BASE = "https://router.huggingface.co/hf-inference/models"
_DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BATCH_SIZE = 32  # text-embeddings-inference's default --max-client-batch-size


@register_embedding_function
class HuggingFaceEmbeddingFunction(HttpFunction):
    """Embeds with Hugging Face's hosted feature-extraction pipeline.

    Args:
        api_key: used but not persisted; prefer `api_key_env_var`.
        model_name: a Hub model id.
        api_key_env_var: the variable holding the token; `HUGGINGFACE_API_KEY` wins when set.
        api_base: another base URL (a dedicated endpoint); huedb only, persisted when given.
    """

    _provider = "Hugging Face"
    _batch_size = _BATCH_SIZE
    config_fields = ("api_key_env_var", "model_name", "api_base")

    def __init__(
        self,
        api_key: str | None = None,
        model_name: str = _DEFAULT_MODEL,
        api_key_env_var: str = "CHROMA_HUGGINGFACE_API_KEY",
        api_base: str | None = None,
    ) -> None:
        self.api_key_env_var, key = resolve_api_key(
            "Hugging Face", api_key, api_key_env_var, "HUGGINGFACE_API_KEY"
        )
        self.model_name = model_name
        self.api_base = api_base
        base = (api_base or _DEFAULT_BASE).rstrip("/")
        self._endpoint = f"{base}/{model_name}/pipeline/feature-extraction"
        self._client = JsonClient("Hugging Face", "huggingface", {"Authorization": f"Bearer {key}"})

    def __call__(self, input: Documents) -> Embeddings:
        return self._embed(input, lambda b: {"inputs": b, "options": {"wait_for_model": True}})

    def _rows(self, answer: Any) -> object:
        return answer  # the pipeline answers with the bare list of vectors

    @staticmethod
    def name() -> str:
        return "huggingface"


@register_embedding_function
class HuggingFaceEmbeddingServer(HttpFunction):
    """Embeds with a text-embeddings-inference server; the model is the server's.

    Args:
        url: the server's embed endpoint, for example "http://localhost:8080/embed".
        api_key_env_var: a variable holding a bearer token, if the server wants one.
        api_key: used but not persisted.
    """

    _provider = "Hugging Face embedding server"
    _batch_size = _BATCH_SIZE
    config_fields = ("url", "api_key_env_var")
    required_config = {"url": "URL must be provided for HuggingFaceEmbeddingServer"}

    def __init__(
        self, url: str, api_key_env_var: str | None = None, api_key: str | None = None
    ) -> None:
        if api_key is not None:
            warnings.warn(
                "Direct api_key configuration will not be persisted. Please use environment "
                "variables via api_key_env_var for persistent storage.",
                DeprecationWarning,
                stacklevel=2,
            )
        self.url = self._endpoint = url
        self.api_key_env_var = api_key_env_var
        if os.getenv("HUGGINGFACE_API_KEY") is not None:
            self.api_key_env_var = "HUGGINGFACE_API_KEY"
        key = api_key or (os.getenv(self.api_key_env_var) if self.api_key_env_var else None)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = JsonClient(self._provider, "huggingface", headers)

    def __call__(self, input: Documents) -> Embeddings:
        return self._embed(input, lambda batch: {"inputs": batch})

    def _rows(self, answer: Any) -> object:
        return answer  # text-embeddings-inference answers with the bare list of vectors

    @staticmethod
    def name() -> str:
        return "huggingface_server"

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        if "url" in new_config and new_config["url"] != self.url:
            raise ValueError(
                "The URL cannot be changed after the embedding function has been initialized."
            )
