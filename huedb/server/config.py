"""Server configuration: Chroma's YAML server config keys, CHROMA_* overrides, and Settings."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huedb.config import Settings

DEFAULT_MAX_PAYLOAD = 41_943_040  # 40 MiB, Chroma's `max_payload_size_bytes`
ACCESS_LOG_FORMATS = ("off", "json")
ENV_PREFIX = "CHROMA_"
# The Settings fields the server itself reads (auth and storage); `settings` carries them.
SERVER_SETTINGS = ("sqlite_synchronous", "busy_timeout_seconds", "chroma_server_authn_provider",
                   "chroma_server_authn_credentials", "chroma_server_authn_credentials_file",
                   "chroma_auth_token_transport_header", "chroma_server_cors_allow_origins")


@dataclass
class ServerConfig:
    """What `huedb run` serves and how; the field names are Chroma's config-file keys."""

    port: int = 8000
    listen_address: str = "localhost"
    persist_path: str = "./chroma"
    allow_reset: bool = False
    max_payload_size_bytes: int = DEFAULT_MAX_PAYLOAD
    cors_allow_origins: list[str] = field(default_factory=list)
    workers: int = 1
    # "json": one JSON line per request on the `huedb.access` logger (see server/access_log.py).
    access_log: str = "off"
    # Anything else Settings knows (auth, sqlite_synchronous, ...), by Settings field name.
    settings: dict[str, Any] = field(default_factory=dict)

    def to_settings(self) -> Settings:
        """Settings for the engine and the app; environment variables fill the gaps."""
        return Settings(**{**self.settings, "is_persistent": True,
                           "persist_directory": self.persist_path,
                           "allow_reset": self.allow_reset})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ServerConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        settings_fields = {f.name for f in dataclasses.fields(Settings)} - {"extra"}
        kwargs: dict[str, Any] = {"settings": dict(values.get("settings") or {})}
        for key, value in values.items():
            if key in known and key != "settings":
                kwargs[key] = value
            elif key in settings_fields:
                kwargs["settings"][key] = value
        config = cls(**kwargs)
        for name in ("port", "workers", "max_payload_size_bytes"):
            value = getattr(config, name)
            try:
                setattr(config, name, int(value))
            except (TypeError, ValueError):
                raise ValueError(f"{name} must be a whole number, not {value!r}") from None
        config.allow_reset = _as_bool(config.allow_reset)
        config.access_log = _access_log_format(config.access_log)
        if isinstance(config.cors_allow_origins, str):
            config.cors_allow_origins = [o.strip() for o in config.cors_allow_origins.split(",")
                                         if o.strip()]
        return config


def load_config(path: str | Path | None = None,
                environ: dict[str, str] | None = None) -> ServerConfig:
    """A YAML config file in Chroma's shape if given, then `CHROMA_<KEY>` environment overrides.

    The variables apply with or without a file, as they do for `chroma run`.
    """
    loaded = _read_config_file(Path(path)) if path is not None else {}
    environ = dict(os.environ if environ is None else environ)
    known = {f.name for f in dataclasses.fields(ServerConfig)} | (
        {f.name for f in dataclasses.fields(Settings)} - {"extra"})
    for key, value in environ.items():
        name = key.lower()
        if name.startswith("chroma_") and name[len("chroma_"):] in known:
            loaded[name[len("chroma_"):]] = _yaml_value(value)
    return ServerConfig.from_dict(loaded)


def load_config_file(path: str | Path, environ: dict[str, str] | None = None) -> ServerConfig:
    """`load_config` with a file that must exist."""
    return load_config(path, environ)


def environment_variable(name: str) -> str:
    """The variable that sets a ServerConfig field or one of SERVER_SETTINGS.

    Settings' own `chroma_*` fields are read under their bare names (`CHROMA_SERVER_AUTHN_...`).
    """
    return name.upper() if name.startswith("chroma_") else ENV_PREFIX + name.upper()


def _yaml_value(text: str) -> Any:
    """An environment value read as YAML (`true`, `8000`, `["*"]`), as a config file would be."""
    import yaml

    try:
        return yaml.safe_load(text) if text else text
    except yaml.YAMLError:
        return text  # not YAML: the plain string (a token, a path with a colon)


def _read_config_file(file: Path) -> dict[str, Any]:
    import yaml

    if not file.exists():
        raise FileNotFoundError(f"Config file {file} does not exist")
    try:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"Config file {file} is not valid YAML: "
                         f"{' '.join(str(exc).split())}") from None
    if not isinstance(loaded, dict):
        raise ValueError(f"Config file {file} must hold a mapping of settings")
    return loaded


def _access_log_format(value: Any) -> str:
    # YAML reads a bare `off` as False (and `on` as True).
    if value is None or value is False:
        return "off"
    text = "json" if value is True else str(value).strip().lower()
    if text not in ACCESS_LOG_FORMATS:
        raise ValueError(f"access_log must be one of {', '.join(ACCESS_LOG_FORMATS)}: {value!r}")
    return text


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
