"""The embedded database engine: SQLite as the source of truth, vectors only, no text models."""

from huedb.engine.backend import LocalBackend

__all__ = ["LocalBackend"]
