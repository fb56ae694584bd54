"""Retries as the official SDK: which failures, how many, how long to wait, and one Idempotency-Key per call."""

from __future__ import annotations

import asyncio
import email.utils
import time

import httpx2
import pytest

from run_widgets import Client
from run_widgets.client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

from .conftest import BASE_URL, FakeServer, async_client, error_response, json_response

THREAD = {"id": "thread_1", "object": "thread", "created_at": 1}
RUN = {
    "id": "run_1", "object": "thread.run", "created_at": 1, "thread_id": "thread_1", "assistant_id": "asst_1",
    "status": "queued", "model": "m", "instructions": "", "tools": [], "parallel_tool_calls": True,
}  # fmt: skip


def make(server: FakeServer, sleeps: list[float], **options: object) -> Client:
    return Client(
        BASE_URL,
        api_key="k",
        http_client=httpx2.Client(transport=httpx2.MockTransport(server)),
        sleep=sleeps.append,
        **options,  # type: ignore[arg-type]
    )


def test_server_errors_are_retried_twice_with_growing_jittered_backoff(
    server: FakeServer, sleeps: list[float]
) -> None:
    server.on("GET", "/threads/thread_1", error_response(500), error_response(502), json_response(THREAD))
    make(server, sleeps).threads.retrieve("thread_1")
    assert len(server.requests) == 3
    first, second = sleeps
    assert 0.375 <= first <= 0.5 and 0.75 <= second <= 1.0


def test_after_the_last_retry_the_error_says_how_many_were_made(
    server: FakeServer, sleeps: list[float]
) -> None:
    server.on("GET", "/threads/thread_1", error_response(503, "Overloaded."))
    with pytest.raises(InternalServerError, match=r"Retried 2 times") as caught:
        make(server, sleeps).threads.retrieve("thread_1")
    assert caught.value.status_code == 503 and len(server.requests) == 3 and len(sleeps) == 2


def test_the_backoff_is_capped_at_eight_seconds(server: FakeServer, sleeps: list[float]) -> None:
    server.on("GET", "/threads/thread_1", error_response(500))
    with pytest.raises(InternalServerError):
        make(server, sleeps, max_retries=6).threads.retrieve("thread_1")
    assert len(server.requests) == 7
    for retry, delay in enumerate(sleeps):
        ceiling = min(0.5 * 2**retry, 8.0)
        assert 0.75 * ceiling <= delay <= ceiling


@pytest.mark.parametrize("status", [408, 409, 429, 500, 503])
def test_these_statuses_are_retried(server: FakeServer, sleeps: list[float], status: int) -> None:
    server.on("GET", "/threads/thread_1", error_response(status), json_response(THREAD))
    make(server, sleeps).threads.retrieve("thread_1")
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
    ],
)
def test_these_statuses_are_not(
    server: FakeServer, sleeps: list[float], status: int, cls: type[APIStatusError]
) -> None:
    server.on("GET", "/threads/thread_1", error_response(status), json_response(THREAD))
    with pytest.raises(cls) as caught:
        make(server, sleeps).threads.retrieve("thread_1")
    assert type(caught.value) is cls and caught.value.status_code == status
    assert len(server.requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "40", "retry-after": "9"}, 0.04),
        ({"retry-after": "120"}, 120.0),
    ],
)
def test_the_server_says_how_long_to_wait(
    server: FakeServer, sleeps: list[float], headers: dict[str, str], expected: float
) -> None:
    server.on("GET", "/threads/thread_1", error_response(429, headers=headers), json_response(THREAD))
    make(server, sleeps).threads.retrieve("thread_1")
    assert sleeps == [expected]


def test_retry_after_as_an_http_date(server: FakeServer, sleeps: list[float]) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.on(
        "GET", "/threads/thread_1", error_response(503, headers={"retry-after": when}), json_response(THREAD)
    )
    make(server, sleeps).threads.retrieve("thread_1")
    (delay,) = sleeps
    assert 25 <= delay <= 31


@pytest.mark.parametrize("value", ["0", "-3", "soon"])
def test_an_unusable_retry_after_falls_back_to_backoff(
    server: FakeServer, sleeps: list[float], value: str
) -> None:
    server.on(
        "GET", "/threads/thread_1", error_response(429, headers={"retry-after": value}), json_response(THREAD)
    )
    make(server, sleeps).threads.retrieve("thread_1")
    (delay,) = sleeps
    assert 0.375 <= delay <= 0.5


def test_a_retry_after_beyond_two_minutes_means_no_retry(server: FakeServer, sleeps: list[float]) -> None:
    server.on(
        "GET",
        "/threads/thread_1",
        error_response(429, "Slow down.", headers={"retry-after": "121"}),
        json_response(THREAD),
    )
    with pytest.raises(RateLimitError, match="Slow down"):
        make(server, sleeps).threads.retrieve("thread_1")
    assert len(server.requests) == 1 and sleeps == []


def test_x_should_retry_overrides_the_status(server: FakeServer, sleeps: list[float]) -> None:
    server.on(
        "GET",
        "/threads/thread_1",
        error_response(500, headers={"x-should-retry": "false"}),
        json_response(THREAD),
    )
    with pytest.raises(InternalServerError):
        make(server, sleeps).threads.retrieve("thread_1")
    assert len(server.requests) == 1
    server.routes.clear()
    server.requests.clear()
    server.on(
        "GET",
        "/threads/thread_1",
        error_response(400, headers={"x-should-retry": "true"}),
        json_response(THREAD),
    )
    make(server, sleeps).threads.retrieve("thread_1")
    assert len(server.requests) == 2


def test_max_retries_zero_tries_once(server: FakeServer, sleeps: list[float]) -> None:
    server.on("GET", "/threads/thread_1", error_response(500), json_response(THREAD))
    with pytest.raises(InternalServerError):
        make(server, sleeps, max_retries=0).threads.retrieve("thread_1")
    assert len(server.requests) == 1


def test_one_idempotency_key_per_call_reused_by_its_retries(server: FakeServer, sleeps: list[float]) -> None:
    server.on(
        "POST",
        "/threads/thread_1/runs",
        error_response(500),
        error_response(409),
        json_response(RUN),
        json_response(RUN),
    )
    client = make(server, sleeps)
    client.threads.runs.create("thread_1", assistant_id="asst_1")
    client.threads.runs.create("thread_1", assistant_id="asst_1")
    keys = [request.headers["idempotency-key"] for request in server.requests]
    assert len(keys) == 4 and keys[0] == keys[1] == keys[2] != keys[3]
    assert [request.content for request in server.requests[:3]] == [b'{"assistant_id":"asst_1"}'] * 3


def test_connection_errors_are_retried_then_reported_with_the_base_url(
    server: FakeServer, sleeps: list[float]
) -> None:
    server.on("GET", "/threads/thread_1", httpx2.ConnectError("Connection refused"), json_response(THREAD))
    make(server, sleeps).threads.retrieve("thread_1")
    assert len(server.requests) == 2 and len(sleeps) == 1
    server.routes.clear()
    server.on("GET", "/threads/thread_1", httpx2.ConnectError("Connection refused"))
    with pytest.raises(APIConnectionError) as caught:
        make(server, sleeps).threads.retrieve("thread_1")
    message = str(caught.value)
    assert BASE_URL in message and "Connection refused" in message and "RUN_WIDGETS_BASE_URL" in message
    assert "3 attempts" in message
    assert isinstance(caught.value.__context__, httpx2.ConnectError)


def test_timeouts_are_retried_then_raise_a_timeout_error(server: FakeServer, sleeps: list[float]) -> None:
    server.on("GET", "/threads/thread_1", httpx2.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError, match="timed out") as caught:
        make(server, sleeps).threads.retrieve("thread_1")
    assert len(server.requests) == 3
    assert "timeout=" in str(caught.value)


def test_a_stream_is_retried_before_its_200(server: FakeServer, sleeps: list[float]) -> None:
    body = b'event: thread.run.created\ndata: {"id":"run_1","object":"thread.run","created_at":1,"thread_id":"thread_1","assistant_id":"a","status":"queued","model":"m","instructions":"","tools":[],"parallel_tool_calls":true}\n\nevent: done\ndata: [DONE]\n\n'
    server.on(
        "POST",
        "/threads/thread_1/runs",
        error_response(503),
        httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body),
    )
    with make(server, sleeps).threads.runs.stream(thread_id="thread_1", assistant_id="a") as stream:
        assert [event.event for event in stream] == ["thread.run.created"]
    assert len(server.requests) == 2
    assert server.requests[0].headers["idempotency-key"] == server.requests[1].headers["idempotency-key"]


def test_async_retries_wait_with_the_async_sleep(server: FakeServer, sleeps: list[float]) -> None:
    server.on(
        "GET",
        "/threads/thread_1",
        error_response(429, headers={"retry-after-ms": "10"}),
        httpx2.ConnectError("down"),
        json_response(THREAD),
    )

    async def main() -> None:
        async with async_client(server, sleeps) as client:
            thread = await client.threads.retrieve("thread_1")
            assert thread.id == "thread_1"

    asyncio.run(main())
    assert len(server.requests) == 3 and sleeps[0] == 0.01 and 0.75 <= sleeps[1] <= 1.0


def test_async_errors_after_retries(server: FakeServer, sleeps: list[float]) -> None:
    server.on("POST", "/threads", error_response(400, "Bad thing.", param="metadata"))

    async def main() -> None:
        async with async_client(server, sleeps) as client:
            with pytest.raises(BadRequestError) as caught:
                await client.threads.create()
            assert caught.value.param == "metadata"

    asyncio.run(main())
    assert len(server.requests) == 1
