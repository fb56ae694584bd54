"""Batching on its own: what arrived together is taken together; errors and closing pass through."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator

import pytest

from run_widgets.server.engines.chat.batching import batched


def test_items_that_arrived_together_come_as_one_batch_and_nothing_waits_for_more() -> None:
    async def main() -> list[list[int]]:
        more = asyncio.Event()

        async def source() -> AsyncGenerator[int]:
            for n in (1, 2, 3):
                yield n
            await more.wait()
            for n in (4, 5):
                yield n

        got: list[list[int]] = []
        async with contextlib.aclosing(batched(source())) as batches:
            async for batch in batches:
                got.append(batch)
                more.set()  # the rest only comes once the first batch was taken
        return got

    assert asyncio.run(main()) == [[1, 2, 3], [4, 5]]


def test_an_error_reaches_the_consumer_after_what_came_before_it() -> None:
    async def main() -> list[list[int]]:
        async def source() -> AsyncGenerator[int]:
            yield 1
            raise ValueError("the stream broke")

        got: list[list[int]] = []
        with pytest.raises(ValueError, match="the stream broke"):
            async for batch in batched(source()):
                got.append(batch)
        return got

    assert asyncio.run(main()) == [[1]]


def test_closing_early_closes_the_source() -> None:
    async def main() -> bool:
        closed = asyncio.Event()

        async def source() -> AsyncGenerator[int]:
            try:
                yield 1
                await asyncio.Event().wait()  # a backend that goes quiet
                yield 2
            finally:
                closed.set()

        async with contextlib.aclosing(batched(source())) as batches:
            async for _batch in batches:
                break
        return closed.is_set()

    assert asyncio.run(main())
