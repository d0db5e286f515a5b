"""Clients: Chroma's client factories and the Client/AdminClient classes over one Backend."""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import Any
from uuid import UUID

from huedb._backend import Backend, IdentityBackend
from huedb.collection import Collection
from huedb.collection_config import create_configuration_json
from huedb.config import DEFAULT_DATABASE, DEFAULT_TENANT, Settings
from huedb.embeddings import DefaultEmbeddingFunction, EmbeddingFunction
from huedb.embeddings.base import DataLoader
from huedb.embeddings.registry import check_ef_conflict, check_multiple_efs
from huedb.types import CollectionModel, Database, Tenant, UserIdentity

_DEFAULT_EF: Any = DefaultEmbeddingFunction()


class _SharedClient:
    """Holds one reference to the backend its settings select, released by `close`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._backend: Backend = _open_backend(settings)
        self._closed = False

    def get_settings(self) -> Settings:
        return self._settings

    def close(self) -> None:
        """Release this client's hold on the database; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        from huedb.engine import shared
        from huedb.engine.backend import LocalBackend

        if isinstance(self._backend, LocalBackend):
            shared.release(self._backend)
        else:
            from huedb.remote import HttpBackend, pool

            if isinstance(self._backend, HttpBackend):
                pool.release(self._backend)
            else:
                self._backend.close()

    def __enter__(self) -> _SharedClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @staticmethod
    def clear_system_cache() -> None:
        """Close every database and server connection this process has open (Chroma's
        `clear_system_cache`)."""
        from huedb.engine import shared

        shared.clear()
        pool = sys.modules.get("huedb.remote.pool")
        if pool is not None:  # no HTTP client was ever made otherwise: nothing to close
            pool.clear()


class AdminClient(_SharedClient):
    """Creates and inspects tenants and databases."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(settings if settings is not None else Settings())

    def create_tenant(self, name: str) -> None:
        self._backend.create_tenant(name)

    def get_tenant(self, name: str) -> Tenant:
        return self._backend.get_tenant(name)

    def create_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        self._backend.create_database(name, tenant)

    def get_database(self, name: str, tenant: str = DEFAULT_TENANT) -> Database:
        return self._backend.get_database(name, tenant)

    def list_databases(self, limit: int | None = None, offset: int | None = None,
                       tenant: str = DEFAULT_TENANT) -> list[Database]:
        return self._backend.list_databases(limit, offset, tenant)

    def delete_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        self._backend.delete_database(name, tenant)


class ClientAPI(_SharedClient):
    """A connection to one tenant and database; made by the factory functions below."""

    def __init__(self, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE,
                 settings: Settings | None = None) -> None:
        super().__init__(settings if settings is not None else Settings())
        try:
            self._validate_tenant_database(str(tenant), str(database))
        except BaseException:
            self.close()
            raise
        self.tenant = str(tenant)
        self.database = str(database)

    def _validate_tenant_database(self, tenant: str, database: str) -> None:
        self._backend.get_tenant(tenant)
        self._backend.get_database(database, tenant)

    # -- system -------------------------------------------------------------------------------
    def heartbeat(self) -> int:
        """Server time in nanoseconds since the epoch."""
        return self._backend.heartbeat()

    def get_version(self) -> str:
        return self._backend.get_version()

    def get_max_batch_size(self) -> int:
        return self._backend.get_max_batch_size()

    def get_user_identity(self) -> UserIdentity:
        """Who the server says this client is; in process, the anonymous local user."""
        if isinstance(self._backend, IdentityBackend):
            return self._backend.get_user_identity()
        return UserIdentity(user_id="", tenant=self.tenant, databases=[self.database])

    def reset(self) -> bool:
        """Delete everything; only allowed with `Settings(allow_reset=True)`."""
        return self._backend.reset()

    def set_tenant(self, tenant: str, database: str = DEFAULT_DATABASE) -> None:
        self._validate_tenant_database(tenant, database)
        self.tenant, self.database = tenant, database

    def set_database(self, database: str) -> None:
        self._validate_tenant_database(self.tenant, database)
        self.database = database

    # -- collections --------------------------------------------------------------------------
    def list_collections(self, limit: int | None = None,
                         offset: int | None = None) -> list[Collection]:
        """Collections ordered by id, each using its persisted embedding function."""
        models = self._backend.list_collections(limit, offset, self.tenant, self.database)
        return [self._wrap(m, _DEFAULT_EF, None) for m in models]

    def count_collections(self) -> int:
        return self._backend.count_collections(self.tenant, self.database)

    def create_collection(
        self, name: str, schema: Any = None, configuration: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        embedding_function: EmbeddingFunction[Any] | None = _DEFAULT_EF,
        data_loader: DataLoader[Any] | None = None, get_or_create: bool = False,
    ) -> Collection:
        """Create a collection; an existing name raises unless `get_or_create`."""
        configuration = dict(configuration or {})
        configuration_ef = configuration.get("embedding_function")
        check_multiple_efs(embedding_function, configuration_ef)
        if embedding_function is not None and configuration_ef is None:
            configuration["embedding_function"] = embedding_function
        _check_collection_metadata_types(metadata)
        wire = create_configuration_json(configuration, metadata) if configuration else None
        model = self._backend.create_collection(
            name, wire, metadata, get_or_create, self.tenant, self.database,
            _schema_json(schema),
        )
        return self._wrap(model, embedding_function, data_loader)

    def get_collection(self, name: str,
                       embedding_function: EmbeddingFunction[Any] | None = _DEFAULT_EF,
                       data_loader: DataLoader[Any] | None = None) -> Collection:
        """The collection with this name, or NotFoundError."""
        model = self._backend.get_collection(name, self.tenant, self.database)
        check_ef_conflict(embedding_function, model.configuration_json.get("embedding_function"))
        return self._wrap(model, embedding_function, data_loader)

    def get_collection_by_id(self, id: UUID,
                             embedding_function: EmbeddingFunction[Any] | None = _DEFAULT_EF,
                             data_loader: DataLoader[Any] | None = None) -> Collection:
        model = self._backend.get_collection_by_id(id)
        check_ef_conflict(embedding_function, model.configuration_json.get("embedding_function"))
        return self._wrap(model, embedding_function, data_loader)

    def get_or_create_collection(
        self, name: str, schema: Any = None, configuration: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        embedding_function: EmbeddingFunction[Any] | None = _DEFAULT_EF,
        data_loader: DataLoader[Any] | None = None,
    ) -> Collection:
        """The existing collection (its metadata and configuration unchanged) or a new one."""
        collection = self.create_collection(
            name, schema=schema, configuration=configuration, metadata=metadata,
            embedding_function=embedding_function, data_loader=data_loader, get_or_create=True,
        )
        check_ef_conflict(embedding_function,
                          collection.configuration_json.get("embedding_function"))
        return collection

    def delete_collection(self, name: str) -> None:
        self._backend.delete_collection(name, self.tenant, self.database)

    def _wrap(self, model: CollectionModel, ef: EmbeddingFunction[Any] | None,
              data_loader: DataLoader[Any] | None) -> Collection:
        return Collection(self._backend, model, ef, data_loader)


HTTP_API_IMPLS = frozenset({
    "chromadb.api.fastapi.FastAPI", "chromadb.api.async_fastapi.AsyncFastAPI",
    "huedb.remote.HttpBackend",
})


def _open_backend(settings: Settings) -> Backend:
    """The engine or an HTTP connection, imported here so `import huedb` stays light."""
    if settings.chroma_api_impl in HTTP_API_IMPLS:
        return _open_http_backend(settings)
    from huedb.engine import shared

    path = Path(settings.persist_directory) if settings.is_persistent else None
    return shared.acquire(path, settings)


def _open_http_backend(settings: Settings) -> Backend:
    from huedb.remote import HttpBackend, pool

    host = str(settings.chroma_server_host or "localhost")
    port = settings.chroma_server_http_port or 8000
    if host.startswith("http"):
        base_url = host  # a full URL: Chroma ignores the port then
    else:
        scheme = "https" if settings.chroma_server_ssl_enabled else "http"
        base_url = f"{scheme}://{host}:{port}"
    verify = True if settings.chroma_server_ssl_verify is None else \
        settings.chroma_server_ssl_verify
    headers = {**(settings.chroma_server_headers or {}), **_auth_headers(settings)}
    api_path = settings.chroma_server_api_default_path or "/api/v2"
    limits = (settings.chroma_http_keepalive_secs, settings.chroma_http_max_connections,
              settings.chroma_http_max_keepalive_connections)
    key = (base_url, tuple(sorted(headers.items())), api_path, verify, limits)
    return pool.acquire(key, lambda: HttpBackend.connect(
        base_url, headers=headers, api_path=api_path, verify=verify, keepalive=limits[0],
        max_connections=limits[1], max_keepalive=limits[2]))


_TOKEN_CLIENT = ("chromadb.auth.token_authn.TokenAuthClientProvider", "token")
_BASIC_CLIENT = ("chromadb.auth.basic_authn.BasicAuthClientProvider", "basic")


def _auth_headers(settings: Settings) -> dict[str, str]:
    """The headers Chroma's client auth providers send."""
    provider = settings.chroma_client_auth_provider
    if not provider:
        return {}
    credentials = settings.chroma_client_auth_credentials
    if not credentials:
        raise ValueError("Missing required config value 'chroma_client_auth_credentials'")
    if provider in _BASIC_CLIENT:
        import base64

        return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}
    if provider not in _TOKEN_CLIENT:
        raise ValueError(f"Unsupported client auth provider: {provider}")
    header = settings.chroma_auth_token_transport_header or "Authorization"
    if header.lower() == "authorization":
        return {"Authorization": f"Bearer {credentials}"}
    if header.lower() == "x-chroma-token":
        return {"X-Chroma-Token": credentials}
    raise ValueError(f"Invalid token transport header: {header}. "
                     "Must be one of ['Authorization', 'X-Chroma-Token']")


def _check_collection_metadata_types(metadata: Any) -> None:
    """The conversions Chroma's Rust binding refuses, with its messages."""
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise TypeError(
            f"argument 'metadata': '{type(metadata).__name__}' object cannot be converted to "
            "'PyDict'"
        )
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise TypeError(
                f"argument 'metadata': '{type(key).__name__}' object cannot be converted to "
                "'PyString'"
            )
        if value is None or isinstance(value, dict):
            raise TypeError("argument 'metadata': Cannot convert Python object to MetadataValue")


def _schema_json(schema: Any) -> dict[str, Any] | None:
    if schema is None:
        return None
    if isinstance(schema, dict):
        return schema
    serialize = getattr(schema, "serialize_to_json", None)
    if serialize is None:
        raise TypeError(f"Expected a schema dict or Schema object, got {type(schema).__name__}")
    result: dict[str, Any] = serialize()
    return result


# -- factories (Chroma's module-level constructors) ---------------------------------------------

def EphemeralClient(settings: Settings | None = None, tenant: str = DEFAULT_TENANT,
                    database: str = DEFAULT_DATABASE) -> ClientAPI:
    """An in-memory database shared by every ephemeral client in this process."""
    settings = (settings or Settings()).copy(is_persistent=False)
    return ClientAPI(tenant=str(tenant), database=str(database), settings=settings)


def PersistentClient(path: str | Path = "./chroma", settings: Settings | None = None,
                     tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE) -> ClientAPI:
    """A database stored under `path`; several processes may open the same path at once."""
    settings = (settings or Settings()).copy(persist_directory=str(path), is_persistent=True)
    return ClientAPI(tenant=str(tenant), database=str(database), settings=settings)


def HttpClient(host: str = "localhost", port: int = 8000, ssl: bool = False,
               headers: dict[str, str] | None = None, settings: Settings | None = None,
               tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE) -> ClientAPI:
    """A client of a Chroma-compatible server (`huedb run` or `chroma run`)."""
    return ClientAPI(tenant=str(tenant), database=str(database),
                     settings=http_settings(host, port, ssl, headers, settings))


def http_settings(host: str, port: int, ssl: bool, headers: dict[str, str] | None,
                  settings: Settings | None) -> Settings:
    """Settings for an HTTP client, refusing host or port that disagree with `settings`."""
    settings = settings if settings is not None else Settings()
    host, port, ssl = str(host), int(port), bool(ssl)
    if settings.chroma_server_host and settings.chroma_server_host != host:
        raise ValueError(f"Chroma server host provided in settings[{settings.chroma_server_host}]"
                         f" is different to the one provided in HttpClient: [{host}]")
    if settings.chroma_server_http_port and settings.chroma_server_http_port != port:
        raise ValueError("Chroma server http port provided in settings"
                         f"[{settings.chroma_server_http_port}] is different to the one "
                         f"provided in HttpClient: [{port}]")
    changes: dict[str, Any] = {"chroma_api_impl": "chromadb.api.fastapi.FastAPI",
                               "chroma_server_host": host, "chroma_server_http_port": port,
                               "chroma_server_ssl_enabled": ssl}
    if headers is not None:
        changes["chroma_server_headers"] = dict(headers)
    return settings.copy(**changes)


_module_settings = Settings()


def configure(**kwargs: Any) -> None:
    """Replace the settings `Client()` uses by default."""
    global _module_settings
    _module_settings = Settings(**kwargs)


def get_settings() -> Settings:
    return _module_settings


def Client(settings: Settings | None = None, tenant: str = DEFAULT_TENANT,
           database: str = DEFAULT_DATABASE) -> ClientAPI:
    """Chroma's `chromadb.Client(settings)`: persistent or in-memory as the settings say."""
    return ClientAPI(tenant=str(tenant), database=str(database),
                     settings=settings if settings is not None else _module_settings)
