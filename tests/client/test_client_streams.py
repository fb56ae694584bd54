"""Run streams: typed events, the end at [DONE], the SDK's helpers, error events, and sync/async alike."""

from __future__ import annotations

import asyncio
import json
import traceback
from typing import Any

import httpx2
import pytest

from run_widgets import Client
from run_widgets.client import (
    APIResponseValidationError,
    APIStreamError,
    AsyncRunStream,
    BadRequestError,
    RunStream,
)
from run_widgets.models import Message, MessageDeltaEvent, Run, RunStep, Thread, UnknownEvent
from state.transcripts import DONE, sse, text_run, tool_call_run, tool_outputs_stream, tools_run

from .conftest import API_KEY, FakeServer, async_client, error_response, json_response, sse_response

RUNS = "/threads/thread_abc123/runs"


def wire(events: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [(name, data) for name, data in events if name != "done"]


def seen(events: list[Any]) -> list[tuple[str, Any]]:
    return [(event.event, event.data.to_dict()) for event in events]


def test_events_arrive_typed_and_equal_to_the_wire(client: Client, server: FakeServer) -> None:
    transcript = text_run()
    server.on("POST", RUNS, sse_response(transcript.sse()))
    with client.threads.runs.stream(thread_id="thread_abc123", assistant_id="asst_abc123") as stream:
        events = list(stream)
    assert seen(events) == wire(transcript.events)
    kinds = {event.event: type(event.data) for event in events}
    assert kinds["thread.run.created"] is Run and kinds["thread.run.step.created"] is RunStep
    assert kinds["thread.message.created"] is Message and kinds["thread.message.delta"] is MessageDeltaEvent
    body = json.loads(server.last.content)
    assert body == {"assistant_id": "asst_abc123", "stream": True}
    assert server.last.headers["accept"] == "text/event-stream"


def test_the_stream_ends_at_done_and_reads_no_further(client: Client, server: FakeServer) -> None:
    transcript = text_run()
    after = sse([("thread.run.failed", {"junk": True})])
    server.on("POST", RUNS, sse_response(transcript.sse() + after))
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    assert [event.event for event in stream][-1] == "thread.run.completed"
    assert stream.get_final_run().status == "completed"


def test_the_request_goes_out_when_the_stream_is_entered_or_iterated(
    client: Client, server: FakeServer
) -> None:
    server.on("POST", RUNS, sse_response(text_run().sse()))
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    assert server.requests == [] and stream.response is None
    first = next(iter(stream))
    assert first.event == "thread.run.created" and len(server.requests) == 1
    stream.close()
    assert stream.response is not None and stream.response.is_closed
    assert list(stream) == []


def test_create_with_stream_true_sends_at_once(client: Client, server: FakeServer) -> None:
    server.on("POST", RUNS, sse_response(text_run().sse()))
    stream = client.threads.runs.create("thread_abc123", assistant_id="a", stream=True, include=["x"])
    assert isinstance(stream, RunStream) and len(server.requests) == 1
    assert json.loads(server.last.content) == {"assistant_id": "a", "stream": True}
    assert server.last.url.params.get_list("include[]") == ["x"]
    assert stream.get_final_messages()[0].text == text_run().text


def test_the_sdk_helpers(client: Client, server: FakeServer) -> None:
    transcript = tools_run()
    server.on("POST", "/threads/runs", sse_response(transcript.sse()))
    stream = client.threads.create_and_run_stream(
        assistant_id="asst_abc123", thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    assert stream.current_run is None
    assert "".join(stream.text_deltas) == transcript.text
    assert stream.current_run is not None and stream.current_run.status == "completed"
    assert stream.get_final_run().to_dict() == transcript.run
    assert [step.to_dict() for step in stream.get_final_run_steps()] == transcript.steps
    assert [message.to_dict() for message in stream.get_final_messages()] == transcript.messages
    assert stream.snapshot.thread is not None and isinstance(stream.snapshot.thread, Thread)
    assert (stream.thread_id, stream.run_id) == ("thread_abc123", "run_builtin")
    assert json.loads(server.last.content)["stream"] is True
    assert "status='completed'" in repr(stream)


def test_create_and_run_with_stream_true(client: Client, server: FakeServer) -> None:
    server.on("POST", "/threads/runs", sse_response(tools_run().sse()))
    stream = client.threads.create_and_run(assistant_id="asst_abc123", stream=True)
    assert isinstance(stream, RunStream) and len(server.requests) == 1
    stream.until_done()
    assert stream.get_final_run().status == "completed"


def test_a_tool_call_run_pauses_then_the_outputs_stream_finishes_it(
    client: Client, server: FakeServer
) -> None:
    server.on("POST", RUNS, sse_response(tool_call_run().sse()))
    server.on("POST", RUNS + "/run_tools/submit_tool_outputs", sse_response(tool_outputs_stream().sse()))
    with client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a") as stream:
        run = stream.get_final_run()
    assert run.status == "requires_action"
    outputs = [{"tool_call_id": call.id, "output": "ok"} for call in run.pending_tool_calls]
    with client.threads.runs.submit_tool_outputs_stream(
        tool_outputs=outputs, run_id=run.id, thread_id=run.thread_id
    ) as after:
        assert after.run_id == "run_tools"
        assert after.get_final_run().status == "completed"
    assert json.loads(server.last.content) == {"tool_outputs": outputs, "stream": True}
    again = client.threads.runs.submit_tool_outputs(
        run.id, thread_id=run.thread_id, tool_outputs=outputs, stream=True
    )
    assert isinstance(again, RunStream) and again.get_final_messages()[0].text == tool_outputs_stream().text


@pytest.mark.parametrize(
    "error",
    [
        {"message": "The model crashed.", "type": "server_error", "param": None, "code": "model_error"},
        {
            "error": {
                "message": "The model crashed.",
                "type": "server_error",
                "param": None,
                "code": "model_error",
            }
        },
    ],
    ids=["bare", "wrapped"],
)
def test_an_error_event_raises_a_typed_error(
    client: Client, server: FakeServer, error: dict[str, Any]
) -> None:
    transcript = text_run()
    events = [*transcript.events[:8], ("error", error), ("thread.run.failed", transcript.run), DONE]
    server.on("POST", RUNS, sse_response(sse(events)))
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    received = []
    with pytest.raises(APIStreamError) as caught:
        for event in stream:
            received.append(event.event)
    assert received == [name for name, _ in transcript.events[:8]]
    failure = caught.value
    assert (failure.message, failure.type, failure.code) == (
        "The model crashed.",
        "server_error",
        "model_error",
    )
    assert "client.threads.runs.retrieve('run_text', thread_id='thread_abc123')" in str(failure)
    assert stream.snapshot.run is not None and stream.snapshot.run.status == "in_progress"
    assert stream.response is not None and stream.response.is_closed


def test_a_non_thread_event_carrying_an_error_raises_too(client: Client, server: FakeServer) -> None:
    server.on(
        "POST", RUNS, sse_response(sse([("message", {"error": {"message": "quota", "type": "rate_limit"}})]))
    )
    with pytest.raises(APIStreamError, match="quota"):
        client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a").until_done()


def test_unknown_events_are_passed_on_and_ignored_by_the_snapshot(client: Client, server: FakeServer) -> None:
    transcript = text_run()
    events = [("thread.run.reasoning", {"id": "x", "thoughts": "hm"}), *transcript.events]
    server.on("POST", RUNS, sse_response(sse(events)))
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    first = next(stream)
    assert isinstance(first, UnknownEvent) and first.data == {"id": "x", "thoughts": "hm"}
    assert stream.get_final_run().to_dict() == transcript.run


def test_a_stream_route_that_answers_json_is_a_clear_error(client: Client, server: FakeServer) -> None:
    server.on("POST", RUNS, json_response({"id": "run_1"}))
    with pytest.raises(APIResponseValidationError, match="instead of an event stream"):
        client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a").open()


def test_an_http_error_raises_when_the_stream_opens(client: Client, server: FakeServer) -> None:
    server.on("POST", RUNS, error_response(400, "Thread thread_abc123 already has an active run run_0."))
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    with pytest.raises(BadRequestError, match="already has an active run"), stream:
        pass


def test_a_malformed_event_is_a_clear_error(client: Client, server: FakeServer) -> None:
    server.on(
        "POST", RUNS, sse_response(sse([("thread.run.created", {"id": "run_1", "object": "thread.run"})]))
    )
    with pytest.raises(APIResponseValidationError, match=r"'thread\.run\.created' event"):
        client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a").until_done()


def test_events_split_across_chunks_and_crlf_line_ends(client: Client, server: FakeServer) -> None:
    body = text_run().sse().replace(b"\n", b"\r\n")
    chunks = [body[i : i + 7] for i in range(0, len(body), 7)]
    server.on("POST", RUNS, sse_response(iter(chunks)))
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    assert seen(list(stream)) == wire(text_run().events)


# --- async ---------------------------------------------------------------------------------------


def test_async_streams_read_alike(server: FakeServer) -> None:
    transcript = tools_run()
    server.on("POST", "/threads/runs", sse_response(transcript.sse()))
    server.on("POST", RUNS, sse_response(text_run().sse()))

    async def main() -> None:
        async with async_client(server, []) as client:
            async with client.threads.create_and_run_stream(assistant_id="asst_abc123") as stream:
                assert isinstance(stream, AsyncRunStream)
                events = [event async for event in stream]
            assert seen(events) == wire(transcript.events)
            assert (await stream.get_final_run()).to_dict() == transcript.run
            assert [s.to_dict() for s in await stream.get_final_run_steps()] == transcript.steps
            assert [m.to_dict() for m in await stream.get_final_messages()] == transcript.messages

            direct = await client.threads.runs.create("thread_abc123", assistant_id="a", stream=True)
            assert isinstance(direct, AsyncRunStream)
            assert "".join([text async for text in direct.text_deltas]) == text_run().text
            await direct.until_done()
            await direct.close()

            lazy = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
            assert lazy.response is None
            first = await lazy.__anext__()
            assert first.event == "thread.run.created"
            await lazy.close()

    asyncio.run(main())


def test_async_error_event(server: FakeServer) -> None:
    server.on(
        "POST", RUNS, sse_response(sse([("error", {"error": {"message": "boom", "type": "server_error"}})]))
    )

    async def main() -> None:
        async with async_client(server, []) as client:
            with pytest.raises(APIStreamError, match="boom"):
                await client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a").until_done()

    asyncio.run(main())


def test_a_stream_validation_error_names_the_event_not_the_key(client: Client, server: FakeServer) -> None:
    # The malformed frame carries the key where a value was expected: a careless server echoing it.
    frame = {"id": 1, "object": "thread.message.delta", "delta": f"Bearer {API_KEY}"}
    server.on("POST", RUNS, sse_response(sse([("thread.message.delta", frame)])))
    with pytest.raises(APIResponseValidationError) as caught:
        client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a").until_done()
    error = caught.value
    assert "The stream's 'thread.message.delta' event is not what the API promises" in error.message
    shown = "\n".join([str(error), repr(error), error.message, "".join(traceback.format_exception(error))])
    assert API_KEY not in shown


def test_httpx_response_is_exposed_for_headers(client: Client, server: FakeServer) -> None:
    server.on("POST", RUNS, sse_response(text_run().sse(), headers={"x-request-id": "req_stream"}))
    with client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a") as stream:
        assert isinstance(stream.response, httpx2.Response)
        assert stream.response.headers["x-request-id"] == "req_stream"


def test_a_stream_that_failed_to_start_is_not_sent_again(client: Client, server: FakeServer) -> None:
    server.on("POST", RUNS, error_response(400, "No such assistant."))
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    with pytest.raises(BadRequestError):
        stream.open()
    with pytest.raises(BadRequestError, match="No such assistant"):
        stream.get_final_run()
    assert len(server.requests) == 1
