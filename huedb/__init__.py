"""huedb: an embedding database that speaks Chroma's API, on a durable SQLite engine.

`import huedb as chromadb` keeps a Chroma program working. Heavy parts (the engine, numpy
kernels, embedding models) load on first use, so importing huedb is cheap.
"""

from huedb._version import __version__
from huedb.async_client import AsyncClientAPI, AsyncHttpClient
from huedb.async_collection import AsyncCollection
from huedb.client import (
    AdminClient,
    Client,
    ClientAPI,
    EphemeralClient,
    HttpClient,
    PersistentClient,
    configure,
    get_settings,
)
from huedb.collection import Collection
from huedb.config import DEFAULT_DATABASE, DEFAULT_TENANT, Settings
from huedb.embeddings import EmbeddingFunction
from huedb.types import (
    Documents,
    Embeddings,
    GetResult,
    IDs,
    Include,
    Metadata,
    QueryResult,
    Where,
    WhereDocument,
)

__all__ = [
    "AdminClient",
    "AsyncClientAPI",
    "AsyncCollection",
    "AsyncHttpClient",
    "Client",
    "ClientAPI",
    "Collection",
    "DEFAULT_DATABASE",
    "DEFAULT_TENANT",
    "Documents",
    "EmbeddingFunction",
    "Embeddings",
    "EphemeralClient",
    "GetResult",
    "HttpClient",
    "IDs",
    "Include",
    "Metadata",
    "PersistentClient",
    "QueryResult",
    "Settings",
    "Where",
    "WhereDocument",
    "__version__",
    "configure",
    "get_settings",
]
