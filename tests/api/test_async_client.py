"""The async_http client kind really drives AsyncClientAPI, and matches Chroma's async surface."""

from __future__ import annotations

import pytest

import huedb
from tests.async_adapter import unwrap
from tests.conftest import HAVE_SERVER, ClientMaker

# Pins the shared fixtures to the async kind: these tests are about that kind only.
pytestmark = [
    pytest.mark.skipif(not HAVE_SERVER, reason="the async_http kind needs the server extra"),
    pytest.mark.parametrize("client_kind", ["async_http"]),
]


def test_calls_reach_the_async_objects(client: huedb.ClientAPI,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    col = client.create_collection("via-async", embedding_function=None)
    assert type(unwrap(client)) is huedb.AsyncClientAPI
    assert type(unwrap(col)) is huedb.AsyncCollection

    async def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("reached AsyncCollection.add")

    monkeypatch.setattr(huedb.AsyncCollection, "add", refuse)
    with pytest.raises(RuntimeError, match="reached AsyncCollection.add"):
        col.add(ids=["a"], embeddings=[[1.0]])


def test_what_the_async_api_lacks_fails_loudly(client: huedb.ClientAPI) -> None:
    col = client.create_collection("loud", embedding_function=None)
    with pytest.raises(AttributeError):
        client.create_tenant("abc")  # type: ignore[attr-defined]  # an AdminClient method
    with pytest.raises(AttributeError):
        col._backend  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError, match="read-only"):
        col.name = "renamed"  # type: ignore[misc]


def test_chroma_async_surface(client: huedb.ClientAPI) -> None:
    col = client.create_collection("surface", None, None, {"k": 1}, None)  # positional, as Chroma
    assert col.metadata == {"k": 1}
    assert repr(col) == "Collection(name=surface)"  # Chroma's AsyncCollection repr
    assert col == client.get_collection("surface", embedding_function=None)
    assert col.get_model().name == "surface" and col.schema is None
    with pytest.raises(NotImplementedError):
        col.fork_count()
    with pytest.raises(NotImplementedError):
        col.search([])
    settings = client.get_settings()
    assert settings.chroma_api_impl == "chromadb.api.async_fastapi.AsyncFastAPI"
    huedb.AsyncClientAPI.clear_system_cache()  # Chroma has it as a static method too


def test_async_context_manager_closes(make_client: ClientMaker) -> None:
    with make_client() as c:
        assert c.heartbeat() > 0
