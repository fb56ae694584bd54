"""Lists return pages that fetch the next ones as you iterate: after=<last id>, same order, limit and filters."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx2

from run_widgets import Client
from run_widgets.client import AsyncPage, SyncPage
from state.transcripts import message_object, run_object

from .conftest import FakeServer, async_client, list_response

RUNS = [run_object(f"run_{letter}", "completed") for letter in "abcde"]


def paged(items: list[dict[str, Any]], size: int) -> Callable[[httpx2.Request], httpx2.Response]:
    """A list route that pages ``items`` by ``after`` and ``limit``, as a server would."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        after = request.url.params.get("after")
        start = next(i + 1 for i, item in enumerate(items) if item["id"] == after) if after else 0
        limit = int(request.url.params.get("limit", size))
        chunk = items[start : start + limit]
        return list_response(chunk, has_more=start + limit < len(items))

    return answer


def test_iterating_a_page_visits_every_item_across_pages(client: Client, server: FakeServer) -> None:
    server.on("GET", "/threads/t/runs", paged(RUNS, 2))
    page = client.threads.runs.list("t", limit=2, order="asc")
    assert (
        isinstance(page, SyncPage) and [run.id for run in page.data] == ["run_a", "run_b"] and page.has_more
    )
    assert [run.id for run in page] == ["run_a", "run_b", "run_c", "run_d", "run_e"]
    queries = [request.url.params for request in server.requests]
    assert [dict(query) for query in queries] == [
        {"limit": "2", "order": "asc"},
        {"limit": "2", "order": "asc", "after": "run_b"},
        {"limit": "2", "order": "asc", "after": "run_d"},
    ]


def test_next_page_by_hand(client: Client, server: FakeServer) -> None:
    server.on("GET", "/threads/t/runs", paged(RUNS, 3))
    first = client.threads.runs.list("t", limit=3)
    assert first.has_next_page() and (first.first_id, first.last_id) == ("run_a", "run_c")
    second = first.next_page()
    assert second is not None and [run.id for run in second.data] == ["run_d", "run_e"]
    assert not second.has_more and not second.has_next_page() and second.next_page() is None
    assert [len(page) for page in first.iter_pages()] == [3, 2]


def test_filters_ride_along_to_every_page(client: Client, server: FakeServer) -> None:
    messages = [message_object(f"msg_{i}", "run_1", []) for i in range(3)]
    server.on("GET", "/threads/t/messages", paged(messages, 1))
    assert [message.id for message in client.threads.messages.list("t", run_id="run_1", limit=1)] == [
        "msg_0",
        "msg_1",
        "msg_2",
    ]
    assert all(request.url.params["run_id"] == "run_1" for request in server.requests)
    assert len(server.requests) == 3


def test_an_empty_page_ends_the_walk_even_if_it_claims_more(client: Client, server: FakeServer) -> None:
    server.on("GET", "/threads/t/runs", list_response([], has_more=True))
    page = client.threads.runs.list("t")
    assert list(page) == [] and page.next_page() is None and len(server.requests) == 1


def test_async_pages_with_async_for(server: FakeServer) -> None:
    server.on("GET", "/threads/t/runs", paged(RUNS, 2))

    async def main() -> tuple[list[str], list[str], list[str]]:
        async with async_client(server, []) as client:
            every = [run.id async for run in client.threads.runs.list("t", limit=2)]
            first = await client.threads.runs.list("t", limit=2)
            assert isinstance(first, AsyncPage)
            second = await first.next_page()
            assert second is not None
            pages = [len(page) async for page in first.iter_pages()]
            return every, [run.id for run in second.data], [str(size) for size in pages]

    every, second, pages = asyncio.run(main())
    assert every == ["run_a", "run_b", "run_c", "run_d", "run_e"]
    assert second == ["run_c", "run_d"]
    assert pages == ["2", "2", "1"]
