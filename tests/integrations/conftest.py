"""A `chroma_client` of every kind the integrations are handed, with Chroma itself as reference.

Kinds: huedb's EphemeralClient and PersistentClient in process; Chroma's own HttpClient and huedb's
HttpClient against a `huedb run` server on 127.0.0.1; and chromadb's EphemeralClient, which runs
the very same tests so that every expected value is shown to be Chroma's behaviour, not huedb's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import huedb
from tests.server.conftest import Server

KINDS = ["huedb-ephemeral", "huedb-persistent", "chromadb-http", "huedb-http", "chroma-reference"]


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One `huedb run` for the whole session (a process per test would dominate the run time)."""
    running = Server(tmp_path_factory.mktemp("served"))
    yield running
    running.stop()


@pytest.fixture(params=KINDS)
def chroma_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A client to hand to an integration; its collections are dropped afterwards."""
    kind: str = request.param
    port = request.getfixturevalue("served").port if kind.endswith("-http") else 0
    if kind == "huedb-ephemeral":
        client: Any = huedb.EphemeralClient()
    elif kind == "huedb-persistent":
        client = huedb.PersistentClient(path=tmp_path / "db")
    elif kind == "huedb-http":
        client = huedb.HttpClient(host="127.0.0.1", port=port)
    else:
        import chromadb  # only the integrations' venv has it; the main suite skips these tests

        settings = chromadb.Settings(anonymized_telemetry=False)
        if kind == "chromadb-http":
            client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=settings)
        else:
            client = chromadb.EphemeralClient(settings=settings)
    yield client
    # The server and Chroma's in-process system outlive a test: leave them empty.
    for collection in client.list_collections():
        client.delete_collection(collection.name)
    if isinstance(client, huedb.ClientAPI):
        client.close()  # huedb's HttpClient would otherwise leave its sockets to the GC
