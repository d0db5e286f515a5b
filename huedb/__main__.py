"""`python -m huedb`: the huedb command line."""

from huedb.cli import main

raise SystemExit(main())
