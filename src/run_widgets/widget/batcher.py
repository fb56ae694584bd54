"""When a card talks to its front end: at most one patch per interval, urgent changes at once.

Every synced change costs a comm message over IOPub (rate-limited by Jupyter Server), so a card that
forwarded every delta would flood it. The batcher coalesces: the first change after a quiet spell
schedules a flush at ``last_flush + interval``; the changes that follow ride along for free (one
attribute check each). A status change asks for a flush at once, skipping the interval but not the
per-second budget: when the last second already saw ``per_second`` flushes it goes out the moment
one of them leaves the window (a few intervals at most while a stream runs), so no one-second window
ever holds more than ``per_second`` flushes. The clock and the scheduler are injected, so tests can
drive time by hand.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from . import limits


class Scheduler(Protocol):
    """Where and when flushes run (the card's loop thread, or a test's manual clock)."""

    def now(self) -> float: ...

    def call_soon(self, fn: Callable[[], object]) -> None: ...

    def call_later(self, delay: float, fn: Callable[[], object]) -> None: ...


class LoopScheduler:
    """The real scheduler: the private runtime loop and the monotonic clock."""

    def now(self) -> float:
        return time.monotonic()

    def call_soon(self, fn: Callable[[], object]) -> None:
        from .runtime import get_runtime

        get_runtime().call_soon(fn)

    def call_later(self, delay: float, fn: Callable[[], object]) -> None:
        from .runtime import get_runtime

        get_runtime().call_later(delay, fn)


class UpdateBatcher:
    """Coalesces change notices into calls of ``flush``, at most one per ``interval`` (plus urgent ones).

    ``changed()`` may be called from any thread, under the owner's lock; ``flush`` runs on the
    scheduler's thread and must take that lock itself.
    """

    __slots__ = (
        "_flush",
        "_recent",
        "_scheduled",
        "_scheduler",
        "_timer",
        "_urgent",
        "flushes",
        "interval",
        "per_second",
    )

    def __init__(
        self,
        flush: Callable[[], object],
        scheduler: Scheduler,
        *,
        interval: float = limits.FLUSH_INTERVAL,
    ) -> None:
        self._flush = flush
        self._scheduler = scheduler
        self.interval = interval
        self.per_second = max(1, round(1.0 / interval))
        # When the last messages left (``sent``): a regular flush waits for both the interval since the
        # last one and a free slot in the last second (every message uses a slot, so the total stays bounded).
        self._recent: deque[float] = deque([float("-inf")], maxlen=self.per_second)
        self._scheduled = False
        self._urgent = False
        self._timer = 0  # the live timer's number; older timers find nothing to do
        self.flushes = 0

    def changed(self) -> None:
        """Something changed: make sure a flush is on its way, no sooner than the interval allows."""
        if self._scheduled or self._urgent:
            return
        self._scheduled = True
        self._timer += 1
        timer = self._timer
        due = max(self._recent[-1] + self.interval, self._free_slot())
        self._at(due, lambda: self._run_timer(timer))

    def urgent(self) -> None:
        """Something that must show at once changed (a status): flush as soon as the budget allows."""
        if self._urgent:
            return
        self._urgent = True
        self._at(self._free_slot(), self._run_urgent)

    def _free_slot(self) -> float:
        """When the one-second window next has room for a flush."""
        recent = self._recent
        return recent[0] + 1.0 if len(recent) == self.per_second else float("-inf")

    def _at(self, due: float, fn: Callable[[], object]) -> None:
        delay = due - self._scheduler.now()
        if delay <= 0:
            self._scheduler.call_soon(fn)
        else:
            self._scheduler.call_later(delay, fn)

    def _run_timer(self, timer: int) -> None:
        if not self._scheduled or timer != self._timer:
            return
        if self._over_budget(lambda: self._run_timer(timer)):
            return
        self._scheduled = False
        self._run()

    def _run_urgent(self) -> None:
        if not self._urgent or self._over_budget(self._run_urgent):
            return
        self._urgent = False
        self._scheduled = False  # this flush carries whatever the pending timer would have
        self._run()

    def _over_budget(self, retry: Callable[[], object]) -> bool:
        """Another flush took the slot this one was due in (a checkpoint, or a timer due at the same
        moment): try again when the window has room."""
        slot = self._free_slot()
        if slot <= self._scheduler.now():
            return False
        self._at(slot, retry)
        return True

    def _run(self) -> None:
        self.flushes += 1
        self._flush()

    def sent(self) -> None:
        """A message left for the front end (a patch, a trait update, an answer): it takes a slot of the
        second's budget, whoever sent it, so the next flush waits for room."""
        self._recent.append(self._scheduler.now())

    def free_in(self) -> float:
        """Seconds until the second's budget has room (0 when it has now)."""
        return max(0.0, self._free_slot() - self._scheduler.now())

    def when_free(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` (which sends) now if the second's budget has room, else once it has (on the
        scheduler's thread)."""
        if not self._over_budget(lambda: self.when_free(fn)):
            fn()

    def done(self) -> None:
        """A checkpoint took everything: forget pending flushes (their timers will find nothing to do)."""
        self._scheduled = False
        self._urgent = False
