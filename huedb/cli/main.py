"""The `huedb` commands: `run` (Chroma's `chroma run`), `version` and the operator tools."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from huedb._version import __version__
from huedb.cli import ops as ops_commands

_INSTALL_HINT = "huedb run needs the server extra: pip install 'huedb[server]'"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="huedb", description="huedb command line")
    parser.add_argument("-V", "--version", action="version", version=f"huedb {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="Serve Chroma's HTTP API v2 from a database path.",
                              description="Serve Chroma's HTTP API v2 from a database path.")
    run.add_argument("config_path", nargs="?", help="YAML config file (Chroma's server config)")
    run.add_argument("--config", dest="config_file", help="YAML config file (same as the "
                     "positional CONFIG_PATH); CHROMA_<KEY> variables override it")
    run.add_argument("--path", help="database directory (default ./chroma)")
    run.add_argument("--host", help="address to listen on (default localhost)")
    run.add_argument("--port", type=int, help="port to listen on (default 8000)")
    run.add_argument("--workers", type=int, help="worker processes (default 1)")
    run.add_argument("--allow-reset", action="store_true", default=None,
                     help="allow POST /api/v2/reset to wipe the database")
    run.add_argument("--log-level", default="info",
                     choices=["critical", "error", "warning", "info", "debug"])
    run.add_argument("--access-log", choices=["off", "json"],
                     help="one JSON line per request on stdout (default off: it costs "
                          "throughput)")
    commands.add_parser("version", help="Print huedb's version.")
    ops_commands.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `huedb` console script."""
    args = _parser().parse_args(argv)
    if args.command == "version":
        print(__version__)
        return 0
    if args.command in ops_commands.NAMES:
        return ops_commands.run(args)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        from huedb.cli.serve import serve
        from huedb.server import load_config
    except ImportError:
        print(_INSTALL_HINT, file=sys.stderr)
        return 1
    config_file = args.config_file or args.config_path
    try:
        config = load_config(config_file)
    except (OSError, ValueError) as exc:
        print(f"huedb run: {exc}", file=sys.stderr)
        return 1
    for option, key in (("path", "persist_path"), ("host", "listen_address"), ("port", "port"),
                        ("workers", "workers"), ("allow_reset", "allow_reset"),
                        ("access_log", "access_log")):
        value = getattr(args, option)
        if value is not None:
            setattr(config, key, value)
    serve(config, log_level=args.log_level)
    return 0


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    """SIGTERM when uvicorn's own handler is not installed: while starting, and after the drain.

    uvicorn re-raises the signal that stopped it once it has drained. With the default handler
    that kills the process (status 143, which Kubernetes and compose report as a failure)
    although everything was finished; this makes a drained stop, or one before serving, exit 0.
    """
    raise SystemExit(0)
