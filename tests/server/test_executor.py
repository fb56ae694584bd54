"""The executor's contract with engines: whatever an engine yields (or raises), the wire stays valid.

These fake engines stand in for the Chat Completions engine: items per segment, errors, usage.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import openai
import pytest
from server_testing import TOOLS, assert_streamed_equals_get, check_wire, http_client, stream, wait_for_status

from run_widgets.models import Assistant, CreateRunRequest, CreateThreadRequest, validate_request
from run_widgets.server import ServerHandle, start
from run_widgets.server.engines.base import (
    CodeInterpreterCall,
    CodeLogs,
    Engine,
    EngineError,
    EngineItem,
    FileSearchCall,
    FileSearchHit,
    FunctionCallDelta,
    Incomplete,
    RunContext,
    TextDelta,
    Usage,
)
from run_widgets.server.objects import new_run
from run_widgets.server.routes.threads import create_thread

pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")


class Played(Engine):
    """Plays ``segments[i]`` for the i-th segment of each run; an exception instance is raised."""

    name = "played"

    def __init__(self) -> None:
        self.segments: list[list[Any]] = []
        self.contexts: list[RunContext] = []

    async def run(self, ctx: RunContext) -> AsyncIterator[EngineItem]:
        self.contexts.append(ctx)
        index = len(ctx.tool_rounds())
        for item in self.segments[min(index, len(self.segments) - 1)]:
            if isinstance(item, BaseException):
                raise item
            if item == "wait":
                await asyncio.Event().wait()
            await asyncio.sleep(0)
            yield item


played_server: ServerHandle


@pytest.fixture(scope="module")
def played() -> Iterator[tuple[Played, httpx2.Client, str]]:
    global played_server
    engine = Played()
    with start(engine=engine) as server, http_client(server) as http:
        played_server = server
        assistant_id = http.post("/assistants", json={"model": "m", "tools": TOOLS}).json()["id"]
        yield engine, http, assistant_id


def run_with(
    played: tuple[Played, httpx2.Client, str], segments: list[list[Any]], text: str = "hi", **body: Any
) -> list:
    engine, http, assistant_id = played
    engine.segments = segments
    request = {
        "assistant_id": assistant_id,
        "stream": True,
        "thread": {"messages": [{"role": "user", "content": text}]},
        **body,
    }
    _, frames = stream(http, "POST", "/threads/runs", json=request)
    last = check_wire(frames)
    assert_streamed_equals_get(http, last)
    return frames


def names(frames: list) -> list[str]:
    return [f.event for f in frames]


def test_engine_usage_is_reported_on_steps_and_summed_on_the_run(played: Any) -> None:
    frames = run_with(
        played, [[TextDelta("Hello"), TextDelta(" world"), Usage(prompt_tokens=120, completion_tokens=7)]]
    )
    step = next(f.data for f in frames if f.event == "thread.run.step.completed")
    assert step["usage"] == {"prompt_tokens": 120, "completion_tokens": 7, "total_tokens": 127}
    assert frames[-2].data["usage"] == step["usage"]


def test_text_then_calls_then_text_after_outputs(played: Any) -> None:
    engine, http, _ = played
    frames = run_with(
        played,
        [
            [TextDelta("Let me check."), FunctionCallDelta(0, "get_weather", '{"ci'), FunctionCallDelta(0, arguments='ty":"Oslo"}'),
             FunctionCallDelta(1, "get_time")],
            [TextDelta("It is cold.")],
        ],
    )  # fmt: skip
    assert names(frames)[-2] == "thread.run.requires_action"
    run = frames[-2].data
    calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert [(c["function"]["name"], c["function"]["arguments"]) for c in calls] == [
        ("get_weather", '{"city":"Oslo"}'),
        ("get_time", ""),
    ]
    outputs = [{"tool_call_id": c["id"], "output": "x"} for c in calls]
    _, more = stream(
        http,
        "POST",
        f"/threads/{run['thread_id']}/runs/{run['id']}/submit_tool_outputs",
        json={"tool_outputs": outputs, "stream": True},
    )
    check_wire(more)
    assert names(more)[-2] == "thread.run.completed"
    # what the engine saw when resumed: the thread, and this run's calls with their outputs
    ctx = engine.contexts[-1]
    assert [m.role for m in ctx.messages] == ["user", "assistant"]
    assert [(r.name, r.output) for r in ctx.tool_rounds()[0]] == [("get_weather", "x"), ("get_time", "x")]


def test_server_side_tool_steps(played: Any) -> None:
    frames = run_with(
        played,
        [[CodeInterpreterCall("print(1)", (CodeLogs("1\n"),)), FileSearchCall((FileSearchHit("file-a", "a.md", 0.5, "alpha"),)),
          TextDelta("Done.")]],
    )  # fmt: skip
    steps = [f.data for f in frames if f.event == "thread.run.step.completed"]
    assert [s["step_details"].get("tool_calls", [{}])[0].get("type", "message") for s in steps] == [
        "code_interpreter",
        "file_search",
        "message",
    ]


@pytest.mark.parametrize(
    ("segments", "code"),
    [
        (
            [[TextDelta("Hi"), EngineError("The backend is busy.", code="rate_limit_exceeded")]],
            "rate_limit_exceeded",
        ),
        ([[EngineError("Nope.", code="invalid_prompt")]], "invalid_prompt"),
    ],
)
def test_engine_errors_fail_the_run_with_their_last_error(played: Any, segments: list, code: str) -> None:
    frames = run_with(played, segments)
    assert "error" not in names(frames)
    run = frames[-2].data
    assert run["status"] == "failed" and run["last_error"]["code"] == code


def test_engine_bugs_fail_the_run_with_an_error_event(played: Any) -> None:
    frames = run_with(played, [[TextDelta("Hi"), RuntimeError("boom")]])
    assert names(frames)[-4:] == ["thread.run.step.failed", "error", "thread.run.failed", "done"]
    error = next(f.data for f in frames if f.event == "error")
    assert error["error"]["type"] == "server_error" and "boom" not in error["error"]["message"]
    assert frames[-2].data["last_error"]["code"] == "server_error"


def test_the_official_sdk_raises_on_the_error_event(
    played: Any,
) -> None:
    engine, http, assistant_id = played
    engine.segments = [[RuntimeError("boom")]]
    base_url = str(http.base_url).rstrip("/")
    key = http.headers["Authorization"].split()[1]
    with (
        openai.OpenAI(base_url=base_url, api_key=key, max_retries=0) as client,
        pytest.raises(openai.APIError),
        client.beta.threads.create_and_run_stream(
            assistant_id=assistant_id, thread={"messages": [{"role": "user", "content": "x"}]}
        ) as s,
    ):
        s.until_done()


@pytest.mark.parametrize(
    "bad",
    [[FunctionCallDelta(1, "skips_index_0")], [FunctionCallDelta(0)], ["not an item"]],
)
def test_engines_cannot_break_the_wire(played: Any, bad: list) -> None:
    frames = run_with(played, [bad])
    assert names(frames)[-3:] == ["error", "thread.run.failed", "done"]


def test_engine_text_that_is_not_unicode_is_mended(played: Any) -> None:
    """A remote model may split a surrogate pair over two deltas: the run completes, with U+FFFD."""
    frames = run_with(
        played,
        [
            [TextDelta("smile \ud83d"), TextDelta("\ude00 done 😀"),
             CodeInterpreterCall("print('\udc00')", (CodeLogs("\ud800"),)),
             FileSearchCall((FileSearchHit("file-1", "a\udfff.txt", 0.5, "x"),)),
             FunctionCallDelta(0, "get_time", '{"q": "\ud800"}')],
            [TextDelta("ok")],
        ],
    )  # fmt: skip
    assert names(frames)[-2] == "thread.run.requires_action"
    message = next(f.data for f in frames if f.event == "thread.message.completed")
    assert message["content"][0]["text"]["value"] == "smile \ufffd\ufffd done 😀"
    code = next(
        f.data for f in frames if f.event == "thread.run.step.completed" and "code_interpreter" in f.raw
    )
    call = code["step_details"]["tool_calls"][0]["code_interpreter"]
    assert call["input"] == "print('\ufffd')" and call["outputs"][0]["logs"] == "\ufffd"
    required = frames[-2].data["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert required[0]["function"]["arguments"] == '{"q": "\ufffd"}'


def test_incomplete_and_prompt_limits(played: Any) -> None:
    frames = run_with(
        played, [[TextDelta("Partial"), Incomplete("max_completion_tokens"), TextDelta(" never")]]
    )
    assert frames[-2].data["status"] == "incomplete"
    message = next(f.data for f in frames if f.event == "thread.message.incomplete")
    assert message["content"][0]["text"]["value"] == "Partial"
    frames = run_with(
        played, [[TextDelta("Hi"), Usage(prompt_tokens=5000, completion_tokens=1)]], max_prompt_tokens=1000
    )
    assert frames[-2].data["incomplete_details"] == {"reason": "max_prompt_tokens"}


def test_cancel_reaches_an_engine_that_waits(played: Any) -> None:
    engine, http, assistant_id = played
    engine.segments = [["wait"]]
    run = http.post("/threads/runs", json={"assistant_id": assistant_id, "thread": {}}).json()
    assert http.post(f"/threads/{run['thread_id']}/runs/{run['id']}/cancel").json()["status"] == "cancelling"
    assert wait_for_status(http, run["thread_id"], run["id"], {"cancelled"})["cancelled_at"]
    assert engine.contexts[-1].cancelled.is_set()


def test_a_queued_run_can_be_cancelled(played: Any) -> None:
    engine, http, assistant_id = played
    engine.segments = [[TextDelta("never")]]

    def create_and_cancel(core: Any) -> tuple[str, str, list[str]]:
        # on the server's loop, so the run's task cannot start in between: the run is still queued
        thread = create_thread(core, CreateThreadRequest())
        assistant = core.store.get(Assistant, assistant_id)
        request = validate_request(CreateRunRequest, {"assistant_id": assistant_id})
        run = new_run(request, thread.id, assistant, core.ids, core.clock, core.executor.timeout)
        core.executor.start_run(run, include_content=False)
        status = run.status
        core.executor.cancel(run)
        return thread.id, run.id, [status]

    thread_id, run_id, before = played_server.call(create_and_cancel)
    assert before == ["queued"]
    run = wait_for_status(http, thread_id, run_id, {"cancelled", "completed"})
    assert run["status"] == "cancelled" and run["started_at"] is None
    assert http.get(f"/threads/{thread_id}/runs/{run_id}/steps").json()["data"] == []
    log = played_server.call(lambda core: core.executor.log(run_id).take(0)[0].decode())
    assert [line[7:] for line in log.splitlines() if line.startswith("event: ")] == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.cancelling",
        "thread.run.cancelled",
        "done",
    ]


def test_a_deferred_run_starts_even_if_no_stream_asks(played: Any) -> None:
    engine, http, assistant_id = played
    engine.segments = [[TextDelta("on my own")]]

    def start_deferred(core: Any) -> tuple[str, str]:
        thread = create_thread(core, CreateThreadRequest())
        assistant = core.store.get(Assistant, assistant_id)
        request = validate_request(CreateRunRequest, {"assistant_id": assistant_id})
        run = new_run(request, thread.id, assistant, core.ids, core.clock, core.executor.timeout)
        core.executor.start_run(run, include_content=False, defer=True)
        return thread.id, run.id

    thread_id, run_id = played_server.call(start_deferred)
    assert http.get(f"/threads/{thread_id}/runs/{run_id}").json()["status"] == "queued"
    assert wait_for_status(http, thread_id, run_id, {"completed"})["status"] == "completed"
