"""Chunks grouped by what has already arrived, so a fast backend never outruns the run.

A reader task pulls the backend's stream into a buffer; the consumer takes everything buffered at
each wake-up. When the run keeps up, every batch holds one chunk and nothing waits; when the
backend is faster (a local model on a fast GPU, or a fake), many chunks become one batch, so the
run writes one bigger delta instead of many small ones and its cost per token falls. No chunk
waits for a later one: a batch is only what is there already.

This is the per-token path, so it is a plain ``deque`` and two events rather than an
``asyncio.Queue`` (whose ``put`` costs several times an append): the reader only signals the
consumer when it is waiting for something.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator
from typing import TypeVar

T = TypeVar("T")

_READ_AHEAD = 4096
"""Chunks read ahead at most (a few hundred kilobytes), so memory stays bounded."""


async def batched(items: AsyncGenerator[T]) -> AsyncGenerator[list[T]]:
    """``items`` regrouped: each list holds what arrived since the consumer last asked."""
    buffer: deque[T] = deque()
    arrived = asyncio.Event()  # set: the buffer holds something, or the reader is done
    room = asyncio.Event()  # set: the reader may read on
    room.set()
    done = False
    failure: BaseException | None = None

    async def read() -> None:
        nonlocal done, failure
        try:
            async for item in items:
                buffer.append(item)
                if not arrived.is_set():
                    arrived.set()
                if len(buffer) >= _READ_AHEAD:
                    room.clear()
                    await room.wait()
        except Exception as exc:  # handed to the consumer, who raises it
            failure = exc
        finally:
            done = True
            arrived.set()
            await items.aclose()  # closes the HTTP response if the reader stopped mid-stream

    reader = asyncio.get_running_loop().create_task(read())
    try:
        while True:
            await arrived.wait()
            arrived.clear()
            finished = done  # read before taking: whatever the reader appended is in the buffer
            batch = list(buffer)
            buffer.clear()
            room.set()
            if batch:
                yield batch
            if finished:
                if failure is not None:
                    raise failure
                return
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
