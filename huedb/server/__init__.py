"""huedb's HTTP server: Chroma's API v2 as an ASGI app (needs the `server` extra)."""

from huedb.server.app import create_app
from huedb.server.config import ServerConfig, load_config, load_config_file

__all__ = ["ServerConfig", "create_app", "load_config", "load_config_file"]
