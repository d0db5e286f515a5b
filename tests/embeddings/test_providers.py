"""HTTP embedding providers against local servers that speak each provider's wire format."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import huedb
from huedb.embeddings import (
    CohereEmbeddingFunction,
    EmbeddingProviderError,
    GoogleGeminiEmbeddingFunction,
    HuggingFaceEmbeddingFunction,
    HuggingFaceEmbeddingServer,
    JinaEmbeddingFunction,
    MistralEmbeddingFunction,
    OllamaEmbeddingFunction,
    OpenAIEmbeddingFunction,
    VoyageAIEmbeddingFunction,
    config_to_embedding_function,
    known_embedding_functions,
)
from huedb.embeddings.base import EmbeddingFunction
from huedb.embeddings.providers import _http
from tests.embeddings.fake_provider import FakeProvider, Reply, Request, serve, vector_for

pytest.importorskip("httpx")

KEY = "test-secret-key"
KEY_VARIABLES = [
    "OPENAI_API_KEY",
    "CHROMA_OPENAI_API_KEY",
    "COHERE_API_KEY",
    "CHROMA_COHERE_API_KEY",
    "HUGGINGFACE_API_KEY",
    "CHROMA_HUGGINGFACE_API_KEY",
    "VOYAGE_API_KEY",
    "CHROMA_VOYAGE_API_KEY",
    "JINA_API_KEY",
    "CHROMA_JINA_API_KEY",
    "MISTRAL_API_KEY",
    "GEMINI_API_KEY",
]


def _data(texts: list[str]) -> dict[str, Any]:
    # Reversed on purpose: clients must order by "index", as OpenAI documents.
    rows = [
        {"object": "embedding", "index": i, "embedding": vector_for(t)} for i, t in enumerate(texts)
    ]
    return {"object": "list", "data": rows[::-1]}


@dataclass
class Spec:
    name: str
    make: Callable[[str], EmbeddingFunction[Any]]
    path: str
    auth: tuple[str, str] | None
    env: str | None
    texts: Callable[[Any], list[str]]
    answer: Callable[[list[str]], Any]
    batch: int
    config_keys: set[str]


SPECS = [
    Spec(
        "openai",
        lambda url: OpenAIEmbeddingFunction(
            api_base=url + "/v1",
            organization_id="org-1",
            model_name="text-embedding-3-small",
            dimensions=8,
        ),
        "/v1/embeddings",
        ("authorization", f"Bearer {KEY}"),
        "CHROMA_OPENAI_API_KEY",
        lambda body: body["input"],
        _data,
        2048,
        {
            "api_key_env_var",
            "model_name",
            "organization_id",
            "api_base",
            "api_type",
            "api_version",
            "deployment_id",
            "default_headers",
            "dimensions",
        },
    ),
    Spec(
        "azure",
        lambda url: OpenAIEmbeddingFunction(
            api_type="azure",
            api_base=url,
            api_version="2024-02-01",
            deployment_id="emb",
            model_name="text-embedding-3-large",
        ),
        "/openai/deployments/emb/embeddings",
        ("api-key", KEY),
        "CHROMA_OPENAI_API_KEY",
        lambda body: body["input"],
        _data,
        2048,
        {
            "api_key_env_var",
            "model_name",
            "organization_id",
            "api_base",
            "api_type",
            "api_version",
            "deployment_id",
            "default_headers",
            "dimensions",
        },
    ),
    Spec(
        "cohere",
        lambda url: CohereEmbeddingFunction(model_name="embed-english-v3.0", api_base=url),
        "/v1/embed",
        ("authorization", f"Bearer {KEY}"),
        "CHROMA_COHERE_API_KEY",
        lambda body: body["texts"],
        lambda ts: {"embeddings": [vector_for(t) for t in ts]},
        96,
        {"api_key_env_var", "model_name", "api_base"},
    ),
    Spec(
        "huggingface",
        lambda url: HuggingFaceEmbeddingFunction(model_name="org/model", api_base=url),
        "/org/model/pipeline/feature-extraction",
        ("authorization", f"Bearer {KEY}"),
        "CHROMA_HUGGINGFACE_API_KEY",
        lambda body: body["inputs"],
        lambda ts: [vector_for(t) for t in ts],
        32,
        {"api_key_env_var", "model_name", "api_base"},
    ),
    Spec(
        "huggingface_server",
        lambda url: HuggingFaceEmbeddingServer(url=url + "/embed"),
        "/embed",
        None,
        None,
        lambda body: body["inputs"],
        lambda ts: [vector_for(t) for t in ts],
        32,
        {"url", "api_key_env_var"},
    ),
    Spec(
        "ollama",
        lambda url: OllamaEmbeddingFunction(url=url, model_name="nomic-embed-text", timeout=5),
        "/api/embed",
        None,
        None,
        lambda body: body["input"],
        lambda ts: {"model": "nomic-embed-text", "embeddings": [vector_for(t) for t in ts]},
        256,
        {"url", "model_name", "timeout"},
    ),
    Spec(
        "google_gemini",
        lambda url: GoogleGeminiEmbeddingFunction(
            task_type="RETRIEVAL_DOCUMENT", dimension=8, api_base=url + "/v1beta"
        ),
        "/v1beta/models/gemini-embedding-001:batchEmbedContents",
        ("x-goog-api-key", KEY),
        "GEMINI_API_KEY",
        lambda body: [r["content"]["parts"][0]["text"] for r in body["requests"]],
        lambda ts: {"embeddings": [{"values": vector_for(t)} for t in ts]},
        100,
        {
            "model_name",
            "api_key_env_var",
            "vertexai",
            "project",
            "location",
            "task_type",
            "dimension",
            "api_base",
        },
    ),
    Spec(
        "voyageai",
        lambda url: VoyageAIEmbeddingFunction(
            model_name="voyage-3", input_type="document", api_base=url + "/v1"
        ),
        "/v1/embeddings",
        ("authorization", f"Bearer {KEY}"),
        "CHROMA_VOYAGE_API_KEY",
        lambda body: body["input"],
        _data,
        128,
        {"api_key_env_var", "model_name", "input_type", "truncation", "api_base"},
    ),
    Spec(
        "jina",
        lambda url: JinaEmbeddingFunction(
            model_name="jina-embeddings-v3",
            task="retrieval.passage",
            query_config={"task": "retrieval.query"},
            api_base=url + "/v1",
        ),
        "/v1/embeddings",
        ("authorization", f"Bearer {KEY}"),
        "CHROMA_JINA_API_KEY",
        lambda body: body["input"],
        _data,
        512,
        {
            "api_key_env_var",
            "model_name",
            "task",
            "late_chunking",
            "truncate",
            "dimensions",
            "embedding_type",
            "normalized",
            "query_config",
            "api_base",
        },
    ),
    Spec(
        "mistral",
        lambda url: MistralEmbeddingFunction(model="mistral-embed", api_base=url + "/v1"),
        "/v1/embeddings",
        ("authorization", f"Bearer {KEY}"),
        "MISTRAL_API_KEY",
        lambda body: body["input"],
        _data,
        128,
        {"model", "api_key_env_var", "api_base"},
    ),
]
IDS = [s.name for s in SPECS]


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(_http, "BACKOFF_BASE_SECONDS", 0.0)
    monkeypatch.setattr(_http, "MAX_ATTEMPTS", 3)


@pytest.fixture(params=SPECS, ids=IDS)
def spec(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Spec:
    s: Spec = request.param
    if s.env:
        monkeypatch.setenv(s.env, KEY)
    return s


@pytest.fixture
def server(spec: Spec) -> Iterator[FakeProvider]:
    fake = FakeProvider(respond=lambda r: spec.answer(spec.texts(r.body)))
    yield from serve(fake)


def _assert_vectors(got: list[np.ndarray], texts: list[str]) -> None:
    assert [v.tolist() for v in got] == [vector_for(t) for t in texts]
    assert all(v.dtype == np.float32 for v in got)


def test_request_shape_and_answer(spec: Spec, server: FakeProvider) -> None:
    ef = spec.make(server.url)
    texts = ["hello", "wörld", ""]
    _assert_vectors(ef(texts), texts)
    (request,) = server.requests
    assert request.method == "POST" and request.path == spec.path
    assert request.headers["content-type"] == "application/json"
    assert spec.texts(request.body) == texts
    if spec.auth is None:
        assert "authorization" not in request.headers
    else:
        header, value = spec.auth
        assert request.headers[header] == value


def test_batches_to_the_provider_limit(spec: Spec, server: FakeProvider) -> None:
    texts = [f"text {i}" for i in range(spec.batch + 3)]
    _assert_vectors(spec.make(server.url)(texts), texts)
    assert [len(spec.texts(r.body)) for r in server.requests] == [spec.batch, 3]


def test_retries_rate_limits_and_server_errors(spec: Spec, server: FakeProvider) -> None:
    server.script = [
        Reply(429, {"error": "slow down"}, {"Retry-After": "0"}),
        Reply(503, {"error": "busy"}),
    ]
    _assert_vectors(spec.make(server.url)(["a", "b"]), ["a", "b"])
    assert len(server.requests) == 3


def test_gives_up_after_the_last_attempt(spec: Spec, server: FakeProvider) -> None:
    server.script = [Reply(500, {"error": {"message": "the model fell over"}})] * 3
    with pytest.raises(EmbeddingProviderError) as info:
        spec.make(server.url)(["a"])
    message = str(info.value)
    assert "HTTP 500" in message and "the model fell over" in message
    assert len(server.requests) == 3


def test_client_errors_are_not_retried_and_name_the_provider(
    spec: Spec, server: FakeProvider
) -> None:
    server.script = [Reply(401, {"message": "invalid api key"})]
    ef = spec.make(server.url)
    with pytest.raises(EmbeddingProviderError) as info:
        ef(["a"])
    provider = ef._client.provider  # type: ignore[attr-defined]
    assert str(info.value).startswith(f"{provider} embedding request failed: HTTP 401")
    assert "invalid api key" in str(info.value)
    assert len(server.requests) == 1


def test_a_wrong_number_of_vectors_is_an_error(spec: Spec, server: FakeProvider) -> None:
    server.respond = lambda r: spec.answer(spec.texts(r.body)[:1])
    with pytest.raises(EmbeddingProviderError, match="returned 1 embeddings for 2 texts"):
        spec.make(server.url)(["a", "b"])


def test_missing_key_names_the_variable(spec: Spec, monkeypatch: pytest.MonkeyPatch) -> None:
    if spec.env is None:
        pytest.skip("this provider needs no key")
    monkeypatch.delenv(spec.env)
    with pytest.raises(ValueError, match=f"^The {spec.env} environment variable"):
        spec.make("http://127.0.0.1:9")


def test_config_round_trip_never_holds_the_key(spec: Spec, server: FakeProvider) -> None:
    ef = spec.make(server.url)
    config = ef.get_config()
    assert set(config) == spec.config_keys
    assert KEY not in json.dumps(config)
    rebuilt = config_to_embedding_function({"name": ef.name(), "config": config})
    assert type(rebuilt) is type(ef) and rebuilt.get_config() == config
    assert known_embedding_functions[ef.name()] is type(ef)
    _assert_vectors(rebuilt(["x"]), ["x"])


def test_persisted_collection_rebuilds_the_provider(
    spec: Spec, server: FakeProvider, tmp_path: Path
) -> None:
    client = huedb.PersistentClient(path=str(tmp_path))
    client.create_collection("coll", embedding_function=spec.make(server.url))
    reopened = huedb.PersistentClient(path=str(tmp_path)).get_collection("coll")
    reopened.add(ids=["1", "2"], documents=["one", "two"])
    result = reopened.query(query_texts=["one"], n_results=1, include=["documents"])
    assert result["ids"] == [["1"]]
    assert len(server.requests) == 2


def test_model_name_cannot_change(spec: Spec, server: FakeProvider) -> None:
    ef = spec.make(server.url)
    key = (
        "url"
        if spec.name == "huggingface_server"
        else ("model" if spec.name == "mistral" else "model_name")
    )
    with pytest.raises(ValueError, match="cannot be changed"):
        ef.validate_config_update(ef.get_config(), {key: "something-else"})


# -- provider specifics --------------------------------------------------------------------


@pytest.fixture
def openai_server() -> Iterator[FakeProvider]:
    yield from serve(FakeProvider(respond=lambda r: _data(r.body["input"])))


def test_openai_prefers_openai_api_key_and_warns_on_a_direct_key(
    monkeypatch: pytest.MonkeyPatch, openai_server: FakeProvider
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "from-openai-var")
    ef = OpenAIEmbeddingFunction(api_base=openai_server.url)
    assert ef.get_config()["api_key_env_var"] == "OPENAI_API_KEY"
    ef(["a"])
    assert openai_server.requests[-1].headers["authorization"] == "Bearer from-openai-var"
    assert "dimensions" not in openai_server.requests[-1].body  # only text-embedding-3 models
    with pytest.warns(DeprecationWarning, match="will not be persisted"):
        direct = OpenAIEmbeddingFunction(
            api_key="direct", api_base=openai_server.url, default_headers={"X-Team": "search"}
        )
    direct(["a"])
    assert openai_server.requests[-1].headers["authorization"] == "Bearer direct"
    assert openai_server.requests[-1].headers["x-team"] == "search"
    assert "direct" not in json.dumps(direct.get_config())


def test_openai_azure_sends_the_api_version(
    monkeypatch: pytest.MonkeyPatch, openai_server: FakeProvider
) -> None:
    monkeypatch.setenv("CHROMA_OPENAI_API_KEY", KEY)
    ef = OpenAIEmbeddingFunction(
        api_type="azure", api_base=openai_server.url, api_version="2024-02-01", deployment_id="d"
    )
    ef(["a"])
    assert openai_server.requests[0].query == {"api-version": ["2024-02-01"]}
    with pytest.raises(ValueError, match="^deployment_id must be specified for Azure OpenAI$"):
        OpenAIEmbeddingFunction(api_type="azure", api_base="http://x", api_version="1")


def test_transport_errors_are_retried_then_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ef = OllamaEmbeddingFunction(url=f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(
        EmbeddingProviderError,
        match="Ollama embedding request to .* failed after 3 attempts: ConnectError",
    ):
        ef(["a"])


def test_ollama_accepts_the_legacy_endpoint_url() -> None:
    ef = OllamaEmbeddingFunction(url="http://127.0.0.1:1/api/embeddings")
    assert ef._endpoint == "http://127.0.0.1:1/api/embed"
    assert ef.get_config()["url"] == "http://127.0.0.1:1/api/embeddings"


def test_jina_queries_use_the_query_config(
    monkeypatch: pytest.MonkeyPatch, openai_server: FakeProvider
) -> None:
    monkeypatch.setenv("JINA_API_KEY", KEY)
    ef = JinaEmbeddingFunction(
        task="retrieval.passage",
        query_config={"task": "retrieval.query"},
        api_base=openai_server.url,
    )
    assert ef.get_config()["api_key_env_var"] == "JINA_API_KEY"
    ef(["doc"])
    ef.embed_query(["query"])
    assert [r.body["task"] for r in openai_server.requests] == [
        "retrieval.passage",
        "retrieval.query",
    ]


def test_huggingface_server_sends_a_token_when_configured(
    monkeypatch: pytest.MonkeyPatch, openai_server: FakeProvider
) -> None:
    monkeypatch.setenv("MY_TEI_TOKEN", "tei-token")
    openai_server.respond = lambda r: [vector_for(t) for t in r.body["inputs"]]
    ef = HuggingFaceEmbeddingServer(
        url=openai_server.url + "/embed", api_key_env_var="MY_TEI_TOKEN"
    )
    ef(["a"])
    assert openai_server.requests[0].headers["authorization"] == "Bearer tei-token"
    assert ef.get_config() == {
        "url": openai_server.url + "/embed",
        "api_key_env_var": "MY_TEI_TOKEN",
    }


def test_gemini_refuses_vertex_and_keeps_the_genai_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    with pytest.raises(ValueError, match="Vertex AI"):
        GoogleGeminiEmbeddingFunction(vertexai=True)
    assert known_embedding_functions["google_genai"] is GoogleGeminiEmbeddingFunction
    ef = config_to_embedding_function(
        {"name": "google_genai", "config": {"model_name": "gemini-embedding-001"}}
    )
    assert isinstance(ef, GoogleGeminiEmbeddingFunction)
    monkeypatch.delenv("GEMINI_API_KEY")
    with pytest.raises(ValueError, match="^The GEMINI_API_KEY environment variable must be set"):
        GoogleGeminiEmbeddingFunction()


def test_text_only_providers_reject_other_input(
    monkeypatch: pytest.MonkeyPatch, openai_server: FakeProvider
) -> None:
    monkeypatch.setenv("CHROMA_COHERE_API_KEY", KEY)
    ef = CohereEmbeddingFunction(api_base=openai_server.url)
    with pytest.raises(ValueError, match="Cohere embedding function embeds text only"):
        ef([np.zeros((2, 2))])  # type: ignore[list-item]
    assert openai_server.requests == []


def test_importing_providers_does_not_import_httpx() -> None:
    import subprocess
    import sys

    code = "import sys, huedb.embeddings; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_request_recorder_sees_query_strings() -> None:
    # Guards the fake itself: a request it cannot parse would make the tests above vacuous.
    r = Request("POST", "/p", {"a": ["1"]}, {}, None)
    assert r.query == {"a": ["1"]}
