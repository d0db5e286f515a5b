"""One HttpBackend per server and connection settings in a process, shared and ref-counted.

Chroma's clients built from equal settings share one HTTP connection pool; so do huedb's, so a
program that makes a client per request does not open a pool (and leave sockets) per client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from huedb.remote.backend import HttpBackend

_lock = threading.Lock()
_open: dict[Hashable, tuple[HttpBackend, int]] = {}


def acquire(key: Hashable, connect: Callable[[], HttpBackend]) -> HttpBackend:
    """The shared backend for these connection settings, connected on first use."""
    with _lock:
        backend, refs = _open.get(key) or (connect(), 0)
        _open[key] = (backend, refs + 1)
        return backend


def release(backend: HttpBackend) -> None:
    """Drop one reference; the last one closes the connection pool."""
    with _lock:
        for key, (held, refs) in _open.items():
            if held is backend:
                if refs > 1:
                    _open[key] = (held, refs - 1)
                    return
                del _open[key]
                break
    backend.close()


def clear() -> None:
    """Close every shared connection pool (part of `clear_system_cache`)."""
    with _lock:
        backends = [b for b, _ in _open.values()]
        _open.clear()
    for backend in backends:
        backend.close()
