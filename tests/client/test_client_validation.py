"""Requests are checked before anything is sent: a bad argument names its field, and nothing goes out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from run_widgets import Client
from run_widgets.client import RequestValidationError

from .conftest import FakeServer, async_client

FUNCTION = {"type": "function", "function": {"name": "f"}}

BAD_CALLS: list[tuple[str, Callable[[Any], Any], str]] = [
    ("temperature", lambda c: c.threads.runs.create("t", assistant_id="a", temperature=3), "temperature"),
    ("top_p", lambda c: c.threads.runs.create("t", assistant_id="a", top_p=-0.1), "top_p"),
    (
        "token limit",
        lambda c: c.threads.runs.create("t", assistant_id="a", max_completion_tokens=100),
        "max_completion_tokens",
    ),
    (
        "too many tools",
        lambda c: c.threads.runs.create("t", assistant_id="a", tools=[FUNCTION] * 21),
        "tools",
    ),
    (
        "bad function name",
        lambda c: c.threads.runs.create(
            "t", assistant_id="a", tools=[{"type": "function", "function": {"name": "no spaces"}}]
        ),
        "tools[0].function.name",
    ),
    (
        "metadata keys",
        lambda c: c.threads.update("t", metadata={f"k{i}": "v" for i in range(17)}),
        "metadata",
    ),
    ("blank assistant", lambda c: c.threads.runs.create("t", assistant_id=" "), "assistant_id"),
    (
        "typo in a nested object",
        lambda c: c.threads.runs.create(
            "t", assistant_id="a", truncation_strategy={"type": "auto", "last_mesages": 2}
        ),
        "truncation_strategy.last_mesages",
    ),
    ("empty content", lambda c: c.threads.messages.create("t", role="user", content=[]), "content"),
    ("role", lambda c: c.threads.messages.create("t", role="system", content="hi"), "role"),
    (
        "tool output",
        lambda c: c.threads.runs.submit_tool_outputs(
            "r", thread_id="t", tool_outputs=[{"tool_call_id": "call_1"}]
        ),
        "tool_outputs[0].output",
    ),
    ("list limit", lambda c: c.threads.runs.list("t", limit=0), "limit"),
    ("list order", lambda c: c.threads.messages.list("t", order="newest"), "order"),
    ("assistant model", lambda c: c.assistants.update("a", temperature=2.5), "temperature"),
]


@pytest.mark.parametrize(("name", "call", "param"), BAD_CALLS, ids=[name for name, _, _ in BAD_CALLS])
def test_a_bad_argument_names_its_field_and_sends_nothing(
    client: Client, server: FakeServer, name: str, call: Callable[[Any], Any], param: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        call(client)
    assert caught.value.param == param
    assert param in str(caught.value)
    assert server.requests == []


@pytest.mark.parametrize(("name", "call", "param"), BAD_CALLS[:4], ids=[name for name, _, _ in BAD_CALLS[:4]])
def test_async_validates_before_sending_too(
    server: FakeServer, name: str, call: Callable[[Any], Any], param: str
) -> None:
    async def main() -> None:
        async with async_client(server, []) as client:
            with pytest.raises(RequestValidationError) as caught:
                await call(client)
            assert caught.value.param == param

    asyncio.run(main())
    assert server.requests == []


def test_a_stream_validates_when_built_not_when_iterated(client: Client, server: FakeServer) -> None:
    with pytest.raises(RequestValidationError, match="temperature"):
        client.threads.runs.stream(thread_id="t", assistant_id="a", temperature=9)
    assert server.requests == []


def test_include_must_be_a_list(client: Client, server: FakeServer) -> None:
    with pytest.raises(TypeError, match="include must be a list"):
        client.threads.runs.steps.list("r", thread_id="t", include="step_details")  # type: ignore[arg-type]
    assert server.requests == []
