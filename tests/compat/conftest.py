"""Start every selected congruence module's reference-chromadb run in parallel, up front."""

from __future__ import annotations

import pytest

from tests.compat import harness


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Runs after deselection (`-k`, `-m`), so only modules with selected tests start."""
    if config.option.collectonly:
        return
    for item in items:
        module = getattr(item, "module", None)
        scenarios = getattr(module, "SCENARIOS", None)
        if module is not None and scenarios and module.__name__.startswith("tests.compat."):
            harness.start_chroma(module.__name__, scenarios)


def pytest_sessionfinish() -> None:
    harness.stop_chroma()
