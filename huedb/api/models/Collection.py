"""Chroma's `chromadb.api.models.Collection` import path (the module name is Chroma's)."""

from huedb.collection import Collection

__all__ = ["Collection"]
