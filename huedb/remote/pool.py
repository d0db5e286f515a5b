"""One HttpBackend per server and connection settings in a process, shared and ref-counted.

Chroma's clients built from equal settings share one HTTP connection pool; so do huedb's, so a
program that makes a client per request does not open a pool (and leave sockets) per client.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from huedb._shared import SharedTable
from huedb.remote.backend import HttpBackend

_table: SharedTable[HttpBackend] = SharedTable()


def acquire(key: Hashable, connect: Callable[[], HttpBackend]) -> HttpBackend:
    """The shared backend for these connection settings, connected on first use."""
    return _table.acquire(key, connect)


def release(backend: HttpBackend) -> None:
    """Drop one reference; the last one closes the connection pool."""
    if _table.release(backend):
        backend.close()


def clear() -> None:
    """Close every shared connection pool (part of `clear_system_cache`)."""
    for backend in _table.drain():
        backend.close()
