"""Every method sends the right method, path, query, body and headers, and returns our models (sync and async)."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from run_widgets import Client
from run_widgets.client import FILE_SEARCH_CONTENT_INCLUDE, SyncPage
from run_widgets.models import (
    Assistant,
    AssistantDeleted,
    Message,
    MessageDeleted,
    Run,
    RunStep,
    Thread,
    ThreadDeleted,
)
from state.transcripts import T0, message_object, run_object, step_object

from .conftest import API_KEY, FakeServer, async_client, json_response, list_response

ASSISTANT = {
    "id": "asst_1",
    "object": "assistant",
    "created_at": T0,
    "model": "gpt-4o",
    "tools": [],
    "name": "Helper",
}
THREAD = {"id": "thread_1", "object": "thread", "created_at": T0, "tool_resources": None, "metadata": {}}
RUN = run_object("run_1", "queued")
STEP = step_object(
    "step_1", "run_1", {"type": "message_creation", "message_creation": {"message_id": "msg_1"}}
)
MESSAGE = message_object("msg_1", "run_1", [])
INCLUDE = ("include[]", FILE_SEARCH_CONTENT_INCLUDE)


@dataclass
class Case:
    name: str
    call: Callable[[Any], Any]
    method: str
    path: str
    answer: Any
    result_type: type
    query: tuple[tuple[str, str], ...] = ()
    body: Any = None  # None: no body at all


CASES = [
    Case(
        "assistants.create",
        lambda c: c.assistants.create(model="gpt-4o", name="Helper", tools=[{"type": "code_interpreter"}]),
        "POST",
        "/assistants",
        ASSISTANT,
        Assistant,
        body={"model": "gpt-4o", "name": "Helper", "tools": [{"type": "code_interpreter"}]},
    ),
    Case(
        "assistants.retrieve",
        lambda c: c.assistants.retrieve("asst_1"),
        "GET",
        "/assistants/asst_1",
        ASSISTANT,
        Assistant,
    ),
    Case(
        "assistants.list",
        lambda c: c.assistants.list(limit=2, order="asc"),
        "GET",
        "/assistants",
        [ASSISTANT],
        SyncPage,
        query=(("limit", "2"), ("order", "asc")),
    ),
    Case(
        "assistants.update",
        lambda c: c.assistants.update("asst_1", name=None, metadata={"team": "blue"}),
        "POST",
        "/assistants/asst_1",
        ASSISTANT,
        Assistant,
        body={"name": None, "metadata": {"team": "blue"}},
    ),
    Case(
        "assistants.delete",
        lambda c: c.assistants.delete("asst_1"),
        "DELETE",
        "/assistants/asst_1",
        {"id": "asst_1", "object": "assistant.deleted", "deleted": True},
        AssistantDeleted,
    ),
    Case("threads.create (empty)", lambda c: c.threads.create(), "POST", "/threads", THREAD, Thread, body={}),
    Case(
        "threads.create",
        lambda c: c.threads.create(messages=[{"role": "user", "content": "hi"}], metadata={"a": "b"}),
        "POST",
        "/threads",
        THREAD,
        Thread,
        body={"messages": [{"role": "user", "content": "hi"}], "metadata": {"a": "b"}},
    ),
    Case(
        "threads.retrieve",
        lambda c: c.threads.retrieve("thread_1"),
        "GET",
        "/threads/thread_1",
        THREAD,
        Thread,
    ),
    Case(
        "threads.update",
        lambda c: c.threads.update("thread_1", metadata={"x": "y"}),
        "POST",
        "/threads/thread_1",
        THREAD,
        Thread,
        body={"metadata": {"x": "y"}},
    ),
    Case(
        "threads.delete",
        lambda c: c.threads.delete("thread_1"),
        "DELETE",
        "/threads/thread_1",
        {"id": "thread_1", "object": "thread.deleted", "deleted": True},
        ThreadDeleted,
    ),
    Case(
        "threads.create_and_run",
        lambda c: c.threads.create_and_run(
            assistant_id="asst_1", thread={"messages": [{"role": "user", "content": "hi"}]}
        ),
        "POST",
        "/threads/runs",
        RUN,
        Run,
        body={"assistant_id": "asst_1", "thread": {"messages": [{"role": "user", "content": "hi"}]}},
    ),
    Case(
        "messages.create",
        lambda c: c.threads.messages.create("thread_1", role="user", content="hi"),
        "POST",
        "/threads/thread_1/messages",
        MESSAGE,
        Message,
        body={"role": "user", "content": "hi"},
    ),
    Case(
        "messages.create (parts)",
        lambda c: c.threads.messages.create(
            "thread_1",
            role="user",
            content=[
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
            ],
        ),
        "POST",
        "/threads/thread_1/messages",
        MESSAGE,
        Message,
        body={
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
            ],
        },
    ),
    Case(
        "messages.retrieve",
        lambda c: c.threads.messages.retrieve("msg_1", thread_id="thread_1"),
        "GET",
        "/threads/thread_1/messages/msg_1",
        MESSAGE,
        Message,
    ),
    Case(
        "messages.update",
        lambda c: c.threads.messages.update("msg_1", thread_id="thread_1", metadata={"seen": "yes"}),
        "POST",
        "/threads/thread_1/messages/msg_1",
        MESSAGE,
        Message,
        body={"metadata": {"seen": "yes"}},
    ),
    Case(
        "messages.list",
        lambda c: c.threads.messages.list("thread_1", run_id="run_1", limit=5),
        "GET",
        "/threads/thread_1/messages",
        [MESSAGE],
        SyncPage,
        query=(("limit", "5"), ("run_id", "run_1")),
    ),
    Case(
        "messages.delete",
        lambda c: c.threads.messages.delete("msg_1", thread_id="thread_1"),
        "DELETE",
        "/threads/thread_1/messages/msg_1",
        {"id": "msg_1", "object": "thread.message.deleted", "deleted": True},
        MessageDeleted,
    ),
    Case(
        "runs.create",
        lambda c: c.threads.runs.create(
            "thread_1",
            assistant_id="asst_1",
            include=[FILE_SEARCH_CONTENT_INCLUDE],
            model="gpt-4o",
            stream=False,
            temperature=0.5,
        ),
        "POST",
        "/threads/thread_1/runs",
        RUN,
        Run,
        query=(INCLUDE,),
        body={"assistant_id": "asst_1", "model": "gpt-4o", "stream": False, "temperature": 0.5},
    ),
    Case(
        "runs.create (all options)",
        lambda c: c.threads.runs.create(
            "thread_1",
            assistant_id="asst_1",
            additional_instructions="Be brief.",
            additional_messages=[{"role": "user", "content": "and?"}],
            instructions="Answer.",
            max_completion_tokens=512,
            max_prompt_tokens=1024,
            metadata={"k": "v"},
            parallel_tool_calls=False,
            reasoning_effort="low",
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "out", "schema": {"type": "object"}},
            },
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
            tools=[
                {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
            ],
            top_p=0.9,
            truncation_strategy={"type": "last_messages", "last_messages": 4},
        ),
        "POST",
        "/threads/thread_1/runs",
        RUN,
        Run,
        body={
            "assistant_id": "asst_1",
            "additional_instructions": "Be brief.",
            "additional_messages": [{"role": "user", "content": "and?"}],
            "instructions": "Answer.",
            "max_completion_tokens": 512,
            "max_prompt_tokens": 1024,
            "metadata": {"k": "v"},
            "parallel_tool_calls": False,
            "reasoning_effort": "low",
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "out", "schema": {"type": "object"}},
            },
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "tools": [
                {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
            ],
            "top_p": 0.9,
            "truncation_strategy": {"type": "last_messages", "last_messages": 4},
        },
    ),
    Case(
        "runs.retrieve",
        lambda c: c.threads.runs.retrieve("run_1", thread_id="thread_1"),
        "GET",
        "/threads/thread_1/runs/run_1",
        RUN,
        Run,
    ),
    Case(
        "runs.list",
        lambda c: c.threads.runs.list("thread_1", order="asc", after="run_0"),
        "GET",
        "/threads/thread_1/runs",
        [RUN],
        SyncPage,
        query=(("order", "asc"), ("after", "run_0")),
    ),
    Case(
        "runs.update",
        lambda c: c.threads.runs.update("run_1", thread_id="thread_1", metadata={"k": "v"}),
        "POST",
        "/threads/thread_1/runs/run_1",
        RUN,
        Run,
        body={"metadata": {"k": "v"}},
    ),
    Case(
        "runs.cancel",
        lambda c: c.threads.runs.cancel("run_1", thread_id="thread_1"),
        "POST",
        "/threads/thread_1/runs/run_1/cancel",
        RUN,
        Run,
    ),
    Case(
        "runs.submit_tool_outputs",
        lambda c: c.threads.runs.submit_tool_outputs(
            "run_1", thread_id="thread_1", tool_outputs=[{"tool_call_id": "call_1", "output": "42"}]
        ),
        "POST",
        "/threads/thread_1/runs/run_1/submit_tool_outputs",
        RUN,
        Run,
        body={"tool_outputs": [{"tool_call_id": "call_1", "output": "42"}]},
    ),
    Case(
        "steps.list",
        lambda c: c.threads.runs.steps.list(
            "run_1", thread_id="thread_1", include=[FILE_SEARCH_CONTENT_INCLUDE], order="asc"
        ),
        "GET",
        "/threads/thread_1/runs/run_1/steps",
        [STEP],
        SyncPage,
        query=(("order", "asc"), INCLUDE),
    ),
    Case(
        "steps.retrieve",
        lambda c: c.threads.runs.steps.retrieve(
            "step_1", thread_id="thread_1", run_id="run_1", include=[FILE_SEARCH_CONTENT_INCLUDE]
        ),
        "GET",
        "/threads/thread_1/runs/run_1/steps/step_1",
        STEP,
        RunStep,
        query=(INCLUDE,),
    ),
]


def serve(case: Case) -> FakeServer:
    answer = list_response(case.answer) if isinstance(case.answer, list) else json_response(case.answer)
    return FakeServer().on(case.method, case.path, answer)


def check_request(case: Case, request: httpx2.Request) -> None:
    assert request.method == case.method
    assert request.url.path == "/v1" + case.path
    assert tuple(request.url.params.multi_items()) == case.query
    if case.body is None:
        assert request.content == b""
    else:
        assert json.loads(request.content) == case.body
    headers = request.headers
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert headers["openai-beta"] == "assistants=v2"
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("run-widgets/")
    assert ("idempotency-key" in headers) == (case.method == "POST")


def check_result(case: Case, result: Any) -> None:
    if case.result_type is SyncPage:
        assert [item.to_dict() for item in result.data] == case.answer
    else:
        assert isinstance(result, case.result_type)
        assert result.to_dict() == case.answer


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_sync_route(case: Case) -> None:
    server = serve(case)
    client = Client(
        "http://test.invalid/v1",
        api_key=API_KEY,
        http_client=httpx2.Client(transport=httpx2.MockTransport(server)),
    )
    result = case.call(client)
    (request,) = server.requests
    check_request(case, request)
    check_result(case, result)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_async_route(case: Case) -> None:
    server = serve(case)

    async def main() -> Any:
        async with async_client(server, []) as client:
            result = case.call(client)
            assert inspect.isawaitable(result), "async methods are awaited"
            return await result

    result = asyncio.run(main())
    (request,) = server.requests
    check_request(case, request)
    check_result(case, result)


def test_extra_headers_query_body_and_timeout_reach_the_request(client: Client, server: FakeServer) -> None:
    seen: dict[str, Any] = {}

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen["timeout"] = request.extensions["timeout"]
        return json_response(RUN)

    server.on("POST", "/threads/thread_1/runs", answer)
    client.threads.runs.create(
        "thread_1",
        assistant_id="asst_1",
        extra_headers={"X-Trace": "t-1"},
        extra_query={"api-version": "2025-05-01"},
        extra_body={"vendor_option": True},
        timeout=12.5,
    )
    request = server.last
    assert request.headers["x-trace"] == "t-1"
    assert request.url.params["api-version"] == "2025-05-01"
    assert json.loads(request.content) == {"assistant_id": "asst_1", "vendor_option": True}
    assert seen["timeout"] == {"connect": 12.5, "read": 12.5, "write": 12.5, "pool": 12.5}


def test_default_timeout_is_long_for_reads_and_short_for_connecting(
    client: Client, server: FakeServer
) -> None:
    seen: dict[str, Any] = {}

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.update(request.extensions["timeout"])
        return json_response(THREAD)

    server.on("GET", "/threads/thread_1", answer)
    client.threads.retrieve("thread_1")
    assert seen == {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": 600.0}


def test_ids_are_quoted_into_the_path(client: Client, server: FakeServer) -> None:
    server.on("GET", "/threads/a/b", json_response(THREAD))  # the decoded path
    client.threads.retrieve("a/b")
    assert server.last.url.raw_path == b"/v1/threads/a%2Fb"


@pytest.mark.parametrize("bad", ["", "  "])
def test_an_empty_id_fails_before_sending(client: Client, server: FakeServer, bad: str) -> None:
    with pytest.raises(ValueError, match="thread_id must be a non-empty string id"):
        client.threads.runs.retrieve("run_1", thread_id=bad)
    assert server.requests == []
