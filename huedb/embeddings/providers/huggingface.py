"""Hugging Face: the hosted Inference API and a text-embeddings-inference server, over HTTP."""

from __future__ import annotations

import os
import warnings
from typing import Any

from huedb.embeddings.base import EmbeddingFunction
from huedb.embeddings.providers._http import (
    JsonClient,
    batches,
    check_documents,
    forbid_updates,
    resolve_api_key,
    to_vectors,
)
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings, Space

__all__ = ["HuggingFaceEmbeddingFunction", "HuggingFaceEmbeddingServer"]

_DEFAULT_BASE = "https://router.huggingface.co/hf-inference/models"
_DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BATCH_SIZE = 32  # text-embeddings-inference's default --max-client-batch-size


@register_embedding_function
class HuggingFaceEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeds with Hugging Face's hosted feature-extraction pipeline.

    Args:
        api_key: used but not persisted; prefer `api_key_env_var`.
        model_name: a Hub model id.
        api_key_env_var: the variable holding the token; `HUGGINGFACE_API_KEY` wins when set.
        api_base: another base URL (a dedicated endpoint); huedb only, persisted when given.
    """

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
        self._url = f"{base}/{model_name}/pipeline/feature-extraction"
        self._client = JsonClient("Hugging Face", "huggingface", {"Authorization": f"Bearer {key}"})

    def __call__(self, input: Documents) -> Embeddings:
        out: Embeddings = []
        for batch in batches(check_documents("Hugging Face", input), _BATCH_SIZE):
            body = {"inputs": batch, "options": {"wait_for_model": True}}
            out.extend(to_vectors("Hugging Face", self._client.post(self._url, body), len(batch)))
        return out

    @staticmethod
    def name() -> str:
        return "huggingface"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HuggingFaceEmbeddingFunction:
        return HuggingFaceEmbeddingFunction(
            api_key_env_var=config.get("api_key_env_var", "CHROMA_HUGGINGFACE_API_KEY"),
            model_name=config.get("model_name", _DEFAULT_MODEL),
            api_base=config.get("api_base"),
        )

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "api_key_env_var": self.api_key_env_var,
            "model_name": self.model_name,
        }
        if self.api_base is not None:
            config["api_base"] = self.api_base
        return config

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        forbid_updates(new_config, "model_name")


@register_embedding_function
class HuggingFaceEmbeddingServer(EmbeddingFunction[Documents]):
    """Embeds with a text-embeddings-inference server; the model is the server's.

    Args:
        url: the server's embed endpoint, for example "http://localhost:8080/embed".
        api_key_env_var: a variable holding a bearer token, if the server wants one.
        api_key: used but not persisted.
    """

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
        self.url = url
        self.api_key_env_var = api_key_env_var
        if os.getenv("HUGGINGFACE_API_KEY") is not None:
            self.api_key_env_var = "HUGGINGFACE_API_KEY"
        key = api_key or (os.getenv(self.api_key_env_var) if self.api_key_env_var else None)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = JsonClient("Hugging Face embedding server", "huggingface", headers)

    def __call__(self, input: Documents) -> Embeddings:
        provider = self._client.provider
        out: Embeddings = []
        for batch in batches(check_documents(provider, input), _BATCH_SIZE):
            out.extend(
                to_vectors(provider, self._client.post(self.url, {"inputs": batch}), len(batch))
            )
        return out

    @staticmethod
    def name() -> str:
        return "huggingface_server"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HuggingFaceEmbeddingServer:
        url = config.get("url")
        if url is None:
            raise ValueError("URL must be provided for HuggingFaceEmbeddingServer")
        return HuggingFaceEmbeddingServer(url=url, api_key_env_var=config.get("api_key_env_var"))

    def get_config(self) -> dict[str, Any]:
        return {"url": self.url, "api_key_env_var": self.api_key_env_var}

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        if "url" in new_config and new_config["url"] != self.url:
            raise ValueError(
                "The URL cannot be changed after the embedding function has been initialized."
            )
