"""System routes: heartbeat, version, health, pre-flight checks, identity and reset."""

from __future__ import annotations

from fastapi import APIRouter, Request

from huedb._protocol import SERVER_VERSION
from huedb.errors import AuthorizationError
from huedb.server.auth import ANONYMOUS, User
from huedb.server.deps import JSON, backend

router = APIRouter(prefix="/api/v2", tags=["system"])


@router.get("", include_in_schema=False)
@router.get("/heartbeat")
def heartbeat(request: Request) -> JSON:
    return JSON({"nanosecond heartbeat": backend(request).heartbeat()})


@router.get("/version")
def version() -> JSON:
    # `chroma run` reports its frontend's hard-coded version, not the package's.
    return JSON(SERVER_VERSION)


@router.get("/healthcheck")
def healthcheck() -> JSON:
    return JSON({"is_executor_ready": True, "is_log_client_ready": True})


@router.get("/pre-flight-checks")
def pre_flight_checks(request: Request) -> JSON:
    return JSON({"max_batch_size": backend(request).get_max_batch_size(),
                 "supports_base64_encoding": True})


@router.get("/auth/identity")
def identity(request: Request) -> JSON:
    user: User = getattr(request.state, "user", ANONYMOUS)
    return JSON(user.identity())


@router.post("/reset")
def reset(request: Request) -> JSON:
    try:
        return JSON(backend(request).reset())
    except AuthorizationError as exc:
        exc.status = 403  # Chroma's server refuses a disabled reset with 403, not 401
        raise
