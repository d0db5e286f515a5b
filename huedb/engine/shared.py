"""One LocalBackend per database location per process, shared by every client and ref-counted."""

from __future__ import annotations

import threading
from pathlib import Path

from huedb.config import Settings
from huedb.engine.backend import LocalBackend

_EPHEMERAL = "ephemeral"
_lock = threading.Lock()
_open: dict[str, tuple[LocalBackend, int]] = {}


def _key(path: Path | None) -> str:
    return _EPHEMERAL if path is None else str(path.resolve())


def acquire(path: Path | None, settings: Settings) -> LocalBackend:
    """The shared backend for this location; settings must match those it was opened with."""
    key = _key(path)
    with _lock:
        entry = _open.get(key)
        if entry is None:
            backend = LocalBackend(path, settings)
            _open[key] = (backend, 1)
            return backend
        backend, refs = entry
        if backend.settings != settings:
            raise ValueError(
                f"An instance of Chroma already exists for {key} with different settings"
            )
        _open[key] = (backend, refs + 1)
        return backend


def release(backend: LocalBackend) -> None:
    """Drop one reference; the last one closes the database."""
    with _lock:
        key = _key(backend.path)
        entry = _open.get(key)
        if entry is None or entry[0] is not backend:
            return
        refs = entry[1] - 1
        if refs > 0:
            _open[key] = (backend, refs)
            return
        del _open[key]
    backend.close()


def clear() -> None:
    """Close every shared backend (Chroma's `clear_system_cache`)."""
    with _lock:
        backends = [b for b, _ in _open.values()]
        _open.clear()
    for backend in backends:
        backend.close()
