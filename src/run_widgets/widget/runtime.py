"""One private asyncio loop on a daemon thread, shared by every card (and the magics' ``--wait``).

The kernel's own loop is busy running cells, and a cell that blocks would stall anything scheduled on
it; so streams, polls and card flushes run here instead (the pattern of IPython's ``%%script --bg``).
The loop starts on first use and stops at interpreter exit. Never ``asyncio.run`` or nest_asyncio.

Work runs in a fresh ``contextvars.Context``, not a copy of the caller's: ipykernel keeps the parent
header of output in a context variable, and a copy would tie a card's later output (its refreshed
display at the end of a run) to the cell that started it, which has long finished. With a fresh
context, ipykernel (7.1+) sends it with the cell that runs now, as it does for any thread.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import contextvars
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_THREAD_NAME = "run-widgets-loop"


class Runtime:
    """A started event loop on its own daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._main, name=_THREAD_NAME, daemon=True)
        self.thread.start()
        self._ready.wait()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    def in_loop_thread(self) -> bool:
        return threading.current_thread() is self.thread

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return contextvars.Context().run(asyncio.run_coroutine_threadsafe, coro, self.loop)

    def call_soon(self, fn: Callable[[], object]) -> None:
        if self.in_loop_thread():
            self.loop.call_soon(fn, context=contextvars.Context())
        else:
            self.loop.call_soon_threadsafe(fn, context=contextvars.Context())

    def call_later(self, delay: float, fn: Callable[[], object]) -> None:
        if self.in_loop_thread():
            self.loop.call_later(delay, fn, context=contextvars.Context())
        else:
            self.loop.call_soon_threadsafe(
                lambda: self.loop.call_later(delay, fn, context=contextvars.Context()),
                context=contextvars.Context(),
            )

    def stop(self, timeout: float = 2.0) -> None:
        """Cancel what is still running, stop the loop and wait for the thread (briefly)."""
        if self.loop.is_closed() or not self.thread.is_alive():
            return

        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if not self.in_loop_thread():
            with contextlib.suppress(concurrent.futures.TimeoutError, RuntimeError):
                self.submit(cancel_all()).result(timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        if not self.in_loop_thread():
            self.thread.join(timeout)


_runtime: Runtime | None = None
_lock = threading.Lock()


def get_runtime() -> Runtime:
    """The shared runtime, started on first use."""
    global _runtime
    runtime = _runtime
    if runtime is not None and runtime.thread.is_alive():
        return runtime
    with _lock:
        if _runtime is None or not _runtime.thread.is_alive():
            _runtime = Runtime()
        return _runtime


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Schedule ``coro`` on the private loop; returns at once with a thread-safe future."""
    return get_runtime().submit(coro)


def run_sync(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run ``coro`` on the private loop and wait for its result (from any thread but the loop's).

    On timeout the coroutine is cancelled and ``TimeoutError`` raised.
    """
    runtime = get_runtime()
    if runtime.in_loop_thread():
        coro.close()
        raise RuntimeError(
            "run_sync() was called on the run-widgets loop itself; await the coroutine instead"
        )
    future = runtime.submit(coro)
    try:
        return future.result(timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise TimeoutError(f"gave up waiting after {timeout} s") from None
    except KeyboardInterrupt:
        future.cancel()
        raise


def in_loop_thread() -> bool:
    """Whether the caller runs on the private loop's thread."""
    runtime = _runtime
    return runtime is not None and runtime.in_loop_thread()


def shutdown() -> None:
    """Stop the loop (at exit, or when the extension is unloaded); the next use starts a new one."""
    global _runtime
    with _lock:
        runtime, _runtime = _runtime, None
    if runtime is not None:
        runtime.stop()


atexit.register(shutdown)
