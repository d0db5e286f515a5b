"""What the HTTP embedding providers share: API keys, batching, and JSON POSTs with retries."""

from __future__ import annotations

import importlib
import os
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "EmbeddingProviderError",
    "JsonClient",
    "batches",
    "check_documents",
    "data_rows",
    "field",
    "forbid_updates",
    "resolve_api_key",
    "to_vectors",
]

# Retried: rate limiting and the server errors that usually pass. Everything else fails at once.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 20.0
DEFAULT_TIMEOUT_SECONDS = 60.0
_NOT_PERSISTED = (
    "Direct api_key configuration will not be persisted. "
    "Please use environment variables via api_key_env_var for persistent storage."
)


class EmbeddingProviderError(ValueError):
    """An embedding provider refused a request or answered with something that is not vectors."""


def import_httpx(provider: str, extra: str) -> Any:
    """The httpx module, or an ImportError naming the extra that installs it."""
    try:
        return importlib.import_module("httpx")
    except ImportError as e:
        raise ImportError(
            f"The {provider} embedding function needs the httpx package; install it with "
            f"`pip install 'huedb[{extra}]'`"
        ) from e


def resolve_api_key(
    provider: str, api_key: str | None, env_var: str, preferred_env_var: str | None = None
) -> tuple[str, str]:
    """`(env var name to persist, key)`, as Chroma resolves them.

    A key passed directly is used but never persisted (DeprecationWarning, Chroma's text). The
    provider's conventional variable (for example `OPENAI_API_KEY`), when set, replaces
    `env_var`, as in Chroma.

    Raises:
        ValueError: "The {env_var} environment variable is not set. ..." naming the provider.
    """
    if api_key is not None:
        warnings.warn(_NOT_PERSISTED, DeprecationWarning, stacklevel=3)
    if preferred_env_var is not None and os.getenv(preferred_env_var) is not None:
        env_var = preferred_env_var
    key = api_key or os.getenv(env_var)
    if not key:
        raise ValueError(
            f"The {env_var} environment variable is not set. Set it to your {provider} API key "
            "(or pass api_key=, which is not persisted)."
        )
    return env_var, key


def check_documents(provider: str, input: object) -> list[str]:
    """The input as a list of strings, or a ValueError naming the provider."""
    texts = [input] if isinstance(input, str) else list(input)  # type: ignore[call-overload]
    for text in texts:
        if not isinstance(text, str):
            raise ValueError(
                f"The {provider} embedding function embeds text only, got {type(text).__name__}"
            )
    return texts


def batches(texts: Sequence[str], size: int) -> Iterator[list[str]]:
    """Consecutive slices of at most `size` texts."""
    for start in range(0, len(texts), size):
        yield list(texts[start : start + size])


def to_vectors(provider: str, rows: object, expected: int) -> list[NDArray[np.float32]]:
    """Float32 vectors from a JSON list of lists, checking that one came back per text."""
    if not isinstance(rows, list) or len(rows) != expected:
        got = len(rows) if isinstance(rows, list) else type(rows).__name__
        raise EmbeddingProviderError(f"{provider} returned {got} embeddings for {expected} texts")
    try:
        return [np.asarray(row, dtype=np.float32) for row in rows]
    except (TypeError, ValueError) as e:
        raise EmbeddingProviderError(f"{provider} returned malformed embeddings: {e}") from e


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date; fall back to exponential backoff


def _error_detail(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return str(response.text)[:500]
    if isinstance(body, dict):
        error = body.get("error", body.get("message", body.get("detail", body)))
        if isinstance(error, dict):
            error = error.get("message", error)
        return str(error)[:500]
    return str(body)[:500]


class JsonClient:
    """POSTs JSON to one provider, retrying 429/5xx and transport errors with backoff.

    The httpx client is created at first use and reused (thread-safe, keeps connections alive).
    """

    def __init__(
        self,
        provider: str,
        extra: str,
        headers: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.provider = provider
        self._httpx = import_httpx(provider, extra)
        self._headers = dict(headers or {})
        self._timeout = timeout
        self._client: Any = None
        self._lock = threading.Lock()

    def _session(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._httpx.Client(headers=self._headers, timeout=self._timeout)
            return self._client

    def post(self, url: str, body: object, params: Mapping[str, str] | None = None) -> Any:
        """The decoded JSON answer to a POST of `body`.

        Raises:
            EmbeddingProviderError: naming the provider, the status and the provider's message,
                after the retries when the failure is transient.
        """
        attempt = 0
        while True:
            attempt += 1
            delay = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
            try:
                response = self._session().post(url, json=body, params=params)
            except self._httpx.TransportError as e:
                if attempt >= MAX_ATTEMPTS:
                    raise EmbeddingProviderError(
                        f"{self.provider} embedding request to {url} failed after {attempt} "
                        f"attempts: {type(e).__name__}: {e}"
                    ) from e
                time.sleep(delay)
                continue
            if response.status_code < 300:
                try:
                    return response.json()
                except ValueError as e:
                    raise EmbeddingProviderError(
                        f"{self.provider} returned a response that is not JSON from {url}"
                    ) from e
            if response.status_code in RETRY_STATUSES and attempt < MAX_ATTEMPTS:
                retry_after = _retry_after(response.headers)
                wait = delay if retry_after is None else min(retry_after, BACKOFF_MAX_SECONDS)
                time.sleep(wait)
                continue
            raise EmbeddingProviderError(
                f"{self.provider} embedding request failed: HTTP {response.status_code} from "
                f"{url} (attempt {attempt}): {_error_detail(response)}"
            )

    def close(self) -> None:
        """Close the connection pool; the client reopens it if used again."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def forbid_updates(new_config: Mapping[str, Any], *keys: str) -> None:
    """Chroma's `validate_config_update`: these settings are fixed once a collection has them."""
    for key in keys:
        if key in new_config:
            label = key.replace("_name", " name").replace("_", " ")
            raise ValueError(
                f"The {label} cannot be changed after the embedding function has been initialized."
            )


def data_rows(provider: str, answer: Any) -> list[Any]:
    """The vectors of an OpenAI-style answer, `{"data": [{"embedding": ..., "index": i}]}`."""
    try:
        data = sorted(answer["data"], key=lambda d: d.get("index", 0))
        return [d["embedding"] for d in data]
    except (KeyError, TypeError, AttributeError) as e:
        raise EmbeddingProviderError(
            f"{provider} returned an unexpected response: {answer!r:.300}"
        ) from e


def field(provider: str, answer: Any, key: str) -> Any:
    """`answer[key]`, or an EmbeddingProviderError showing what came back instead."""
    if not isinstance(answer, dict) or key not in answer:
        raise EmbeddingProviderError(
            f"{provider} returned an unexpected response (no {key!r}): {answer!r:.300}"
        )
    return answer[key]
