"""The `huedb` commands: `run` (Chroma's `chroma run`), `version` and the operator tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

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
    try:
        from huedb.cli.serve import serve
        from huedb.server import ServerConfig, load_config_file
    except ImportError:
        print(_INSTALL_HINT, file=sys.stderr)
        return 1
    config_file = args.config_file or args.config_path
    try:
        config = load_config_file(config_file) if config_file else ServerConfig()
    except (OSError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    for option, key in (("path", "persist_path"), ("host", "listen_address"), ("port", "port"),
                        ("workers", "workers"), ("allow_reset", "allow_reset")):
        value = getattr(args, option)
        if value is not None:
            setattr(config, key, value)
    print(f"huedb {__version__}: serving {config.persist_path} on "
          f"http://{config.listen_address}:{config.port}/api/v2", file=sys.stderr)
    serve(config, log_level=args.log_level)
    return 0
