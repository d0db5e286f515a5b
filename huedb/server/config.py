"""Server configuration: Chroma's YAML server config keys, CHROMA_* overrides, and Settings."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huedb.config import Settings

DEFAULT_MAX_PAYLOAD = 41_943_040  # 40 MiB, Chroma's `max_payload_size_bytes`


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
        config.port = int(config.port)
        config.workers = int(config.workers)
        config.max_payload_size_bytes = int(config.max_payload_size_bytes)
        config.allow_reset = _as_bool(config.allow_reset)
        if isinstance(config.cors_allow_origins, str):
            config.cors_allow_origins = [o.strip() for o in config.cors_allow_origins.split(",")
                                         if o.strip()]
        return config


def load_config_file(path: str | Path, environ: dict[str, str] | None = None) -> ServerConfig:
    """A YAML config file in Chroma's shape, then `CHROMA_<KEY>` environment overrides."""
    import yaml

    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"Config file {file} does not exist")
    loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"Config file {file} must hold a mapping of settings")
    environ = dict(os.environ if environ is None else environ)
    known = {f.name for f in dataclasses.fields(ServerConfig)} | (
        {f.name for f in dataclasses.fields(Settings)} - {"extra"})
    for key, value in environ.items():
        name = key.lower()
        if name.startswith("chroma_") and name[len("chroma_"):] in known:
            loaded[name[len("chroma_"):]] = yaml.safe_load(value) if value else value
    return ServerConfig.from_dict(loaded)


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
