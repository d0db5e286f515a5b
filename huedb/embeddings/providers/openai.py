"""OpenAI embeddings (also Azure OpenAI and OpenAI-compatible servers) over HTTP, as Chroma's."""

from __future__ import annotations

from typing import Any

from huedb.embeddings.providers._base import HttpFunction
from huedb.embeddings.providers._http import JsonClient, resolve_api_key
from huedb.embeddings.registry import register_embedding_function
from huedb.types import Documents, Embeddings

__all__ = ["OpenAIEmbeddingFunction"]

_DEFAULT_BASE = "https://api.openai.com/v1"


@register_embedding_function
class OpenAIEmbeddingFunction(HttpFunction):
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

    _provider = "OpenAI"
    _batch_size = 2048  # OpenAI's limit on inputs per request
    config_fields = (
        "api_key_env_var",
        "model_name",
        "organization_id",
        "api_base",
        "api_type",
        "api_version",
        "deployment_id",
        "default_headers",
        "dimensions",
    )
    config_if_set = frozenset()  # Chroma persists api_base here, even when unset

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
        if api_type == "azure":
            for setting, value in (
                ("api_version", api_version),
                ("deployment_id", deployment_id),
                ("api_base", api_base),
            ):
                if value is None:
                    raise ValueError(f"{setting} must be specified for Azure OpenAI")
            headers["api-key"] = key
            self._endpoint = f"{base}/openai/deployments/{deployment_id}/embeddings"
            self._params = {"api-version": str(api_version)}
        else:
            headers["Authorization"] = f"Bearer {key}"
            if organization_id is not None:
                headers["OpenAI-Organization"] = organization_id
            self._endpoint = f"{base}/embeddings"
        provider = "Azure OpenAI" if api_type == "azure" else "OpenAI"
        self._client = JsonClient(provider, "openai", headers)

    def __call__(self, input: Documents) -> Embeddings:
        return self._embed(input, self._body)

    def _body(self, batch: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model_name,
            "input": batch,
            "encoding_format": "float",
        }
        if self.dimensions is not None and "text-embedding-3" in self.model_name:
            body["dimensions"] = self.dimensions
        return body

    @staticmethod
    def name() -> str:
        return "openai"
