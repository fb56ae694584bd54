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
from run_widgets.client import (
    APIConnectionError,
    APIError,
    APIStreamError,
    BadRequestError,
    ConfigurationError,
)
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


# --- a key that cannot be sent is refused when the client is built ----------------------------------

BAD_KEYS = [
    pytest.param(
        API_KEY[:12] + "\u2019" + API_KEY[12:],
        "non-ASCII character (U+2019) at position 13",
        id="curly-quote",
    ),
    pytest.param(API_KEY[:5] + "\u2013" + API_KEY[5:], "non-ASCII character (U+2013)", id="en-dash"),
    pytest.param(API_KEY + "\n", "whitespace (U+000A)", id="trailing-newline"),
    pytest.param(" " + API_KEY, "whitespace (U+0020) at position 1", id="leading-space"),
    pytest.param(API_KEY[:8] + " " + API_KEY[8:], "whitespace (U+0020) at position 9", id="inner-space"),
    pytest.param(API_KEY[:3] + "\x00" + API_KEY[3:], "control character (U+0000)", id="nul"),
    pytest.param(API_KEY[:3] + "\x7f" + API_KEY[3:], "control character (U+007F)", id="del"),
]


def key_fragments(key: str) -> list[str]:
    """The key, and the printable runs of it long enough to identify it."""
    runs = [part for part in key.replace("\u2019", " ").replace("\u2013", " ").split() if len(part) >= 6]
    return [key, *runs]


@pytest.mark.parametrize(("key", "problem"), BAD_KEYS)
@pytest.mark.parametrize("make", [Client, AsyncClient], ids=["sync", "async"])
def test_a_key_that_cannot_be_sent_is_refused_by_name_without_showing_it(
    make: type[Client] | type[AsyncClient], key: str, problem: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        make(BASE_URL, api_key=key)
    error = caught.value
    assert str(error).startswith("The API key from api_key has ") and problem in str(error)
    assert error.__cause__ is None and error.__suppress_context__ is False and error.__context__ is None
    text = everything_about(error)
    assert "Bearer" not in text
    assert not [fragment for fragment in key_fragments(key) if fragment in text]


@pytest.mark.parametrize("variable", ["RUN_WIDGETS_API_KEY", "OPENAI_API_KEY"])
def test_a_bad_key_from_the_environment_names_the_variable(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUN_WIDGETS_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    key = API_KEY[:10] + "\u2019" + API_KEY[10:]
    monkeypatch.setenv(variable, key)
    for make in (Client, AsyncClient):
        with pytest.raises(ConfigurationError) as caught:
            make(BASE_URL)
        assert f"The API key from {variable} has a non-ASCII character (U+2019) at position 11" in str(
            caught.value
        )
        text = everything_about(caught.value)
        assert not [fragment for fragment in key_fragments(key) if fragment in text]


def test_surrounding_whitespace_in_the_environment_is_trimmed_not_refused(
    monkeypatch: pytest.MonkeyPatch, server: FakeServer
) -> None:
    monkeypatch.delenv("RUN_WIDGETS_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", f"  {API_KEY}\n")
    server.on("GET", THREAD, json_response({"id": "thread_abc123", "object": "thread", "created_at": 1}))
    client = Client(BASE_URL, http_client=httpx2.Client(transport=httpx2.MockTransport(server)))
    client.threads.retrieve("thread_abc123")
    assert server.last.headers["authorization"] == f"Bearer {API_KEY}"


def test_a_key_of_every_printable_ascii_character_is_sent_as_is(server: FakeServer) -> None:
    key = "".join(chr(code) for code in range(0x21, 0x7F))
    server.on("GET", THREAD, json_response({"id": "thread_abc123", "object": "thread", "created_at": 1}))
    client = Client(BASE_URL, api_key=key, http_client=httpx2.Client(transport=httpx2.MockTransport(server)))
    client.threads.retrieve("thread_abc123")
    assert server.last.headers["authorization"] == f"Bearer {key}"
