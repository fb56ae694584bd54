"""Waiting for a card's run from the calling thread, and what Ctrl-C does meanwhile."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ..widget import RunCard


def wait_for(card: RunCard, timeout: float | None = None, *, cancel: bool = True) -> None:
    """Block until the card stops following (the run paused or ended), or ``timeout`` passed.

    Ctrl-C raises ``KeyboardInterrupt``; with ``cancel``, it cancels the run first (the card shows
    how it ends).
    """
    guard = cancelled_on_interrupt(card) if cancel else contextlib.nullcontext()
    with guard, contextlib.suppress(TimeoutError):
        card.wait(timeout)


@contextlib.contextmanager
def cancelled_on_interrupt(card: RunCard) -> Iterator[None]:
    """Ctrl-C inside the block cancels the card's run (if it can be), then goes on as usual."""
    try:
        yield
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            card.cancel()
        raise
