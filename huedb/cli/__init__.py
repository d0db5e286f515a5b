"""The `huedb` command line; `main` is the console-script entry point."""

from huedb.cli.main import main

__all__ = ["main"]
