"""Chroma's `chromadb.api.models` import path."""
