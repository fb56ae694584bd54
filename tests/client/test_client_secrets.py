"""The API key never shows: not in reprs, strs, errors, logs, nor in what a server echoes back."""

from __future__ import annotations

import asyncio
import copy
import logging
import pickle
import traceback
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from run_widgets import AsyncClient, Client
from run_widgets.client import APIConnectionError, APIError, APIStreamError, BadRequestError
from state.transcripts import sse, text_run

from .conftest import (
    API_KEY,
    BASE_URL,
    FakeServer,
    error_response,
    json_response,
    list_response,
    sse_response,
)

THREAD = "/threads/thread_abc123"


class Everything(logging.Handler):
    """Keeps every formatted record, from every logger, at every level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        if record.exc_info:
            self.lines.append("".join(traceback.format_exception(*record.exc_info)))


@pytest.fixture
def captured() -> Iterator[Everything]:
    handler = Everything()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def echo_headers(request: httpx2.Request) -> httpx2.Response:
    """A careless server: its error repeats the request's headers, in the message and elsewhere."""
    echoed = f"Bad header: Authorization: {request.headers['authorization']}"
    return json_response(
        {
            "error": {
                "message": echoed,
                "type": "invalid_request_error",
                "param": request.headers["authorization"],
                "code": None,
            }
        },
        400,
        headers={"x-echo": request.headers["authorization"]},
    )


def everything_about(error: BaseException) -> str:
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    if isinstance(error, APIError):
        parts += [str(error.body), str(error.message), str(error.param), str(error.type), str(error.code)]
    return "\n".join(parts)


def test_reprs_and_strs_do_not_show_the_key() -> None:
    client = Client(BASE_URL, api_key=API_KEY)
    async_client = AsyncClient(BASE_URL, api_key=API_KEY)
    stream = client.threads.runs.stream(thread_id="t", assistant_id="a")
    shown = [repr(client), str(client), repr(async_client), repr(vars(client)), repr(vars(async_client))]
    shown += [repr(client.threads.runs), repr(stream), str(stream), repr(copy.copy(client.__dict__))]
    assert all(API_KEY not in text for text in shown)
    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(client._api_key)
    # Code that must pass the key on reads it as with the SDK; a twin client built from it works alike.
    assert client.api_key == API_KEY
    twin = AsyncClient(base_url=str(client.base_url), api_key=client.api_key)
    assert twin.api_key == API_KEY and repr(twin) == "AsyncClient(base_url='http://test.invalid/v1')"


def test_an_error_from_a_server_that_echoes_headers_is_scrubbed(client: Client, server: FakeServer) -> None:
    server.on("POST", THREAD + "/messages", echo_headers)
    with pytest.raises(BadRequestError) as caught:
        client.threads.messages.create("thread_abc123", role="user", content="hi")
    text = everything_about(caught.value)
    assert API_KEY not in text
    assert "Bearer [redacted]" in caught.value.message
    assert (
        caught.value.response.headers["x-echo"] == f"Bearer {API_KEY}"
    )  # the raw response is the caller's to read


def test_a_stream_error_event_that_echoes_the_key_is_scrubbed(client: Client, server: FakeServer) -> None:
    events = [
        *text_run().events[:3],
        ("error", {"error": {"message": f"auth {API_KEY} rejected", "type": "server_error"}}),
    ]
    server.on("POST", THREAD + "/runs", sse_response(sse(events)))
    with pytest.raises(APIStreamError) as caught:
        client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a").until_done()
    assert API_KEY not in everything_about(caught.value)


def test_a_transport_error_that_mentions_the_key_is_scrubbed(client: Client, server: FakeServer) -> None:
    server.on("GET", THREAD, httpx2.ConnectError(f"proxy refused Bearer {API_KEY}"))
    with pytest.raises(APIConnectionError) as caught:
        client.threads.retrieve("thread_abc123")
    assert API_KEY not in everything_about(caught.value)


def test_logs_at_every_level_never_hold_the_key(
    client: Client, server: FakeServer, captured: Everything
) -> None:
    transcript = text_run()

    def cut() -> Iterator[bytes]:
        yield sse(transcript.events[:9])
        raise httpx2.ReadError("reset")

    server.on(
        "GET",
        THREAD,
        error_response(429, headers={"retry-after-ms": "1"}),
        httpx2.ConnectError("refused"),
        json_response({"id": "thread_abc123", "object": "thread", "created_at": 1}),
    )
    server.on("POST", THREAD + "/messages", echo_headers)
    server.on("POST", THREAD + "/runs", sse_response(cut()))
    server.on("GET", THREAD + "/runs/run_text", json_response(transcript.run))
    server.on("GET", THREAD + "/runs/run_text/steps", list_response(transcript.steps))
    server.on("GET", THREAD + "/messages", list_response(transcript.messages))
    client.threads.retrieve("thread_abc123")
    with pytest.raises(BadRequestError):
        client.threads.messages.create("thread_abc123", role="user", content="hi")
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    stream.until_done()
    assert stream.resumed
    log = "\n".join(captured.lines)
    assert "run_widgets.client" in log and "retry 1 of 2" in log and "catching up by polling" in log
    assert API_KEY not in log


def test_async_errors_are_scrubbed_too(server: FakeServer) -> None:
    server.on("POST", THREAD + "/messages", echo_headers)

    async def main() -> Any:
        async with AsyncClient(
            BASE_URL, api_key=API_KEY, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(server))
        ) as client:
            with pytest.raises(BadRequestError) as caught:
                await client.threads.messages.create("thread_abc123", role="user", content="hi")
            return caught.value

    assert API_KEY not in everything_about(asyncio.run(main()))
