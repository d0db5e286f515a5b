"""The access log: one JSON line per HTTP request, written to the `huedb.access` logger.

Opt-in (`huedb run --access-log json`, `CHROMA_ACCESS_LOG=json`): building and writing a line
takes some 50 microseconds, a noticeable share of a fast route's time, so a server whose log
nobody reads should not pay for it. When it is on, this ASGI middleware is the outermost of
the app's own, so every answer is logged: the fast record routes, FastAPI's routes and the
Guard's refusals alike.

A line holds what the request was and how it went, never its headers or body: tokens travel in
headers, so no header but `X-Request-ID` is read.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import datetime, timezone
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("huedb.access")

_SCOPED_PATH = re.compile(
    r"/api/v2/tenants/([^/]+)(?:/databases/([^/]+)(?:/collections/([^/]+))?)?")
_REQUEST_ID = b"x-request-id"


class AccessLog:
    """Logs each HTTP request once its response is sent (or has failed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived = time.time()
        started = time.perf_counter()
        status = 0
        bytes_in = 0
        bytes_out = 0

        async def counting_receive() -> Message:
            nonlocal bytes_in
            message = await receive()
            if message["type"] == "http.request":
                bytes_in += len(message.get("body", b""))
            return message

        async def counting_send(message: Message) -> None:
            nonlocal status, bytes_out
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                bytes_out += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        except Exception:
            # Whatever wraps the app answers 500 if nothing was sent yet.
            status = status or 500
            raise
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
            logger.info(_line(scope, arrived, status, duration_ms, bytes_in, bytes_out))


def _line(scope: Scope, arrived: float, status: int, duration_ms: float, bytes_in: int,
          bytes_out: int) -> str:
    path: str = scope["path"]
    client = scope.get("client")
    scoped = _SCOPED_PATH.match(path)
    tenant, database, collection = scoped.groups() if scoped else (None, None, None)
    user = scope.get("state", {}).get("user")
    entry: dict[str, Any] = {
        "time": datetime.fromtimestamp(arrived, timezone.utc).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "method": scope["method"],
        "path": path,
        "status": status or None,  # None: the client left before any answer
        "duration_ms": round(duration_ms, 3),
        "client": f"{client[0]}:{client[1]}" if client else None,
        "bytes_in": bytes_in,
        "bytes_out": bytes_out,
        "tenant": tenant,
        "database": database,
        "collection": collection,
        "user": getattr(user, "id", None) or None,
        "request_id": _request_id(scope["headers"]),
    }
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def _request_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The caller's (or its proxy's) `X-Request-ID`, to join this line with theirs."""
    for key, value in headers:
        if key == _REQUEST_ID:
            return value.decode("latin-1")[:200]
    return None
