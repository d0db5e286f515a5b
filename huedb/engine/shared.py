"""One LocalBackend per database location per process, shared by every client and ref-counted."""

from __future__ import annotations

from pathlib import Path

from huedb._shared import SharedTable
from huedb.config import Settings
from huedb.engine.backend import LocalBackend

_EPHEMERAL = "ephemeral"
_table: SharedTable[LocalBackend] = SharedTable()


def _key(path: Path | None) -> str:
    return _EPHEMERAL if path is None else str(path.resolve())


def acquire(path: Path | None, settings: Settings) -> LocalBackend:
    """The shared backend for this location; settings must match those it was opened with."""
    key = _key(path)

    def same_settings(backend: LocalBackend) -> None:
        if backend.settings != settings:
            raise ValueError(
                f"An instance of Chroma already exists for {key} with different settings"
            )

    return _table.acquire(key, lambda: LocalBackend(path, settings), same_settings)


def release(backend: LocalBackend) -> None:
    """Drop one reference; the last one closes the database."""
    if _table.release(backend):
        backend.close()


def clear() -> None:
    """Close every shared backend (Chroma's `clear_system_cache`)."""
    for backend in _table.drain():
        backend.close()
