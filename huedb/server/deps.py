"""What routes share: the backend from app.state, path parsing, and JSON responses."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import Response

from huedb._backend import Backend
from huedb.errors import InvalidArgumentError, NotFoundError


class JSON(Response):
    """Compact JSON without FastAPI's jsonable_encoder pass: bodies are already plain data."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")


EMPTY = b"{}"


def empty(status_code: int = 200) -> Response:
    return Response(EMPTY, status_code=status_code, media_type="application/json")


def backend(request: Request) -> Backend:
    found: Backend = request.app.state.backend
    return found


def record_collection_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise InvalidArgumentError("Collection ID is not a valid UUIDv4") from None


def by_id_collection_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise InvalidArgumentError(
            "Validation error: collection_id: Invalid collection ID format, expected UUID"
        ) from None


def check_home(request: Request, collection_id: UUID, tenant: str, database: str, *,
               records: bool = True) -> None:
    """A collection is reachable only under the tenant and database it lives in.

    Homes never change, so they are cached per app; a deleted collection is still reported
    missing by the backend call that follows.
    """
    homes: dict[UUID, tuple[str, str]] = request.app.state.homes
    home = homes.get(collection_id)
    if home is None:
        try:
            model = backend(request).get_collection_by_id(collection_id)
        except NotFoundError:
            if not records:
                raise
            # Record routes word it as Chroma's server does, with a full stop.
            raise NotFoundError(f"Collection [{collection_id}] does not exist.") from None
        home = homes[collection_id] = (model.tenant, model.database)
    if home != (tenant, database):
        raise NotFoundError(f"Collection [{collection_id}] does not exist{'.' if records else ''}")
