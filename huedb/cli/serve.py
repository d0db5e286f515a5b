"""Building and running the server process: the only module that imports uvicorn."""

from __future__ import annotations

import copy
import json
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from huedb._version import __version__
from huedb.errors import ChromaError
from huedb.server import ServerConfig, create_app

CONFIG_ENV = "HUEDB_SERVER_CONFIG_JSON"
# Kubernetes (deploy/k8s/statefulset.yaml) and compose give 45 s before SIGKILL: room for this
# drain, then closing the database.
GRACEFUL_SHUTDOWN_SECONDS = 30


def build_app(config: ServerConfig) -> FastAPI:
    """Open the database at `config.persist_path` and serve it; the app closes it on shutdown."""
    from huedb.engine.backend import LocalBackend

    settings = config.to_settings()
    path = Path(config.persist_path)
    prepare_data_directory(path)
    backend = LocalBackend(path, settings)
    try:
        return create_app(backend, settings, config, close_backend=True)
    except BaseException:
        backend.close()
        raise


def prepare_data_directory(path: Path) -> None:
    """Create the database directory and prove it writable, or exit with one line saying why."""
    if path.exists() and not path.is_dir():
        raise SystemExit(f"huedb run: the database path {path} is a file, not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SystemExit(f"huedb run: cannot create the database directory {path}: "
                         f"{exc.strerror or exc}") from None
    try:
        # SQLite creates its journal files beside the database, so the directory itself must
        # take new files; an existing database file being writable is not enough.
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise SystemExit(f"huedb run: cannot write to the database directory {path}: "
                         f"{exc.strerror or exc}") from None


def open_app(config: ServerConfig) -> FastAPI:
    """`build_app`; what stops it becomes one line on stderr and exit status 1, no traceback.

    That is a database it cannot open (damaged, or written by a newer huedb) or bad settings.
    """
    try:
        return build_app(config)
    except (ChromaError, OSError, ValueError) as exc:
        raise SystemExit(f"huedb run: {exc}") from None


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
            "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS, "access_log": False,
            "loop": "auto", "http": "auto", "log_config": log_config()}


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus huedb's access log: bare JSON lines on stdout."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["huedb.access"] = {"format": "%(message)s"}
    config["handlers"]["huedb.access"] = {"formatter": "huedb.access",
                                          "class": "logging.StreamHandler",
                                          "stream": "ext://sys.stdout"}
    config["loggers"]["huedb.access"] = {"handlers": ["huedb.access"], "level": "INFO",
                                         "propagate": False}
    return config


def serve(config: ServerConfig, log_level: str = "info") -> None:
    """Run until SIGINT/SIGTERM; in-flight requests finish before the database closes."""
    import uvicorn

    check_address(config.listen_address, config.port)
    common = uvicorn_options(config, log_level)
    # Opened here, in the one process, so a database that cannot be served stops `huedb run`
    # with its reason before any worker starts (and migrations run once, not per worker).
    app = open_app(config)
    print(f"huedb {__version__}: serving {config.persist_path} on "
          f"http://{config.listen_address}:{config.port}/api/v2", file=sys.stderr)
    if config.workers > 1:
        app.state.backend.close()
        # Worker processes import the app themselves; the engine is multi-process safe.
        os.environ[CONFIG_ENV] = json.dumps(config.as_dict())
        uvicorn.run("huedb.cli.serve:app_from_environment", factory=True,
                    workers=config.workers, **common)
    else:
        uvicorn.run(app, **common)

