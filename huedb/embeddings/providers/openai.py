"""OpenAI embeddings (also Azure OpenAI and OpenAI-compatible servers) over HTTP, as Chroma's."""

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

__all__ = ["OpenAIEmbeddingFunction"]

_DEFAULT_BASE = "https://api.openai.com/v1"
_BATCH_SIZE = 2048  # OpenAI's limit on inputs per request


@register_embedding_function
class OpenAIEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeds with OpenAI's `/embeddings` endpoint; `api_type="azure"` for Azure OpenAI.

    Args:
        api_key: used but not persisted; prefer `api_key_env_var`.
        model_name: the model, for example "text-embedding-3-small".
        organization_id: sent as the `OpenAI-Organization` header.
        api_base: another base URL (an OpenAI-compatible server, or the Azure endpoint).
        api_type: "azure" for Azure OpenAI (then `api_version`, `deployment_id`, `api_base`).
        api_version: Azure's `api-version`.
        deployment_id: Azure's deployment name.
        default_headers: extra headers for every request.
        dimensions: output size, sent only for text-embedding-3 models (as Chroma does).
        api_key_env_var: the variable holding the key; `OPENAI_API_KEY` wins when it is set.

    Raises:
        ValueError: when the key is missing or an Azure setting is missing.
    """

    def __init__(
        self,
        api_key: str | None = None,
        model_name: str = "text-embedding-ada-002",
        organization_id: str | None = None,
        api_base: str | None = None,
        api_type: str | None = None,
        api_version: str | None = None,
        deployment_id: str | None = None,
        default_headers: dict[str, str] | None = None,
        dimensions: int | None = None,
        api_key_env_var: str = "CHROMA_OPENAI_API_KEY",
    ) -> None:
        self.api_key_env_var, key = resolve_api_key(
            "OpenAI", api_key, api_key_env_var, "OPENAI_API_KEY"
        )
        self.model_name = model_name
        self.organization_id = organization_id
        self.api_base = api_base
        self.api_type = api_type
        self.api_version = api_version
        self.deployment_id = deployment_id
        self.default_headers = default_headers
        self.dimensions = dimensions
        headers = dict(default_headers or {})
        base = (api_base or _DEFAULT_BASE).rstrip("/")
        self._params: dict[str, str] | None = None
        if api_type == "azure":
            for setting, value in (
                ("api_version", api_version),
                ("deployment_id", deployment_id),
                ("api_base", api_base),
            ):
                if value is None:
                    raise ValueError(f"{setting} must be specified for Azure OpenAI")
            headers["api-key"] = key
            self._url = f"{base}/openai/deployments/{deployment_id}/embeddings"
            self._params = {"api-version": str(api_version)}
        else:
            headers["Authorization"] = f"Bearer {key}"
            if organization_id is not None:
                headers["OpenAI-Organization"] = organization_id
            self._url = f"{base}/embeddings"
        provider = "Azure OpenAI" if api_type == "azure" else "OpenAI"
        self._client = JsonClient(provider, "openai", headers)

    def __call__(self, input: Documents) -> Embeddings:
        texts = check_documents("OpenAI", input)
        out: Embeddings = []
        for batch in batches(texts, _BATCH_SIZE):
            body: dict[str, Any] = {
                "model": self.model_name,
                "input": batch,
                "encoding_format": "float",
            }
            if self.dimensions is not None and "text-embedding-3" in self.model_name:
                body["dimensions"] = self.dimensions
            answer = self._client.post(self._url, body, self._params)
            rows = data_rows(self._client.provider, answer)
            out.extend(to_vectors(self._client.provider, rows, len(batch)))
        return out

    @staticmethod
    def name() -> str:
        return "openai"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbeddingFunction:
        return OpenAIEmbeddingFunction(
            api_key_env_var=config.get("api_key_env_var", "CHROMA_OPENAI_API_KEY"),
            model_name=config.get("model_name", "text-embedding-ada-002"),
            organization_id=config.get("organization_id"),
            api_base=config.get("api_base"),
            api_type=config.get("api_type"),
            api_version=config.get("api_version"),
            deployment_id=config.get("deployment_id"),
            default_headers=config.get("default_headers"),
            dimensions=config.get("dimensions"),
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "api_key_env_var": self.api_key_env_var,
            "model_name": self.model_name,
            "organization_id": self.organization_id,
            "api_base": self.api_base,
            "api_type": self.api_type,
            "api_version": self.api_version,
            "deployment_id": self.deployment_id,
            "default_headers": self.default_headers,
            "dimensions": self.dimensions,
        }

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        forbid_updates(new_config, "model_name")
