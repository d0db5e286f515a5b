"""Chroma's `chromadb.utils` import path; `embedding_functions` is the part users import."""

from __future__ import annotations

from huedb.utils import embedding_functions

__all__ = ["embedding_functions"]
