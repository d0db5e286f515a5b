"""The one translation of an exception into Chroma's error JSON, for FastAPI and the fast path."""

from __future__ import annotations

import logging
from typing import Any

from fastapi.exceptions import RequestValidationError

from huedb._protocol import error_json
from huedb.errors import ChromaError, InternalError, InvalidArgumentError, NotFoundError
from huedb.server.deps import render_json

logger = logging.getLogger("huedb.server.app")

# Chroma reports a missing collection over HTTP without the in-process prefix.
_IN_PROCESS_PREFIX = "Error getting collection: "

# The exceptions that answer with Chroma's error JSON; anything else is the Guard's 500.
HANDLED: tuple[type[Exception], ...] = (
    ChromaError, RequestValidationError, ValueError, TypeError, KeyError, NotImplementedError,
)


def error_reply(method: str, path: str, exc: Exception) -> tuple[int, bytes]:
    """The status and JSON body for `exc`, raised serving `method path`."""
    error = as_chroma_error(exc)
    if isinstance(error, NotFoundError) and str(error.message()).startswith(_IN_PROCESS_PREFIX):
        error = NotFoundError(str(error.message())[len(_IN_PROCESS_PREFIX):])
    if error.status >= 500:
        logger.error("%s %s failed: %r", method, path, exc)
    return error.status, render_json(error_json(error))


def as_chroma_error(exc: Exception) -> ChromaError:
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
