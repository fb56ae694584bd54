"""Resume: a stream cut before its run paused or ended catches up by polling, and ends equal to GET."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from run_widgets import Client
from run_widgets.client import FILE_SEARCH_CONTENT_INCLUDE, APIConnectionError
from run_widgets.models import parse_event
from state.transcripts import (
    Transcript,
    message_object,
    run_object,
    sse,
    step_object,
    text_part,
    text_run,
    tool_call_run,
    tool_outputs_stream,
    tools_run,
)

from .conftest import FakeServer, async_client, json_response, list_response, sse_response

THREAD = "/threads/thread_abc123"


def cut_stream(transcript: Transcript, at: int, how: str = "reset") -> Iterator[bytes]:
    """The first ``at`` events, then the connection drops: a reset, a reset mid-event, or a quiet end."""
    yield sse(transcript.events[:at])
    if how == "mid-event":
        yield sse(transcript.events[at : at + 1])[:25]
    if how in ("reset", "mid-event"):
        raise httpx2.ReadError("Connection reset by peer")


def serve_final_state(server: FakeServer, transcript: Transcript, **headers: str) -> None:
    run_id = transcript.run["id"]
    server.on("GET", f"{THREAD}/runs/{run_id}", json_response(transcript.run, headers=headers or None))
    server.on("GET", f"{THREAD}/runs/{run_id}/steps", list_response(transcript.steps))
    server.on("GET", f"{THREAD}/messages", list_response(transcript.messages))


def wire_events(transcript: Transcript, upto: int) -> list[tuple[str, Any]]:
    return [(name, parse_event(name, data).data.to_dict()) for name, data in transcript.events[:upto]]


def final(stream: Any) -> dict[str, Any]:
    return {
        "run": stream.snapshot.run.to_dict(),
        "steps": [step.to_dict() for step in stream.snapshot.steps],
        "messages": [message.to_dict() for message in stream.snapshot.messages],
    }


def expected(transcript: Transcript) -> dict[str, Any]:
    return {"run": transcript.run, "steps": transcript.steps, "messages": transcript.messages}


@pytest.mark.parametrize("how", ["reset", "mid-event", "quiet end"])
@pytest.mark.parametrize("transcript", [text_run(), tools_run(thread_created=False)], ids=lambda t: t.name)
def test_a_cut_stream_catches_up_and_ends_equal_to_get(
    client: Client, server: FakeServer, sleeps: list[float], transcript: Transcript, how: str
) -> None:
    for at in range(4, len(transcript.events) - 1):
        server.routes.clear()
        server.requests.clear()
        server.on("POST", f"{THREAD}/runs", sse_response(cut_stream(transcript, at, how)))
        serve_final_state(server, transcript)
        stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="asst_abc123")
        events = list(stream)
        assert [(event.event, event.data.to_dict()) for event in events[:at]] == wire_events(transcript, at)
        assert final(stream) == expected(transcript), at
        assert stream.resumed
        assert (
            "".join(
                part.text.value
                for event in events
                if event.event == "thread.message.delta"
                for part in event.data.delta.content or []
                if part.text and part.text.value
            )
            == transcript.text
        )
        methods = [request.method for request in server.requests]
        assert methods == ["POST", "GET", "GET", "GET"], (
            "one POST, never retried; then the run, steps and messages"
        )
        steps_query = server.requests[2].url.params
        assert (steps_query["order"], steps_query["limit"]) == ("asc", "100")
        assert server.requests[3].url.params["run_id"] == transcript.run["id"]


def test_resume_polls_while_the_run_goes_on_waiting_what_the_server_asks(
    client: Client, server: FakeServer, sleeps: list[float]
) -> None:
    transcript = text_run(pieces=("Alpha", " beta", " gamma"))
    first_delta = next(i for i, (name, _) in enumerate(transcript.events) if name == "thread.message.delta")
    server.on("POST", f"{THREAD}/runs", sse_response(cut_stream(transcript, first_delta + 1)))
    running = run_object("run_text", "in_progress", started_at=transcript.run["started_at"])
    step_running = {**transcript.steps[0], "status": "in_progress", "completed_at": None, "usage": None}
    partial = message_object("msg_run_text", "run_text", [text_part("Alpha beta")])
    server.on(
        "GET",
        f"{THREAD}/runs/run_text",
        json_response(running, headers={"openai-poll-after-ms": "150"}),
        json_response(running, headers={"openai-poll-after-ms": "300"}),
        json_response(transcript.run),
    )
    server.on(
        "GET",
        f"{THREAD}/runs/run_text/steps",
        list_response([step_running]),
        list_response([step_running]),
        list_response(transcript.steps),
    )
    server.on(
        "GET",
        f"{THREAD}/messages",
        list_response([partial]),
        list_response([partial]),
        list_response(transcript.messages),
    )
    with client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a") as stream:
        texts = list(stream.text_deltas)
    assert texts == ["Alpha", " beta", " gamma"]
    assert sleeps == [0.15, 0.3]
    assert final(stream) == expected(transcript)


def test_a_cut_before_the_run_exists_cannot_resume(client: Client, server: FakeServer) -> None:
    server.on("POST", f"{THREAD}/runs", sse_response(cut_stream(text_run(), 0)))
    with pytest.raises(APIConnectionError, match="before the run was created") as caught:
        client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a").until_done()
    assert "ReadError" in str(caught.value)
    assert [request.method for request in server.requests] == ["POST"]


def test_a_cut_after_the_run_paused_ends_quietly(client: Client, server: FakeServer) -> None:
    transcript = tool_call_run()
    server.on("POST", f"{THREAD}/runs", sse_response(cut_stream(transcript, len(transcript.events) - 1)))
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    assert stream.get_final_run().status == "requires_action"
    assert not stream.resumed and [request.method for request in server.requests] == ["POST"]


def test_a_paused_run_resumed_mid_arguments(client: Client, server: FakeServer) -> None:
    transcript = tool_call_run()
    at = 8  # inside the first call's argument fragments
    server.on("POST", f"{THREAD}/runs", sse_response(cut_stream(transcript, at)))
    serve_final_state(server, transcript)
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    events = list(stream)
    assert events[-1].event == "thread.run.requires_action"
    assert final(stream) == expected(transcript)
    pieces = [
        call.function.arguments
        for event in events
        if event.event == "thread.run.step.delta"
        for call in event.data.delta.step_details.tool_calls
        if call.index == 0 and call.function and call.function.arguments
    ]
    assert "".join(pieces) == '{"city": "Paris"}'


def test_an_outputs_stream_cut_at_once_resumes_by_its_run_id(client: Client, server: FakeServer) -> None:
    transcript = tool_outputs_stream()
    server.on("POST", f"{THREAD}/runs/run_tools/submit_tool_outputs", sse_response(cut_stream(transcript, 0)))
    serve_final_state(server, transcript)
    stream = client.threads.runs.submit_tool_outputs_stream(
        tool_outputs=[{"tool_call_id": "call_weather_paris", "output": "18C and sunny"}],
        run_id="run_tools",
        thread_id="thread_abc123",
    )
    assert stream.get_final_run().status == "completed"
    assert final(stream) == expected(transcript)
    assert stream.get_final_messages()[0].text == transcript.text


def test_resume_asks_for_steps_with_the_streams_include(client: Client, server: FakeServer) -> None:
    transcript = tools_run(thread_created=False)
    server.on("POST", f"{THREAD}/runs", sse_response(cut_stream(transcript, 5)))
    serve_final_state(server, transcript)
    client.threads.runs.stream(
        thread_id="thread_abc123", assistant_id="a", include=[FILE_SEARCH_CONTENT_INCLUDE]
    ).until_done()
    steps_request = server.requests[2]
    assert steps_request.url.path.endswith("/steps")
    assert steps_request.url.params.get_list("include[]") == [FILE_SEARCH_CONTENT_INCLUDE]


def test_a_thread_and_run_stream_resumes_with_ids_from_its_events(client: Client, server: FakeServer) -> None:
    transcript = tools_run()
    server.on("POST", "/threads/runs", sse_response(cut_stream(transcript, 3)))
    serve_final_state(server, transcript)
    stream = client.threads.create_and_run_stream(assistant_id="asst_abc123")
    stream.until_done()
    assert final(stream) == expected(transcript) and stream.thread_id == "thread_abc123"


def test_async_resume(server: FakeServer, sleeps: list[float]) -> None:
    transcript = text_run()
    server.on("POST", f"{THREAD}/runs", sse_response(cut_stream(transcript, 9, "mid-event")))
    running = run_object("run_text", "in_progress")
    server.on(
        "GET",
        f"{THREAD}/runs/run_text",
        json_response(running, headers={"openai-poll-after-ms": "5"}),
        json_response(transcript.run),
    )
    server.on("GET", f"{THREAD}/runs/run_text/steps", list_response(transcript.steps))
    server.on("GET", f"{THREAD}/messages", list_response(transcript.messages))

    async def main() -> dict[str, Any]:
        async with async_client(server, sleeps) as client:
            async with client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a") as stream:
                texts = [text async for text in stream.text_deltas]
            assert "".join(texts) == transcript.text
            assert stream.resumed
            return final(stream)

    assert asyncio.run(main()) == expected(transcript)
    assert sleeps == [0.005]


def test_steps_and_messages_from_more_than_one_page_are_all_caught_up(
    client: Client, server: FakeServer
) -> None:
    transcript = text_run()
    server.on("POST", f"{THREAD}/runs", sse_response(cut_stream(transcript, 3)))
    extra = step_object(
        "step_zz", "run_text", {"type": "tool_calls", "tool_calls": []}, status="completed", created_at=1
    )
    steps = [*transcript.steps, extra]

    def steps_page(request: httpx2.Request) -> httpx2.Response:
        after = request.url.params.get("after")
        return list_response(steps[1:] if after else steps[:1], has_more=not after)

    server.on("GET", f"{THREAD}/runs/run_text", json_response(transcript.run))
    server.on("GET", f"{THREAD}/runs/run_text/steps", steps_page)
    server.on("GET", f"{THREAD}/messages", list_response(transcript.messages))
    stream = client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    assert [step.id for step in stream.get_final_run_steps()] == ["step_run_text", "step_zz"]
