"""Sync facades over huedb's async client, so the sync API tests also drive AsyncClientAPI."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import threading
from collections.abc import Awaitable, Coroutine, Iterator
from typing import Any, TypeVar

import huedb

T = TypeVar("T")


class EventLoop:
    """One event loop on its own thread; every awaited call of a test runs there.

    Tests call from the main thread and from threads of their own (tests/engine/test_threads.py),
    so calls are handed over with `run_coroutine_threadsafe` rather than `asyncio.run` per call.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="async-adapter",
                                        daemon=True)
        self._thread.start()

    def run(self, awaitable: Awaitable[T]) -> T:
        if threading.current_thread() is self._thread:
            raise RuntimeError("a facade was called from inside the adapter's loop")
        return asyncio.run_coroutine_threadsafe(_awaited(awaitable), self.loop).result()

    def close(self) -> None:
        self.run(self.loop.shutdown_default_executor())  # joins the to_thread workers
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


@contextlib.contextmanager
def event_loop() -> Iterator[EventLoop]:
    loop = EventLoop()
    try:
        yield loop
    finally:
        loop.close()


def connect(loop: EventLoop, **kwargs: Any) -> huedb.ClientAPI:
    """`await huedb.AsyncHttpClient(**kwargs)` on `loop`, behind the sync client surface."""
    client: Any = ClientFacade(loop.run(huedb.AsyncHttpClient(**kwargs)), loop)
    return client  # typed as the sync client the tests are written against


def unwrap(obj: Any) -> Any:
    """The async object behind a facade; anything else as it is."""
    return obj._target if isinstance(obj, _Facade) else obj


class _Facade:
    """Presents an async object's API synchronously: awaitables are run to completion on the
    adapter's loop, plain attributes pass through, and anything the async object lacks raises
    AttributeError, so no call can quietly reach the sync client instead."""

    _target_type: type

    def __init__(self, target: Any, loop: EventLoop) -> None:
        if not isinstance(target, self._target_type):
            raise TypeError(f"{type(self).__name__} wraps {self._target_type.__name__}, "
                            f"got {type(target).__name__}")
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_loop", loop)

    def __getattr__(self, name: str) -> Any:
        if name in ("_target", "_loop"):  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        value = getattr(self._target, name)
        if not (inspect.ismethod(value) or inspect.isfunction(value)):
            return value  # properties, including callable ones such as embedding_function

        @functools.wraps(value)
        def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*args, **kwargs)
            if inspect.isawaitable(result):
                result = self._loop.run(result)
            return _wrap(result, self._loop)

        return call

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only; set {name} through its API")

    def __repr__(self) -> str:
        return repr(self._target)

    def __eq__(self, other: object) -> bool:
        return bool(self._target == unwrap(other))

    __hash__ = None  # type: ignore[assignment]


class ClientFacade(_Facade):
    _target_type = huedb.AsyncClientAPI

    def __enter__(self) -> ClientFacade:
        self._loop.run(self._target.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.run(self._target.__aexit__(*exc))


class CollectionFacade(_Facade):
    _target_type = huedb.AsyncCollection


def _wrap(result: Any, loop: EventLoop) -> Any:
    """Async clients and collections come back as facades, also inside lists."""
    if isinstance(result, huedb.AsyncCollection):
        return CollectionFacade(result, loop)
    if isinstance(result, huedb.AsyncClientAPI):
        return ClientFacade(result, loop)
    if isinstance(result, list):
        return [_wrap(item, loop) for item in result]
    if isinstance(result, Coroutine):  # an awaitable result of an awaitable: never expected
        raise TypeError(f"unexpected nested coroutine {result!r}")
    return result
