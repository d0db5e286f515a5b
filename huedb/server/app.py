"""create_app: Chroma's HTTP API v2 over any Backend, as a FastAPI application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from huedb._backend import Backend
from huedb._protocol import error_json
from huedb._version import __version__
from huedb.config import Settings
from huedb.errors import ChromaError, InternalError, InvalidArgumentError, NotFoundError
from huedb.server.auth import TokenAuth
from huedb.server.config import ServerConfig
from huedb.server.deps import JSON
from huedb.server.guard import Guard
from huedb.server.routes import collections, records, system, tenants, unsupported

logger = logging.getLogger(__name__)

# Chroma reports a missing collection over HTTP without the in-process prefix.
_IN_PROCESS_PREFIX = "Error getting collection: "


def create_app(backend: Backend, settings: Settings | None = None,
               config: ServerConfig | None = None, *, close_backend: bool = False) -> FastAPI:
    """The HTTP API over `backend`.

    Args:
        backend: what every route calls; kept on `app.state.backend`.
        settings: auth and CORS settings (Chroma's `chroma_server_*` fields).
        config: server options (payload limit, CORS origins) from `huedb run`.
        close_backend: close the backend when the app shuts down (the CLI's own backend).
    """
    settings = settings if settings is not None else Settings()
    config = config if config is not None else ServerConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if close_backend:
            backend.close()

    app = FastAPI(
        title="huedb", version=__version__, lifespan=lifespan,
        description="Chroma's HTTP API v2, served by huedb.",
        exception_handlers={
            ChromaError: _error_response, RequestValidationError: _error_response,
            StarletteHTTPException: _error_response, ValueError: _error_response,
            TypeError: _error_response, KeyError: _error_response,
            NotImplementedError: _error_response,
        },
    )
    app.state.backend = backend
    app.state.homes = {}
    for module in (system, tenants, collections, records, unsupported):
        app.include_router(module.router)
    app.include_router(collections.crn_router)
    origins = [*settings.chroma_server_cors_allow_origins, *config.cors_allow_origins]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["*"],
                           allow_headers=["*"])
    app.add_middleware(Guard, max_payload_bytes=config.max_payload_size_bytes,
                       auth=TokenAuth.from_settings(settings))
    return app


async def _error_response(request: Request, exc: Exception) -> Response:
    """The one translation of an exception into Chroma's error JSON."""
    if isinstance(exc, StarletteHTTPException):
        # Unknown paths and wrong methods answer with an empty body, as `chroma run` does.
        return Response(status_code=exc.status_code, headers=exc.headers)
    error = _as_chroma_error(exc)
    if isinstance(error, NotFoundError) and str(error.message()).startswith(_IN_PROCESS_PREFIX):
        error = NotFoundError(str(error.message())[len(_IN_PROCESS_PREFIX):])
    if error.status >= 500:
        logger.error("%s %s failed: %r", request.method, request.url.path, exc)
    return JSON(error_json(error), status_code=error.status)


def _as_chroma_error(exc: Exception) -> ChromaError:
    if isinstance(exc, ChromaError):
        return exc
    if isinstance(exc, RequestValidationError):
        return _validation_error(exc)
    if isinstance(exc, NotImplementedError):
        error = ChromaError(str(exc))
        error.status = 501
        return error
    if isinstance(exc, (ValueError, TypeError)):
        return InvalidArgumentError(str(exc))
    return InternalError(f"{type(exc).__name__}: {exc}")


def _validation_error(exc: RequestValidationError) -> ChromaError:
    problems: list[Any] = list(exc.errors())
    first = problems[0] if problems else {}
    kind, location = first.get("type", ""), [str(p) for p in first.get("loc", ())]
    if kind == "json_invalid":
        detail = (first.get("ctx") or {}).get("error", "invalid JSON")
        return InvalidArgumentError(f"Failed to parse the request body as JSON: {detail}")
    if location[:1] == ["body"] and len(location) == 1 and kind == "missing":
        return InvalidArgumentError(
            "Failed to parse the request body as JSON: EOF while parsing a value")
    where = ".".join(location[1:]) or location[0] if location else ""
    message = f"{where}: {first.get('msg', 'invalid value')}"
    if location[:1] in (["query"], ["path"]):
        return InvalidArgumentError(f"Failed to deserialize query string: {message}")
    error = ChromaError(f"Failed to deserialize the JSON body into the target type: {message}")
    error.status = 422
    return error
