"""create_app: Chroma's HTTP API v2 over any Backend, as a FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from huedb._backend import Backend
from huedb._version import __version__
from huedb.config import Settings
from huedb.errors import ChromaError
from huedb.server.access_log import AccessLog
from huedb.server.auth import TokenAuth
from huedb.server.config import ServerConfig
from huedb.server.deps import MEDIA_TYPE
from huedb.server.failures import error_reply
from huedb.server.fast import FastRoutes
from huedb.server.guard import Guard
from huedb.server.routes import collections, records, system, tenants, unsupported


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
    # Innermost of the middleware, so CORS and the Guard see every request it answers.
    app.add_middleware(FastRoutes, state=app.state)
    origins = [*settings.chroma_server_cors_allow_origins, *config.cors_allow_origins]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["*"],
                           allow_headers=["*"])
    app.add_middleware(Guard, max_payload_bytes=config.max_payload_size_bytes,
                       auth=TokenAuth.from_settings(settings))
    if config.access_log == "json":
        # Outermost, so it logs the Guard's refusals too; off by default (it costs throughput).
        app.add_middleware(AccessLog)
    return app


async def _error_response(request: Request, exc: Exception) -> Response:
    """Chroma's error JSON for `exc` (see `huedb.server.failures`)."""
    if isinstance(exc, StarletteHTTPException):
        # Unknown paths and wrong methods answer with an empty body, as `chroma run` does.
        return Response(status_code=exc.status_code, headers=exc.headers)
    status, content = error_reply(request.method, request.url.path, exc)
    return Response(content, status_code=status, media_type=MEDIA_TYPE)
