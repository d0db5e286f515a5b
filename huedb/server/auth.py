"""Token authentication compatible with Chroma's `TokenAuthenticationServerProvider`."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huedb.config import DEFAULT_DATABASE, DEFAULT_TENANT, Settings

TOKEN_PROVIDERS = frozenset({
    "chromadb.auth.token_authn.TokenAuthenticationServerProvider",
    "huedb.server.auth.TokenAuth",
    "token",
})
ALLOWED_HEADERS = ("Authorization", "X-Chroma-Token")
# Chroma's default `chroma_server_auth_ignore_paths`: liveness probes stay open.
PUBLIC_ROUTES = frozenset({("GET", "/api/v2"), ("GET", "/api/v2/"), ("GET", "/api/v2/heartbeat"),
                           ("GET", "/api/v2/version")})


@dataclass(frozen=True)
class User:
    """Who a token belongs to and what it may reach ("*" means anything)."""

    id: str
    tenant: str = "*"
    databases: tuple[str, ...] = ("*",)

    def may_use(self, tenant: str | None, database: str | None) -> bool:
        if tenant is not None and self.tenant not in ("*", tenant):
            return False
        return database is None or "*" in self.databases or database in self.databases

    def identity(self) -> dict[str, Any]:
        tenant = DEFAULT_TENANT if self.tenant == "*" else self.tenant
        databases = [DEFAULT_DATABASE if d == "*" else d for d in self.databases]
        return {"user_id": self.id, "tenant": tenant, "databases": databases}


ANONYMOUS = User(id="", tenant=DEFAULT_TENANT, databases=(DEFAULT_DATABASE,))


@dataclass
class TokenAuth:
    """Maps tokens to users; reads them from one header, as Bearer when it is Authorization."""

    users: dict[str, User]
    header: str = "Authorization"
    _header_key: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.header.lower() not in (h.lower() for h in ALLOWED_HEADERS):
            raise ValueError(f"Invalid token transport header: {self.header}. "
                             f"Must be one of {list(ALLOWED_HEADERS)}")
        self._header_key = self.header.lower().encode("latin-1")

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenAuth | None:
        """The configured authenticator, or None when authentication is off."""
        provider = settings.chroma_server_authn_provider
        if not provider:
            return None
        if provider not in TOKEN_PROVIDERS:
            raise ValueError(f"Unsupported authentication provider: {provider}; huedb supports "
                             "chromadb.auth.token_authn.TokenAuthenticationServerProvider")
        lines = _credential_lines(settings)
        if len(lines) == 1:
            users = {lines[0]: User(id="anonymous")}
        else:
            users = _users_from_yaml("\n".join(lines))
        return cls(users, settings.chroma_auth_token_transport_header or "Authorization")

    def authenticate(self, headers: list[tuple[bytes, bytes]]) -> User | None:
        raw = next((v for k, v in headers if k.lower() == self._header_key), None)
        if raw is None:
            return None
        token = raw.decode("latin-1")
        if self._header_key == b"authorization":
            if not token.startswith("Bearer "):
                return None
            token = token[len("Bearer "):]
        token = token.strip()
        found = None
        for known, user in self.users.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = user
        return found


def _credential_lines(settings: Settings) -> list[str]:
    if settings.chroma_server_authn_credentials_file:
        text = Path(settings.chroma_server_authn_credentials_file).read_text(encoding="utf-8")
    elif settings.chroma_server_authn_credentials:
        text = settings.chroma_server_authn_credentials
    else:
        raise ValueError("Token authentication needs chroma_server_authn_credentials or "
                         "chroma_server_authn_credentials_file")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("No token authentication credentials given")
    return [lines[0].strip()] if len(lines) == 1 else lines


def _users_from_yaml(text: str) -> dict[str, User]:
    import yaml

    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict) or not isinstance(loaded.get("users"), list):
        raise ValueError("Credentials must be one token or YAML with a top-level `users` list")
    users: dict[str, User] = {}
    for entry in loaded["users"]:
        if not isinstance(entry, dict) or "tokens" not in entry:
            raise ValueError("User missing tokens")
        user = User(id=str(entry.get("id", "")), tenant=str(entry.get("tenant", "*")),
                    databases=tuple(str(d) for d in entry.get("databases", ["*"])))
        for token in entry["tokens"]:
            if str(token) in users and users[str(token)] != user:
                raise ValueError(f"Token {token} already in use by another user")
            users[str(token)] = user
    return users
