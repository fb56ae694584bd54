"""Polling: GET until the run pauses or ends, waiting what the server asks (openai-poll-after-ms) on every answer."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from run_widgets import Client
from state.transcripts import run_object

from .conftest import FakeServer, async_client, json_response

PATH = "/threads/thread_abc123/runs/run_p"


def polled(*statuses_and_waits: tuple[str, str | None]) -> list[httpx2.Response]:
    return [
        json_response(run_object("run_p", status), headers={"openai-poll-after-ms": wait} if wait else None)
        for status, wait in statuses_and_waits
    ]


def test_poll_reads_the_servers_interval_on_every_answer(
    client: Client, server: FakeServer, sleeps: list[float]
) -> None:
    server.on(
        "GET",
        PATH,
        *polled(
            ("queued", "100"),
            ("in_progress", "250"),
            ("in_progress", None),
            ("in_progress", "40"),
            ("completed", None),
        ),
    )
    run = client.threads.runs.poll("run_p", "thread_abc123")
    assert run.status == "completed"
    assert sleeps == [0.1, 0.25, 1.0, 0.04]  # the SDK would have slept 0.1 each time
    assert len(server.requests) == 5


def test_a_given_interval_wins(client: Client, server: FakeServer, sleeps: list[float]) -> None:
    server.on("GET", PATH, *polled(("queued", "100"), ("in_progress", "100"), ("failed", None)))
    assert client.threads.runs.poll("run_p", "thread_abc123", poll_interval_ms=5).status == "failed"
    assert sleeps == [0.005, 0.005]


@pytest.mark.parametrize(
    "status", ["requires_action", "cancelled", "completed", "failed", "expired", "incomplete"]
)
def test_poll_stops_where_the_sdk_stops(
    client: Client, server: FakeServer, sleeps: list[float], status: str
) -> None:
    server.on("GET", PATH, *polled(("cancelling", "10"), (status, None)))
    assert client.threads.runs.poll("run_p", "thread_abc123").status == status
    assert sleeps == [0.01]


def test_create_and_poll(client: Client, server: FakeServer, sleeps: list[float]) -> None:
    server.on("POST", "/threads/thread_abc123/runs", json_response(run_object("run_p", "queued")))
    server.on("GET", PATH, *polled(("in_progress", "20"), ("requires_action", None)))
    run = client.threads.runs.create_and_poll(
        thread_id="thread_abc123", assistant_id="asst_1", include=["x"], model="m"
    )
    assert run.status == "requires_action" and sleeps == [0.02]
    create = server.requests[0]
    assert create.url.params.get_list("include[]") == ["x"]
    assert create.content == b'{"assistant_id":"asst_1","model":"m"}'


def test_submit_tool_outputs_and_poll(client: Client, server: FakeServer, sleeps: list[float]) -> None:
    server.on("POST", PATH + "/submit_tool_outputs", json_response(run_object("run_p", "queued")))
    server.on("GET", PATH, *polled(("completed", None)))
    run = client.threads.runs.submit_tool_outputs_and_poll(
        tool_outputs=[{"tool_call_id": "call_1", "output": "ok"}], run_id="run_p", thread_id="thread_abc123"
    )
    assert run.status == "completed" and sleeps == []
    assert server.requests[0].content == b'{"tool_outputs":[{"tool_call_id":"call_1","output":"ok"}]}'


def test_create_and_run_poll(client: Client, server: FakeServer, sleeps: list[float]) -> None:
    server.on("POST", "/threads/runs", json_response(run_object("run_p", "queued")))
    server.on("GET", PATH, *polled(("in_progress", "30"), ("completed", None)))
    run = client.threads.create_and_run_poll(
        assistant_id="asst_1", thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    assert run.status == "completed" and sleeps == [0.03]


def test_async_poll(server: FakeServer, sleeps: list[float]) -> None:
    server.on("POST", "/threads/thread_abc123/runs", json_response(run_object("run_p", "queued")))
    server.on("GET", PATH, *polled(("queued", "70"), ("in_progress", "80"), ("expired", None)))

    async def main() -> str:
        async with async_client(server, sleeps) as client:
            run = await client.threads.runs.create_and_poll(thread_id="thread_abc123", assistant_id="asst_1")
            return run.status

    assert asyncio.run(main()) == "expired"
    assert sleeps == [0.07, 0.08]
