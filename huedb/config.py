"""Settings: Chroma's `Settings` fields plus huedb's own, read once from arguments and environment.

Precedence: constructor arguments, then `HUEDB_<FIELD>` environment variables, then Chroma's
bare `<FIELD>` variables (case-insensitive, as pydantic-settings reads them), then defaults.
Nothing here runs at import time. There is no telemetry: `anonymized_telemetry` is accepted and
ignored.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any, Literal

DEFAULT_TENANT = "default_tenant"
DEFAULT_DATABASE = "default_database"

LEGACY_ERROR = (
    "\033[91mYou are using a deprecated configuration of Chroma.\n\n"
    "\033[94mIf you do not have data you wish to migrate, you only need to change how you "
    "construct\nyour Chroma client. Please see the \"New Clients\" section of "
    "https://docs.trychroma.com/deployment/migration.\n"
    "________________________________________________________________________________________"
    "________\n\nIf you do have data you wish to migrate, we have a migration tool you can use "
    "in order to\nmigrate your data to the new Chroma architecture.\nPlease `pip install "
    "chroma-migrate` and run `chroma-migrate` to migrate your data and then\nchange how you "
    "construct your Chroma client.\n\nSee https://docs.trychroma.com/deployment/migration for "
    "more information or join our discord at https://discord.gg/MMeYNTmh3x for help!\033[0m"
)
_LEGACY_VALUES = {
    "duckdb", "duckdb+parquet", "clickhouse", "local", "rest",
    "chromadb.db.duckdb.DuckDB", "chromadb.db.duckdb.PersistentDuckDB",
    "chromadb.db.clickhouse.Clickhouse", "chromadb.api.local.LocalAPI",
}

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]


@dataclass(eq=True)
class Settings:
    """Client and server settings; unknown keyword arguments are kept and ignored, like Chroma."""

    environment: str = ""
    chroma_api_impl: str = "huedb.engine.LocalBackend"
    is_persistent: bool = False
    persist_directory: str = "./chroma"
    allow_reset: bool = False
    anonymized_telemetry: bool = False
    chroma_server_host: str | None = None
    chroma_server_http_port: int | None = None
    chroma_server_ssl_enabled: bool | None = False
    chroma_server_ssl_verify: bool | str | None = None
    chroma_server_headers: dict[str, str] | None = None
    chroma_server_api_default_path: str | None = "/api/v2"
    chroma_server_cors_allow_origins: list[str] = field(default_factory=list)
    chroma_http_keepalive_secs: float | None = 40.0
    chroma_http_max_connections: int | None = None
    chroma_http_max_keepalive_connections: int | None = None
    chroma_client_auth_provider: str | None = None
    chroma_client_auth_credentials: str | None = None
    chroma_auth_token_transport_header: str | None = None
    chroma_overwrite_singleton_tenant_database_access_from_auth: bool = False
    chroma_server_authn_provider: str | None = None
    chroma_server_authn_credentials: str | None = None
    chroma_server_authn_credentials_file: str | None = None
    migrations: Literal["none", "validate", "apply"] = "apply"
    migrations_hash_algorithm: Literal["md5", "sha256"] = "md5"
    chroma_db_impl: str | None = None
    # huedb's own: how hard SQLite works to make each acknowledged write durable.
    sqlite_synchronous: Synchronous = "FULL"
    # How long a writer waits for another process's write transaction before giving up.
    busy_timeout_seconds: float = 60.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __init__(self, **kwargs: Any) -> None:
        known = {f.name: f for f in dataclasses.fields(self) if f.name != "extra"}
        self.extra = {}
        for name, f in known.items():
            if name in kwargs:
                value = kwargs.pop(name)
            else:
                value = _from_environment(name, f)
            setattr(self, name, _coerce(f, value))
        self.extra.update(kwargs)
        if self.chroma_db_impl is not None or self.chroma_api_impl in _LEGACY_VALUES:
            raise ValueError(LEGACY_ERROR)

    def require(self, key: str) -> Any:
        value = self[key]
        if value is None:
            raise ValueError(f"Missing required config value '{key}'")
        return value

    def __getitem__(self, key: str) -> Any:
        value = getattr(self, key)
        if isinstance(value, str) and value in _LEGACY_VALUES:
            raise ValueError(LEGACY_ERROR)
        return value

    def copy(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                  if f.name != "extra"}
        values.update(self.extra)
        values.update(changes)
        return Settings(**values)


def _from_environment(name: str, f: dataclasses.Field[Any]) -> Any:
    env = {k.upper(): v for k, v in os.environ.items()}
    for key in (f"HUEDB_{name.upper()}", name.upper()):
        if key in env:
            return env[key]
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def _coerce(f: dataclasses.Field[Any], value: Any) -> Any:
    """Environment values arrive as strings; turn them into the field's type."""
    if not isinstance(value, str):
        return value
    kind = str(f.type)
    if kind.startswith("bool"):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if kind.startswith("int"):
        return int(value) if value.strip() else None
    if kind.startswith("float"):
        return float(value) if value.strip() else None
    if kind.startswith("list"):
        # JSON, as pydantic-settings reads Chroma's list variables, or comma-separated.
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]
    if f.name == "sqlite_synchronous":
        return value.upper()
    return value
