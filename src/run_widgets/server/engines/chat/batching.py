"""Chunks grouped by what has already arrived, so a fast backend never outruns the run.

A reader task pulls the backend's stream into a queue; the consumer takes everything queued at
each wake-up. When the run keeps up, every batch holds one chunk and nothing waits; when the
backend is faster (a local model on a fast GPU, or a fake), many chunks become one batch, so the
run writes one bigger delta instead of many small ones and its cost per token falls. No chunk
waits for a later one: a batch is only what is there already.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any, TypeVar

T = TypeVar("T")

_QUEUE_SIZE = 4096
"""Chunks read ahead at most (a few hundred kilobytes), so memory stays bounded."""


class _End:
    def __init__(self, error: BaseException | None) -> None:
        self.error = error


async def batched(items: AsyncGenerator[T]) -> AsyncGenerator[list[T]]:
    """``items`` regrouped: each list holds what arrived since the consumer last asked."""
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=_QUEUE_SIZE)

    async def read() -> None:
        try:
            async for item in items:
                await queue.put(item)
        except Exception as exc:  # handed to the consumer, who raises it
            await queue.put(_End(exc))
        else:
            await queue.put(_End(None))
        finally:
            await items.aclose()  # closes the HTTP response if the reader stopped mid-stream

    reader = asyncio.get_running_loop().create_task(read())
    try:
        while True:
            batch = [await queue.get()]
            while not isinstance(batch[-1], _End) and not queue.empty():
                batch.append(queue.get_nowait())
            end = batch.pop() if isinstance(batch[-1], _End) else None
            if batch:
                yield batch
            if end is not None:
                if end.error is not None:
                    raise end.error
                return
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
