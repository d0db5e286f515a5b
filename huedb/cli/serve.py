"""Building and running the server process: the only module that imports uvicorn."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from huedb.server import ServerConfig, create_app

CONFIG_ENV = "HUEDB_SERVER_CONFIG_JSON"


def build_app(config: ServerConfig) -> FastAPI:
    """Open the database at `config.persist_path` and serve it; the app closes it on shutdown."""
    from huedb.engine.backend import LocalBackend

    settings = config.to_settings()
    path = Path(config.persist_path)
    path.mkdir(parents=True, exist_ok=True)
    return create_app(LocalBackend(path, settings), settings, config, close_backend=True)


def app_from_environment() -> FastAPI:
    """uvicorn's factory for each worker process: the config travels in the environment."""
    return build_app(ServerConfig.from_dict(json.loads(os.environ[CONFIG_ENV])))


def check_address(host: str, port: int) -> None:
    """Fail early, with Chroma's message, when the address is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise SystemExit(f"Address {host}:{port} is not available") from None


def uvicorn_options(config: ServerConfig, log_level: str = "info") -> dict[str, Any]:
    """How uvicorn serves huedb (bench/server.py's overhead mode serves with the same).

    No access log (a log line per request costs more than a query); the event loop and HTTP
    parser are uvicorn's "auto" choice, uvloop and httptools, which the `server` extra
    installs, else asyncio and h11.
    """
    return {"host": config.listen_address, "port": config.port, "log_level": log_level,
            "timeout_graceful_shutdown": 30, "access_log": False, "loop": "auto",
            "http": "auto"}


def serve(config: ServerConfig, log_level: str = "info") -> None:
    """Run until SIGINT/SIGTERM; in-flight requests finish before the database closes."""
    import uvicorn

    check_address(config.listen_address, config.port)
    common = uvicorn_options(config, log_level)
    if config.workers > 1:
        # Worker processes import the app themselves; the engine is multi-process safe.
        os.environ[CONFIG_ENV] = json.dumps(config.as_dict())
        uvicorn.run("huedb.cli.serve:app_from_environment", factory=True,
                    workers=config.workers, **common)
    else:
        uvicorn.run(build_app(config), **common)
