"""ASGI middleware in front of every route: v1 gone, auth, content type, payload limit, last resort.

It runs before FastAPI parses anything, so a refused request costs no JSON decoding, and it is
the one place that turns an unexpected exception into a JSON 500 instead of a traceback.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huedb.server.auth import ANONYMOUS, PUBLIC_ROUTES, TokenAuth

logger = logging.getLogger(__name__)

_SCOPED_PATH = re.compile(r"^/api/v2/tenants/([^/]+)(?:/databases/([^/]+))?")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_V1_GONE = {"error": "Unimplemented", "message": "The v1 API is deprecated. Please use /v2 apis"}


class Guard:
    """Checks each HTTP request before routing; see the module docstring."""

    def __init__(self, app: ASGIApp, *, max_payload_bytes: int, auth: TokenAuth | None) -> None:
        self.app = app
        self.max_payload_bytes = max_payload_bytes
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if path.startswith("/api/v1"):
            await _send_json(send, 410, _V1_GONE)
            return
        user = ANONYMOUS
        if self.auth is not None and path.startswith("/api/") and (
                method, path) not in PUBLIC_ROUTES:
            found = self.auth.authenticate(scope["headers"])
            scoped = _SCOPED_PATH.match(path)
            if found is None or (scoped and not found.may_use(*scoped.groups())):
                await _send_json(send, 403, {"error": "AuthError", "message": "Forbidden"})
                return
            user = found
        scope.setdefault("state", {})["user"] = user
        if method in _BODY_METHODS:
            refused = _refuse_content_type(scope)
            if refused is not None:
                await _send_json(send, 415, refused)
                return
            body = None
            if _declared_length(scope) <= self.max_payload_bytes:
                body = await _read_body(receive, self.max_payload_bytes)
            if body is None:
                await _send_json(send, 413, {
                    "error": "ChromaError",
                    "message": f"Request body exceeds the maximum payload size of "
                               f"{self.max_payload_bytes} bytes"})
                return
            receive = replay_body(body, receive)
        await self._call_app(scope, receive, send)

    async def _call_app(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            logger.exception("Unhandled error serving %s %s", scope["method"], scope["path"])
            if not started:
                await _send_json(send, 500, {"error": "InternalError",
                                             "message": f"{type(exc).__name__}: {exc}"})


def _refuse_content_type(scope: Scope) -> dict[str, str] | None:
    for key, value in scope["headers"]:
        if key == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            if media and media != b"application/json" and not media.endswith(b"+json"):
                return {"error": "ChromaError",
                        "message": "Expected request with `Content-Type: application/json`"}
        elif key == b"content-length" and not value.strip().isdigit():
            return {"error": "ChromaError", "message": "Invalid Content-Length header"}
    return None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it grows past `limit`."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _declared_length(scope: Scope) -> int:
    for key, value in scope["headers"]:
        if key == b"content-length":
            return int(value)
    return 0


def replay_body(body: bytes, upstream: Receive) -> Receive:
    """Hands the buffered body to the app once, then passes on the server's own messages."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await upstream()

    return receive


async def _send_json(send: Send, status: int, content: Any) -> None:
    body = json.dumps(content).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
