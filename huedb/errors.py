"""The exception tree shared by every backend, with Chroma's class names, wire names and statuses.

    ChromaError (HueError)                 400  base of every database error
    ├── InvalidDimensionException          400
    ├── IDAlreadyExistsError               409
    ├── ChromaAuthError                    403  "Forbidden"
    ├── DuplicateIDError                   400
    ├── InvalidArgumentError               400  bad input rejected by the database
    ├── InvalidUUIDError                   400
    ├── InvalidHTTPVersion                 400
    ├── AuthorizationError                 401
    ├── NotFoundError                      404
    ├── UniqueConstraintError              409
    ├── BatchSizeExceededError             413
    ├── VersionMismatchError               500
    ├── InternalError                      500
    │       (already_exists(): an InternalError sent as 409 ChromaError over HTTP)
    ├── RateLimitError                     429
    └── QuotaError                         400

`name()` is Chroma's class-level name; `wire_name` is the `"error"` field of the JSON body that
Chroma's Rust server sends, and `error_types` maps wire names back to classes so that an HTTP client
re-raises the class the server raised.
"""

from __future__ import annotations


class ChromaError(Exception):
    """Base of every error the database raises on purpose."""

    trace_id: str | None = None
    status: int = 400
    wire_name: str = "ChromaError"

    def code(self) -> int:
        """The HTTP status this error maps to."""
        return self.status

    def message(self) -> str:
        return ", ".join(str(a) for a in self.args)

    @classmethod
    def name(cls) -> str:
        return "ChromaError"


HueError = ChromaError


class InvalidDimensionException(ChromaError):
    wire_name = "InvalidDimension"

    @classmethod
    def name(cls) -> str:
        return "InvalidDimension"


class IDAlreadyExistsError(ChromaError):
    status = 409
    wire_name = "IDAlreadyExists"

    @classmethod
    def name(cls) -> str:
        return "IDAlreadyExists"


class ChromaAuthError(ChromaError):
    status = 403
    wire_name = "AuthError"

    def message(self) -> str:
        return "Forbidden"

    @classmethod
    def name(cls) -> str:
        return "AuthError"


class DuplicateIDError(ChromaError):
    wire_name = "DuplicateID"

    @classmethod
    def name(cls) -> str:
        return "DuplicateID"


class InvalidArgumentError(ChromaError):
    wire_name = "InvalidArgumentError"

    @classmethod
    def name(cls) -> str:
        return "InvalidArgument"


class InvalidUUIDError(ChromaError):
    wire_name = "InvalidUUID"

    @classmethod
    def name(cls) -> str:
        return "InvalidUUID"


class InvalidHTTPVersion(ChromaError):
    wire_name = "InvalidHTTPVersion"

    @classmethod
    def name(cls) -> str:
        return "InvalidHTTPVersion"


class AuthorizationError(ChromaError):
    status = 401
    wire_name = "AuthorizationError"

    @classmethod
    def name(cls) -> str:
        return "AuthorizationError"


class NotFoundError(ChromaError):
    status = 404
    wire_name = "NotFoundError"

    @classmethod
    def name(cls) -> str:
        return "NotFoundError"


class UniqueConstraintError(ChromaError):
    status = 409
    wire_name = "UniqueConstraintError"

    @classmethod
    def name(cls) -> str:
        return "UniqueConstraintError"


class BatchSizeExceededError(ChromaError):
    status = 413
    wire_name = "BatchSizeExceededError"

    @classmethod
    def name(cls) -> str:
        return "BatchSizeExceededError"


class VersionMismatchError(ChromaError):
    status = 500
    wire_name = "VersionMismatchError"

    @classmethod
    def name(cls) -> str:
        return "VersionMismatchError"


class InternalError(ChromaError):
    status = 500
    wire_name = "InternalError"

    @classmethod
    def name(cls) -> str:
        return "InternalError"


def already_exists(message: str) -> InternalError:
    """A tenant, database or collection that already exists.

    Chroma raises exactly `InternalError` for this in process, yet answers 409 `ChromaError`
    over HTTP; the instance carries the HTTP status and wire name instead of a subclass.
    """
    error = InternalError(message)
    error.status = 409
    error.wire_name = "ChromaError"
    return error


class RateLimitError(ChromaError):
    status = 429
    wire_name = "RateLimitError"

    @classmethod
    def name(cls) -> str:
        return "RateLimitError"


class QuotaError(ChromaError):
    wire_name = "QuotaError"

    @classmethod
    def name(cls) -> str:
        return "QuotaError"


error_types: dict[str, type[ChromaError]] = {
    "InvalidDimension": InvalidDimensionException,
    "InvalidArgumentError": InvalidArgumentError,
    "IDAlreadyExists": IDAlreadyExistsError,
    "DuplicateID": DuplicateIDError,
    "InvalidUUID": InvalidUUIDError,
    "InvalidHTTPVersion": InvalidHTTPVersion,
    "AuthorizationError": AuthorizationError,
    "NotFoundError": NotFoundError,
    "BatchSizeExceededError": BatchSizeExceededError,
    "VersionMismatchError": VersionMismatchError,
    "RateLimitError": RateLimitError,
    "AuthError": ChromaAuthError,
    "UniqueConstraintError": UniqueConstraintError,
    "QuotaError": QuotaError,
    "InternalError": InternalError,
    "ChromaError": ChromaError,
}
