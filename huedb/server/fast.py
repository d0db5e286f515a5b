"""The hot record routes (add, upsert, get, query, count) served without FastAPI's machinery.

FastAPI spends about a millisecond per request matching routes one by one, solving
dependencies and validating through its field wrappers before a route's function runs. This
ASGI middleware, the innermost (inside the Guard and CORS), answers the requests that matter
for throughput directly: it matches one regular expression, parses the body with orjson,
validates it with the route's own pydantic model, and runs the same operation the FastAPI
route runs (`huedb.server.routes.records`), in the same thread pool.

It answers only what it is sure to answer as FastAPI would: the success path and the errors an
operation raises, translated by the same `huedb.server.failures`. Anything else (a body that is
not plain JSON, a validation error, an unusual content type, a trailing slash, a root path)
goes on to FastAPI with the body replayed untouched, so every refusal reads as before.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from huedb.server.deps import JSON_ERRORS, parse_json
from huedb.server.failures import HANDLED, error_reply
from huedb.server.guard import replay_body
from huedb.server.routes.records import FAST_ROUTES, Operation, Reply

_RECORD_PATH = re.compile(
    r"/api/v2/tenants/([^/]+)/databases/([^/]+)/collections/([^/]+)/([a-z]+)")
_JSON_HEADERS = [(b"content-type", b"application/json")]
_FALL_BACK = None

# A body FastAPI must word the refusal of: not JSON to the parser, or not the route's model.
_NOT_FAST: tuple[type[Exception], ...] = (ValidationError, *JSON_ERRORS)


class FastRoutes:
    """See the module docstring; `state` is the app's, holding `backend` and `homes`."""

    def __init__(self, app: ASGIApp, *, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            match = _RECORD_PATH.fullmatch(scope["path"])
            # `GET collections/by-id/count` is the by-id collection route, not a count.
            if match is not None and match[3] != "by-id":
                route = FAST_ROUTES.get(match[4])
                if route is not None and route[0] == scope["method"]:
                    await self._serve(scope, receive, send, match.groups()[:3], route[1],
                                      route[2])
                    return
        await self.app(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, where: tuple[str, ...],
                     model: type[BaseModel] | None, operation: Operation) -> None:
        raw = b""
        if model is not None:
            raw = await _read_body(receive)
            if not _json_content_type(scope["headers"]):
                await self.app(scope, replay_body(raw, receive), send)
                return
        tenant, database, collection_id = where
        try:
            reply = await run_in_threadpool(self._run, raw, model, operation, tenant, database,
                                            collection_id)
        except HANDLED as exc:
            reply = error_reply(scope["method"], scope["path"], exc)
        if reply is _FALL_BACK:
            await self.app(scope, replay_body(raw, receive), send)
            return
        status, content = reply
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-length", str(len(content)).encode("latin-1")), *_JSON_HEADERS]})
        await send({"type": "http.response.body", "body": content})

    def _run(self, raw: bytes, model: type[BaseModel] | None, operation: Operation,
             tenant: str, database: str, collection_id: str) -> Reply | None:
        body: Any = None
        if model is not None:
            if not raw:
                return _FALL_BACK
            try:
                body = model.model_validate(parse_json(raw))
            except _NOT_FAST:
                return _FALL_BACK  # FastAPI words the refusal
        return operation(self.state.backend, self.state.homes, tenant, database,
                         collection_id, body)


def _json_content_type(headers: list[tuple[bytes, bytes]]) -> bool:
    """True when the request's first Content-Type is plain `application/json`."""
    for key, value in headers:
        if key == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json"
    return False


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)
