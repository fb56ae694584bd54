"""Following a run on the private loop: consume a stream, poll, submit and carry on.

Every coroutine here holds the card through a weak reference only, and looks it up again after each
await. So a card that is closed or garbage-collected stops being followed: the next event finds it
gone (and closing also cancels the task at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..models import PAUSED_RUN_STATUSES

if TYPE_CHECKING:
    from .card import RunCard

CardRef = weakref.ReferenceType["RunCard"]

DEFAULT_POLL_INTERVAL = 0.5


def _live(ref: CardRef) -> RunCard | None:
    card = ref()
    if card is None or card._closed:
        return None
    return card


async def _close(source: Any) -> None:
    """Close an async iterable we stopped reading (its ``aclose`` or ``close``, if it has one)."""
    close = getattr(source, "aclose", None) or getattr(source, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):
            result = close()
            if asyncio.iscoroutine(result):
                await result


async def _aiter_source(source: Any) -> AsyncGenerator[Any]:
    """Events from an async context manager that gives an async iterable."""
    async with source as stream:
        async for event in stream:
            yield event


def _drain_sync(ref: CardRef, source: Any, stop: threading.Event) -> None:
    """Apply a blocking iterable's events in a worker thread (``apply`` is thread-safe)."""
    manager = source if hasattr(source, "__enter__") and not hasattr(source, "__iter__") else None
    stream = manager.__enter__() if manager is not None else source
    try:
        for event in stream:
            card = _live(ref)
            if card is None or stop.is_set():
                break
            card.apply(event)
            del card
    finally:
        if manager is not None:
            manager.__exit__(None, None, None)
        else:
            close = getattr(stream, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()


async def consume(ref: CardRef, source: Any) -> None:
    """Apply every event of ``source`` to the card until the source ends or the card goes away."""
    if hasattr(source, "__aiter__") or hasattr(source, "__aenter__"):
        # An async iterable is read directly (one generator layer less per event: this loop runs
        # once per delta); anything else goes through ``_aiter_source``, which enters it first.
        events = source if hasattr(source, "__aiter__") else _aiter_source(source)
        try:
            async for event in events:
                card = _live(ref)
                if card is None:
                    return
                card.apply(event)
                del card
        finally:
            await _close(events)
        return
    if not (hasattr(source, "__iter__") or hasattr(source, "__enter__")):
        raise TypeError(f"cannot follow a {type(source).__name__}: give an (async) iterable of stream events")
    stop = threading.Event()
    try:
        await asyncio.to_thread(_drain_sync, ref, source, stop)
    finally:
        stop.set()


async def poll(ref: CardRef, thread_id: str, run_id: str, interval: float) -> None:
    """Poll the run, its steps and its messages until it pauses or ends."""
    while True:
        card = _live(ref)
        if card is None:
            return
        backend = card._require_backend()
        del card
        run = await backend.retrieve(thread_id, run_id)
        steps = await backend.list_steps(thread_id, run_id)
        messages = await backend.list_messages(thread_id, run_id)
        card = _live(ref)
        if card is None:
            return
        card._apply_polled(run, steps, messages)
        del card
        if run.status in PAUSED_RUN_STATUSES:
            return
        await asyncio.sleep(interval)


async def drive(ref: CardRef, first: Callable[[], Awaitable[None]], interval: float) -> None:
    """Follow until the run pauses or ends: the first source, then polling if it stopped early, then
    (with automatic Python tools) submission and the stream that follows it, and so on."""
    step: Callable[[], Awaitable[None]] | None = first
    while step is not None:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            card = _live(ref)
            if card is None:
                return
            card._stream_failed(exc)
            del card
        card = _live(ref)
        if card is None:
            return
        step = await card._next_follow_step(interval)
        del card


class EnteredStream:
    """A stream manager already entered (the request was accepted): iterate it, then exit the manager."""

    def __init__(self, manager: Any, stream: Any) -> None:
        self._manager = manager
        self._stream = stream

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._stream.__aiter__()  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        await self._manager.__aexit__(None, None, None)


async def watch_expiry(ref: CardRef, run_id: str, expires_at: int, *, tries: int = 3) -> None:
    """A run waiting for tool outputs expires at ``expires_at``: look again then, so the card shows it
    (without following the run in between: a paused card is idle)."""
    await asyncio.sleep(max(0.0, expires_at - time.time()) + 0.5)
    for _ in range(tries):
        card = _live(ref)
        if card is None or card._drive_task is not None:
            return
        run = card.current_run
        if run is None or run.id != run_id or run.status != "requires_action":
            return
        future = card.follow()
        del card
        await asyncio.wrap_future(future)
        await asyncio.sleep(1.0)  # still waiting? the server may be a moment late
