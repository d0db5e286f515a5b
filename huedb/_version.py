"""The single source of huedb's version string."""

__version__ = "0.1.0"
# The Chroma release whose API huedb implements; `get_version()` reports it, as Chroma does,
# so that code which checks the server's version keeps working.
CHROMA_API_VERSION = "1.5.9"
