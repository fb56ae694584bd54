"""Running a coroutine's first step at once, in the caller, and finishing it later only if it waits.

An SSE frame is written by the code that appends it (``sse``), and the executor sends an engine's
frames together when the engine pauses (``executor``): both need to know whether an awaitable
completes without suspending, and to carry it on in a task when it does suspend.
"""

from __future__ import annotations

from collections.abc import Awaitable, Coroutine, Generator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def start_now(awaitable: Awaitable[T]) -> tuple[T | None, Awaitable[T] | None]:
    """Run a coroutine here until it first suspends: ``(result, None)`` if it finished, else
    ``(None, rest)`` where awaiting ``rest`` finishes it. Exceptions propagate as they are raised.

    An awaitable that is not a coroutine is returned as ``rest``, unstarted.
    """
    if not isinstance(awaitable, Coroutine):
        return None, awaitable
    coro: Coroutine[Any, Any, T] = awaitable
    try:
        suspended_on = coro.send(None)
    except StopIteration as finished:
        return finished.value, None
    return None, Resume(coro, suspended_on)


class Resume(Generic[T]):
    """Awaiting it carries on a coroutine that suspended once already (on ``suspended_on``).

    Like ``yield from coro`` with its first step already taken: the awaiting task sees the same
    future the coroutine waits for, and sends or throws into the coroutine what the task would
    (cancellation included).
    """

    __slots__ = ("_coro", "_suspended_on")

    def __init__(self, coro: Coroutine[Any, Any, T], suspended_on: Any) -> None:
        self._coro = coro
        self._suspended_on = suspended_on

    def __await__(self) -> Generator[Any, Any, T]:
        coro, waiting = self._coro, self._suspended_on
        while True:
            try:
                sent = yield waiting
            except BaseException as exc:
                try:
                    waiting = coro.throw(exc)
                except StopIteration as finished:
                    return finished.value  # type: ignore[no-any-return]
            else:
                try:
                    waiting = coro.send(sent)
                except StopIteration as finished:
                    return finished.value  # type: ignore[no-any-return]
