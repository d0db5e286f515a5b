"""A process-wide table of shared, reference-counted resources (open databases, HTTP pools)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedTable(Generic[T]):
    """One resource per key, handed out to every holder and closed by the last to let go."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[Hashable, tuple[T, int]] = {}

    def acquire(self, key: Hashable, create: Callable[[], T],
                check: Callable[[T], None] = lambda _: None) -> T:
        """The resource for `key`, created on first use; `check` may refuse an existing one."""
        with self._lock:
            entry = self._open.get(key)
            if entry is None:
                resource = create()
                self._open[key] = (resource, 1)
                return resource
            check(entry[0])
            self._open[key] = (entry[0], entry[1] + 1)
            return entry[0]

    def release(self, resource: T) -> bool:
        """Drop one reference; True when that was the last one (the caller closes it)."""
        with self._lock:
            for key, (held, refs) in self._open.items():
                if held is resource:
                    if refs > 1:
                        self._open[key] = (held, refs - 1)
                        return False
                    del self._open[key]
                    return True
        return False

    def drain(self) -> list[T]:
        """Forget every resource and return them, for the caller to close."""
        with self._lock:
            resources = [r for r, _ in self._open.values()]
            self._open.clear()
        return resources
