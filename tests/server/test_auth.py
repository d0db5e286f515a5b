"""Token authentication: every route but heartbeat and version needs a valid token."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from huedb.client import _auth_headers
from huedb.config import Settings
from huedb.errors import ChromaAuthError
from huedb.remote import HttpBackend
from tests.server.conftest import API, AppMaker

TOKEN_PROVIDER = "chromadb.auth.token_authn.TokenAuthenticationServerProvider"
PUBLIC = {("GET", API), ("GET", f"{API}/heartbeat"), ("GET", f"{API}/version")}


def _routes(api: TestClient) -> list[tuple[str, str, str]]:
    """(method, template, concrete path) for every API route the app serves."""
    values = {"tenant": "default_tenant", "database": "default_database",
              "collection_id": str(uuid.uuid4()), "name": "coll", "crn": "a:b:c",
              "function_name": "f"}
    found = [("GET", API, API)]
    for template, operations in api.get("/openapi.json").json()["paths"].items():
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)
        found.extend((method.upper(), template, path) for method in operations)
    return found


@pytest.fixture
def secured(make_app: AppMaker) -> TestClient:
    return make_app(chroma_server_authn_provider=TOKEN_PROVIDER,
                    chroma_server_authn_credentials="s3cret", allow_reset=True)


def test_every_route_needs_a_token(secured: TestClient) -> None:
    routes = _routes(secured)
    assert len(routes) >= 30
    for method, template, path in routes:
        kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        if (method, template) in PUBLIC:
            assert secured.request(method, path, **kwargs).status_code == 200
            continue
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"},
                        {"X-Chroma-Token": "s3cret"}):
            response = secured.request(method, path, headers=headers, **kwargs)
            assert response.status_code == 403, (method, path, headers)
            assert response.json() == {"error": "AuthError", "message": "Forbidden"}
        allowed = secured.request(method, path, headers={"Authorization": "Bearer s3cret"},
                                  **kwargs)
        assert allowed.status_code != 403 or template.endswith("/reset"), (method, path)


def test_x_chroma_token_header(make_app: AppMaker) -> None:
    api = make_app(chroma_server_authn_provider=TOKEN_PROVIDER,
                   chroma_server_authn_credentials="tok",
                   chroma_auth_token_transport_header="X-Chroma-Token")
    scope = f"{API}/tenants/default_tenant/databases/default_database/collections_count"
    assert api.get(scope).status_code == 403
    assert api.get(scope, headers={"Authorization": "Bearer tok"}).status_code == 403
    assert api.get(scope, headers={"X-Chroma-Token": "tok"}).json() == 0


def test_credentials_file_users_and_scopes(make_app: AppMaker, tmp_path: Path) -> None:
    creds = tmp_path / "users.yaml"
    creds.write_text("users:\n"
                     "  - id: admin\n    tokens: [admin-token]\n"
                     "  - id: alice\n    tenant: default_tenant\n"
                     "    databases: [default_database]\n    tokens: [alice-token]\n")
    api = make_app(chroma_server_authn_provider=TOKEN_PROVIDER,
                   chroma_server_authn_credentials_file=str(creds))
    alice = {"Authorization": "Bearer alice-token"}
    admin = {"Authorization": "Bearer admin-token"}
    assert api.get(f"{API}/auth/identity", headers=alice).json() == {
        "user_id": "alice", "tenant": "default_tenant", "databases": ["default_database"]}
    assert api.post(f"{API}/tenants/default_tenant/databases", json={"name": "private"},
                    headers=admin).status_code == 200
    assert api.get(f"{API}/tenants/default_tenant/databases/private",
                   headers=alice).status_code == 403
    assert api.get(f"{API}/tenants/default_tenant/databases/private",
                   headers=admin).status_code == 200


def test_http_backend_raises_auth_error(secured: TestClient) -> None:
    backend = HttpBackend(secured, owns_http=False)
    with pytest.raises(ChromaAuthError):
        backend.count_collections("default_tenant", "default_database")
    assert backend.heartbeat() > 0


def test_client_auth_headers() -> None:
    token = "chromadb.auth.token_authn.TokenAuthClientProvider"
    assert _auth_headers(Settings(chroma_client_auth_provider=token,
                                  chroma_client_auth_credentials="t")) == {
        "Authorization": "Bearer t"}
    assert _auth_headers(Settings(chroma_client_auth_provider=token,
                                  chroma_client_auth_credentials="t",
                                  chroma_auth_token_transport_header="X-Chroma-Token")) == {
        "X-Chroma-Token": "t"}
    with pytest.raises(ValueError, match="Invalid token transport header"):
        _auth_headers(Settings(chroma_client_auth_provider=token,
                               chroma_client_auth_credentials="t",
                               chroma_auth_token_transport_header="X-Other"))
    assert _auth_headers(Settings()) == {}
