"""The HTTP client side: a Backend that talks to a Chroma-compatible server."""

from huedb.remote.backend import HttpBackend

__all__ = ["HttpBackend"]
