"""What routes share: the backend from app.state, path parsing, and JSON responses."""

from __future__ import annotations

import json
import math
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import Response

from huedb._backend import Backend
from huedb.errors import InvalidArgumentError, NotFoundError

try:  # the `server` extra installs it; without it the standard library serves, slower
    import orjson
except ImportError:  # pragma: no cover - exercised only without the extra
    orjson = None  # type: ignore[assignment]

MEDIA_TYPE = "application/json"

# What `parse_json` raises for a body that is not JSON (`json.loads` also raises
# UnicodeDecodeError, another ValueError, for bytes that are not text).
JSON_ERRORS: tuple[type[Exception], ...] = (
    (orjson.JSONDecodeError,) if orjson is not None else (ValueError,))


def parse_json(raw: bytes) -> Any:
    """A request body as JSON: orjson where installed (stricter than `json.loads`: it refuses
    NaN, integers past 64 bits, lone surrogates), else the standard library."""
    if orjson is not None:
        return orjson.loads(raw)
    return json.loads(raw)


def render_json(content: Any) -> bytes:
    """Compact UTF-8 JSON, as `json.dumps(..., separators=(",", ":"), ensure_ascii=False,
    allow_nan=False)` writes it.

    orjson writes the same text about ten times faster (numbers may differ only in how an
    exponent is spelt, `1e-06` against `1e-6`, the same value). It is used only for content
    it writes identically and without loss: orjson writes NaN and infinities as null where
    the standard encoder refuses them, so non-finite floats, and anything orjson refuses
    (non-string keys, integers past 64 bits, other types), take the standard path and
    succeed or fail exactly as before.
    """
    if orjson is not None and _all_finite(content):
        try:
            encoded: bytes = orjson.dumps(content)
            return encoded
        except TypeError:  # orjson.JSONEncodeError; the standard encoder decides
            pass
    return json.dumps(content, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _all_finite(value: Any) -> bool:
    """False when `value` holds a NaN or an infinity (or might: a float sum that overflows)."""
    kind = type(value)
    if kind is float:
        return math.isfinite(value)
    items: Any
    if kind is dict:
        items = value.values()
    elif kind is list or kind is tuple:
        if value and type(value[0]) is float:
            try:  # a finite sum means every term is finite; C speed for rows of floats
                if math.isfinite(sum(value)):
                    return True
            except (TypeError, OverflowError):
                pass
        items = value
    elif isinstance(value, dict):
        items = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, float):
        return math.isfinite(value)
    else:
        return True
    for item in items:
        item_kind = type(item)
        if item_kind is str or item_kind is int or item is None or item_kind is bool:
            continue
        if item_kind is float:
            if not math.isfinite(item):
                return False
        elif not _all_finite(item):
            return False
    return True


class JSON(Response):
    """Compact JSON without FastAPI's jsonable_encoder pass: bodies are already plain data."""

    media_type = MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return render_json(content)


EMPTY = b"{}"


def empty(status_code: int = 200) -> Response:
    return Response(EMPTY, status_code=status_code, media_type=MEDIA_TYPE)


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


Homes = dict[UUID, tuple[str, str]]


def check_home(request: Request, collection_id: UUID, tenant: str, database: str, *,
               records: bool = True) -> None:
    """A collection is reachable only under the tenant and database it lives in."""
    check_home_in(backend(request), request.app.state.homes, collection_id, tenant, database,
                  records=records)


def check_home_in(found: Backend, homes: Homes, collection_id: UUID, tenant: str,
                  database: str, *, records: bool = True) -> None:
    """`check_home` given the backend and the app's cache of homes.

    Homes never change, so they are cached per app; a deleted collection is still reported
    missing by the backend call that follows.
    """
    home = homes.get(collection_id)
    if home is None:
        try:
            model = found.get_collection_by_id(collection_id)
        except NotFoundError:
            if not records:
                raise
            # Record routes word it as Chroma's server does, with a full stop.
            raise NotFoundError(f"Collection [{collection_id}] does not exist.") from None
        home = homes[collection_id] = (model.tenant, model.database)
    if home != (tenant, database):
        raise NotFoundError(f"Collection [{collection_id}] does not exist{'.' if records else ''}")
