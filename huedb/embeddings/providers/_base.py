"""What every provider shares: config methods from declared fields, and the batched POST loop."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from huedb.embeddings.base import EmbeddingFunction
from huedb.embeddings.providers._http import (
    JsonClient,
    batches,
    check_documents,
    data_rows,
    forbid_updates,
    to_vectors,
)
from huedb.types import Documents, Embeddings, Space

__all__ = ["ConfiguredFunction", "HttpFunction"]

_F = TypeVar("_F", bound="ConfiguredFunction")


class ConfiguredFunction(EmbeddingFunction[Documents]):
    """Chroma's config methods, following from the config fields a subclass declares once."""

    # Every persisted key, in Chroma's order; each is also a constructor parameter and an
    # attribute. A key missing from a config rebuilds with the constructor's default.
    config_fields: ClassVar[tuple[str, ...]] = ()
    # Keys a config must hold (not None), each with Chroma's error when it does not.
    required_config: ClassVar[Mapping[str, str]] = {}
    # Keys persisted only when set (huedb-only ones such as api_base, so configs read as Chroma's).
    config_if_set: ClassVar[frozenset[str]] = frozenset({"api_base"})
    # What a collection may not change once its vectors were made with it.
    fixed_config: ClassVar[tuple[str, ...]] = ("model_name",)

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]

    # A classmethod, not Chroma's staticmethod, so that one body serves every subclass; it is
    # still called as `Cls.build_from_config(config)`.
    @classmethod
    def build_from_config(cls: type[_F], config: dict[str, Any]) -> _F:
        return cls(**cls._init_args(config))

    @classmethod
    def _init_args(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        parameters = inspect.signature(cls.__init__).parameters
        args: dict[str, Any] = {}
        for key in cls.config_fields:
            if key in cls.required_config and config.get(key) is None:
                raise ValueError(cls.required_config[key])
            default = parameters[key].default
            args[key] = config.get(key, None if default is inspect.Parameter.empty else default)
        return args

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        for key in self.config_fields:
            value = getattr(self, key)
            if value is not None or key not in self.config_if_set:
                config[key] = value
        return config

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        forbid_updates(new_config, *self.fixed_config)


class HttpFunction(ConfiguredFunction):
    """A provider reached over HTTP: texts go out in batches, one JSON POST each."""

    _provider: ClassVar[str]  # names the provider in input errors
    _batch_size: ClassVar[int]  # the provider's limit on texts per request
    _client: JsonClient
    _endpoint: str
    _params: dict[str, str] | None = None  # query string sent with every POST

    def _embed(self, input: Documents, body: Callable[[list[str]], object]) -> Embeddings:
        """One vector per text, POSTing `body(batch)` for each batch of at most `_batch_size`."""
        out: Embeddings = []
        for batch in batches(check_documents(self._provider, input), self._batch_size):
            answer = self._client.post(self._endpoint, body(batch), self._params)
            out.extend(to_vectors(self._client.provider, self._rows(answer), len(batch)))
        return out

    def _rows(self, answer: Any) -> object:
        """The vectors in a decoded answer; OpenAI's shape unless the provider says otherwise."""
        return data_rows(self._client.provider, answer)
