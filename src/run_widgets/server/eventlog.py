"""Each run's append-only log of SSE frames, which streams follow.

A frame is appended once, already encoded, with its sequence number being its position; a stream
subscribes from a position and reads until the next ``done`` frame. So a subscriber that arrives
late (the create-run request's own stream, an ``Idempotency-Key`` replay) misses nothing, and a
submit_tool_outputs stream starts exactly where its segment does.

Streams ``follow`` a log: ``append`` calls them at once, so a frame is written to its sockets before
the event loop goes on to other work (under a burst of requests, a woken task would queue behind
all of them). A producer about to append many frames without pausing ``hold``s the log and
``release``s it before it waits: its frames then go out together, in one write per stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

DONE_FRAME = b"event: done\ndata: [DONE]\n\n"


def encode_json(data: Any) -> bytes:
    """Compact JSON on one line, as every ``data:`` line and response body is written."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def sse_frame(event: str, data: bytes) -> bytes:
    """One SSE event: an ``event:`` line, one ``data:`` line of JSON, and a blank line."""
    return b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


class EventLog:
    """The frames of one run. A frame is bytes, or a pair (plain, with file search content)."""

    __slots__ = ("_followers", "_frames", "_held", "_unsent", "_waiters")

    def __init__(self) -> None:
        self._frames: list[bytes | tuple[bytes, bytes]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._followers: list[Callable[[], None]] = []
        self._held = self._unsent = False

    def __len__(self) -> int:
        return len(self._frames)

    def append(self, frame: bytes | tuple[bytes, bytes]) -> int:
        """Add a frame, call the followers and wake the waiters; returns its sequence number."""
        self._frames.append(frame)
        if self._held:
            self._unsent = True
        elif self._followers:
            self._call_followers()
        if self._waiters:
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
        return len(self._frames) - 1

    def take(self, position: int, *, include_content: bool = False) -> tuple[bytes, int, bool]:
        """The frames from ``position`` joined, the position after them, and whether ``done`` was among them."""
        frames = self._frames
        end = len(frames)
        if position >= end:
            return b"", position, False
        out: list[bytes] = []
        done = False
        while position < end:
            frame = frames[position]
            position += 1
            if isinstance(frame, tuple):
                frame = frame[1] if include_content else frame[0]
            out.append(frame)
            if frame is DONE_FRAME:
                done = True
                break
        return b"".join(out), position, done

    def hold(self) -> None:
        """Keep new frames from the followers until ``release`` (waiters are woken as ever)."""
        self._held = True

    def release(self) -> None:
        """Let the followers have the frames appended since ``hold``."""
        self._held = False
        if self._unsent:
            self._unsent = False
            self._call_followers()

    def _call_followers(self) -> None:
        for follower in tuple(self._followers):
            follower()  # must not raise (see ``follow``)

    def follow(self, follower: Callable[[], None]) -> None:
        """Call ``follower()`` after each append, synchronously. It must not raise, nor append."""
        self._followers.append(follower)

    def unfollow(self, follower: Callable[[], None]) -> None:
        with contextlib.suppress(ValueError):
            self._followers.remove(follower)

    async def wait(self) -> None:
        """Until the next frame is appended (each follower has its own future, so one giving up
        does not disturb the others)."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):  # stop tracking it, unless append already did
                self._waiters.remove(waiter)
            raise
