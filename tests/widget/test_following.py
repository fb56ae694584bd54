"""Following on the private loop: async and blocking sources, and cards that go away stop following."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any

import comm
import pytest
from ipywidgets.widgets.widget import _instances

from run_widgets.widget import RunCard, runtime
from run_widgets.widget.viewstate import ViewState

from .store import Store
from .streams import Script
from .wire import Wire


async def paced(events: list[dict[str, Any]], every: int = 50) -> AsyncIterator[dict[str, Any]]:
    for i, event in enumerate(events):
        if i % every == 0:
            await asyncio.sleep(0.001)
        yield event


def exact(events: list[dict[str, Any]]) -> tuple[Any, Any]:
    state = ViewState()
    for event in events:
        state.apply(event)
    state.refresh()
    return state.run_view, state.step_views


def test_follow_an_async_stream(wire: Wire) -> None:
    events = Script().text_run([f"t{i} " for i in range(500)])
    card = RunCard()
    try:
        future = card.follow_stream(paced(events))
        run = future.result(timeout=30)
        assert run is not None and run.status == "completed"
        assert card.wait(timeout=5) is not None
        assert (card.run, card.steps) == exact(events)
        assert card.following is False
        store = Store().replay(wire)
        assert store.gaps == 0 and store.step_list == card.steps
        following = [u["following"] for u in wire.updates() if "following" in u]
        assert following[0] is True and following[-1] is False
    finally:
        card.close()


def test_follow_a_blocking_iterable(wire: Wire) -> None:
    """The SDK's sync streams block; they are drained in a worker thread, the cell is not held."""
    events = Script().text_run(["a", "b", "c"])
    card = RunCard()
    try:
        card.follow_stream(iter(events)).result(timeout=30)
        assert (card.run, card.steps) == exact(events)
    finally:
        card.close()


def test_follow_an_async_context_manager(wire: Wire) -> None:
    events = Script().text_run(["in", " a", " manager"])
    entered: list[str] = []

    class Manager:
        async def __aenter__(self) -> AsyncIterator[dict[str, Any]]:
            entered.append("enter")
            return paced(events)

        async def __aexit__(self, *exc: object) -> None:
            entered.append("exit")

    card = RunCard()
    try:
        card.follow_stream(Manager()).result(timeout=30)
        assert entered == ["enter", "exit"]
        assert card.steps[0]["message"]["text"] == "in a manager"
    finally:
        card.close()


def test_following_something_else_is_a_clear_error(wire: Wire) -> None:
    card = RunCard()
    try:
        card.follow_stream(42).result(timeout=30)
        assert card.notice is not None and card.notice["kind"] == "error"
        assert "cannot follow a int" in card.notice["text"]
    finally:
        card.close()


def test_a_stream_that_ends_early_without_a_client_says_so(wire: Wire) -> None:
    events = Script().text_run(["cut"])[:-3]  # no run.completed, no done
    card = RunCard()
    try:
        card.follow_stream(iter(events)).result(timeout=30)
        assert card.notice == {"kind": "error", "text": "The stream ended before the run did."}
    finally:
        card.close()


class Endless:
    """An async stream that sends the start of a run, then waits forever; records being closed."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.closed = threading.Event()

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        try:
            for event in Script().start():
                yield event
            self.started.set()
            await asyncio.Event().wait()
        finally:
            self.closed.set()


def test_closing_the_card_stops_following(wire: Wire) -> None:
    source = Endless()
    card = RunCard()
    future = card.follow_stream(source.events())
    assert source.started.wait(30)
    card.close()
    assert source.closed.wait(30)
    run = future.result(timeout=30)  # the run as last seen: it goes on without us
    assert run is not None and run.status == "in_progress"


def test_a_garbage_collected_card_stops_following(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only weak references lead from the follow task to the card.

    ipywidgets keeps every widget alive until ``close()`` (its ``_instances`` registry and the comm
    manager, ipywidgets#1345); a widget manager that held them weakly would let the card go. We drop
    those two references by hand, so only the card's own machinery could keep it alive.
    """
    source = Endless()
    card = RunCard()
    future = card.follow_stream(source.events())
    assert source.started.wait(30)
    _instances.pop(card.model_id)
    manager = comm.get_comm_manager()
    manager.unregister_comm(card.comm)
    # The card's close() (from Widget.__del__) unregisters again: tolerate the missing entry.
    monkeypatch.setattr(manager, "unregister_comm", lambda c: manager.comms.pop(c.comm_id, None))
    ref = weakref.ref(card)
    del card
    deadline = time.monotonic() + 30
    while ref() is not None and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.01)  # a pending flush timer holds the card for up to one interval
    assert ref() is None
    assert source.closed.wait(30)
    assert future.result(timeout=30) is None


def test_runtime_runs_coroutines_off_the_calling_thread() -> None:
    async def where() -> str:
        return threading.current_thread().name

    assert runtime.run_sync(where()) == "run-widgets-loop"
    assert runtime.submit(where()).result(timeout=10) == "run-widgets-loop"

    async def nested() -> None:
        coro = where()
        with pytest.raises(RuntimeError, match="await the coroutine instead"):
            runtime.run_sync(coro)

    runtime.run_sync(nested())

    async def forever() -> None:
        await asyncio.Event().wait()

    with pytest.raises(TimeoutError):
        runtime.run_sync(forever(), timeout=0.05)


def test_wait_gives_up_with_a_clear_error(wire: Wire) -> None:
    source = Endless()
    card = RunCard()
    try:
        card.follow_stream(source.events())
        assert source.started.wait(30)
        with pytest.raises(TimeoutError, match="still going"):
            card.wait(timeout=0.01)
    finally:
        card.close()


def _blocking_events(events: list[dict[str, Any]], gate: threading.Event) -> Iterator[dict[str, Any]]:
    yield from events[:3]
    gate.wait(30)
    yield from events[3:]


def test_apply_from_another_thread_while_the_loop_flushes(wire: Wire) -> None:
    """Events applied from a thread that is not the loop (an SDK handler in a cell) are thread-safe."""
    events = Script().text_run([f"p{i} " for i in range(2000)])
    card = RunCard()
    try:
        worker = threading.Thread(target=lambda: [card.apply(e) for e in events])
        worker.start()
        worker.join(60)
        card.flush()
        assert (card.run, card.steps) == exact(events)
        assert Store().replay(wire).step_list == card.steps
    finally:
        card.close()
