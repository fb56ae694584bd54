"""Our client against the embedded server over loopback: every route, streams equal to GET, errors, resume."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from run_widgets import AsyncClient, Client
from run_widgets.client import (
    FILE_SEARCH_CONTENT_INCLUDE,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RunStream,
)
from run_widgets.models import Message, RunStep
from run_widgets.server import ServerHandle, start

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
TOOLS = [WEATHER, {"type": "code_interpreter"}, {"type": "file_search"}]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start(words_per_second=0) as handle:
        yield handle


@pytest.fixture
def client(server: ServerHandle) -> Iterator[Client]:
    with Client(server.base_url, api_key=server.api_key) as made:
        yield made


@pytest.fixture(scope="module")
def assistant_id(server: ServerHandle) -> str:
    with Client(server.base_url, api_key=server.api_key) as made:
        return made.assistants.create(model="scripted", name="Live tests", tools=TOOLS).id


def dumped(items: list[Any]) -> list[dict[str, Any]]:
    return [item.to_dict() for item in items]


def assert_stream_equals_get(client: Client, stream: RunStream, include: list[str] | None = None) -> None:
    """What the stream built equals what GET returns for the same ids (run, steps, messages)."""
    run = stream.get_final_run()
    assert client.threads.runs.retrieve(run.id, thread_id=run.thread_id).to_dict() == run.to_dict()
    options: dict[str, Any] = {"include": include} if include else {}
    steps = list(client.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc", **options))
    assert dumped(stream.get_final_run_steps()) == dumped(steps)
    messages = list(client.threads.messages.list(run.thread_id, run_id=run.id, order="asc"))
    assert dumped(stream.get_final_messages()) == dumped(messages)


def test_assistants_every_route_and_pagination(client: Client) -> None:
    made = [
        client.assistants.create(model="scripted", name=f"a{i}", metadata={"suite": "live"}) for i in range(3)
    ]
    assert client.assistants.retrieve(made[0].id).to_dict() == made[0].to_dict()
    renamed = client.assistants.update(made[1].id, name="renamed", temperature=0.5)
    assert (renamed.name, renamed.temperature) == ("renamed", 0.5)
    listed = [assistant.id for assistant in client.assistants.list(limit=1, order="asc")]
    assert [assistant.id for assistant in made] == [i for i in listed if i in {a.id for a in made}]
    first = client.assistants.list(limit=2, order="desc")
    second = first.next_page()
    assert first.has_more and second is not None and second.data[0].id != first.data[-1].id
    deleted = client.assistants.delete(made[2].id)
    assert deleted.deleted and deleted.id == made[2].id
    with pytest.raises(NotFoundError) as caught:
        client.assistants.retrieve(made[2].id)
    assert caught.value.request_id and caught.value.type


def test_threads_and_messages_every_route(client: Client) -> None:
    thread = client.threads.create(messages=[{"role": "user", "content": "first"}], metadata={"k": "v"})
    assert client.threads.retrieve(thread.id).metadata == {"k": "v"}
    assert client.threads.update(thread.id, metadata={"k": "w"}).metadata == {"k": "w"}
    added = client.threads.messages.create(
        thread.id, role="user", content=[{"type": "text", "text": "second"}]
    )
    assert isinstance(added, Message) and added.text == "second"
    assert client.threads.messages.retrieve(added.id, thread_id=thread.id).to_dict() == added.to_dict()
    assert client.threads.messages.update(
        added.id, thread_id=thread.id, metadata={"seen": "yes"}
    ).metadata == {"seen": "yes"}
    texts = [message.text for message in client.threads.messages.list(thread.id, order="asc", limit=1)]
    assert texts == ["first", "second"]
    assert client.threads.messages.delete(added.id, thread_id=thread.id).deleted
    assert [message.text for message in client.threads.messages.list(thread.id)] == ["first"]
    assert client.threads.delete(thread.id).deleted
    with pytest.raises(NotFoundError):
        client.threads.retrieve(thread.id)


def test_a_text_run_streams_what_get_returns(client: Client, assistant_id: str) -> None:
    thread = client.threads.create(messages=[{"role": "user", "content": "Tell me about streams, please."}])
    with client.threads.runs.stream(thread_id=thread.id, assistant_id=assistant_id) as stream:
        names = [event.event for event in stream]
    assert names[0] == "thread.run.created" and names[-1] == "thread.run.completed"
    assert names.count("thread.message.delta") > 1
    assert stream.get_final_run().status == "completed"
    assert_stream_equals_get(client, stream)


def test_tool_calls_pause_then_the_outputs_finish_the_run(client: Client, assistant_id: str) -> None:
    thread = client.threads.create(
        messages=[
            {
                "role": "user",
                "content": 'call get_weather {"city": "Paris"}\ncall get_weather {"city": "Oslo"}',
            }
        ]
    )
    run = client.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant_id, poll_interval_ms=20
    )
    assert run.status == "requires_action"
    calls = run.pending_tool_calls
    assert sorted(json.loads(call.function.arguments)["city"] for call in calls) == ["Oslo", "Paris"]
    outputs = [
        {"tool_call_id": call.id, "output": f"sunny in {json.loads(call.function.arguments)['city']}"}
        for call in calls
    ]
    with client.threads.runs.submit_tool_outputs_stream(
        tool_outputs=outputs, run_id=run.id, thread_id=thread.id
    ) as stream:
        assert stream.get_final_run().status == "completed"
    final_text = stream.get_final_messages()[-1].text
    assert "sunny in Paris" in final_text and "sunny in Oslo" in final_text
    steps = list(client.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc"))
    tool_step = next(step for step in steps if step.type == "tool_calls")
    assert isinstance(tool_step, RunStep) and tool_step.status == "completed"
    assert {call.function.output for call in tool_step.step_details.tool_calls} == {
        output["output"] for output in outputs
    }
    assert (
        client.threads.runs.steps.retrieve(tool_step.id, thread_id=thread.id, run_id=run.id).to_dict()
        == tool_step.to_dict()
    )


def test_submit_tool_outputs_and_poll(client: Client, assistant_id: str) -> None:
    thread = client.threads.create(
        messages=[{"role": "user", "content": 'call get_weather {"city": "Rome"}'}]
    )
    run = client.threads.runs.create(thread.id, assistant_id=assistant_id)
    run = client.threads.runs.poll(run.id, thread.id, poll_interval_ms=20)
    (call,) = run.pending_tool_calls
    done = client.threads.runs.submit_tool_outputs_and_poll(
        tool_outputs=[{"tool_call_id": call.id, "output": "warm"}],
        run_id=run.id,
        thread_id=thread.id,
        poll_interval_ms=20,
    )
    assert done.status == "completed"


def test_code_and_file_search_steps_with_their_content(client: Client, assistant_id: str) -> None:
    thread = client.threads.create(messages=[{"role": "user", "content": "/code\n/search tides"}])
    include = [FILE_SEARCH_CONTENT_INCLUDE]
    with client.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant_id, include=include
    ) as stream:
        stream.until_done()
    kinds = [
        call.type
        for step in stream.get_final_run_steps()
        if step.type == "tool_calls"
        for call in step.step_details.tool_calls
    ]
    assert kinds == ["code_interpreter", "file_search"]
    assert_stream_equals_get(client, stream, include)
    search = next(
        call
        for step in stream.get_final_run_steps()
        if step.type == "tool_calls"
        for call in step.step_details.tool_calls
        if call.type == "file_search"
    )
    assert search.file_search.results and search.file_search.results[0].content


def test_runs_that_start_a_thread(client: Client, assistant_id: str) -> None:
    thread = {"messages": [{"role": "user", "content": "A new thread, please."}]}
    with client.threads.create_and_run_stream(assistant_id=assistant_id, thread=thread) as stream:
        events = [event.event for event in stream]
    assert events[0] == "thread.created" and stream.snapshot.thread is not None
    assert_stream_equals_get(client, stream)
    direct = client.threads.create_and_run(assistant_id=assistant_id, thread=thread, stream=True)
    assert isinstance(direct, RunStream) and direct.get_final_run().status == "completed"
    polled = client.threads.create_and_run_poll(assistant_id=assistant_id, thread=thread, poll_interval_ms=20)
    assert polled.status == "completed"
    assert client.threads.create_and_run(assistant_id=assistant_id, thread=thread).status in {
        "queued",
        "in_progress",
        "completed",
    }


def test_list_update_and_cancel_a_run(client: Client, assistant_id: str) -> None:
    thread = client.threads.create(messages=[{"role": "user", "content": "/wait"}])
    run = client.threads.runs.create(thread.id, assistant_id=assistant_id, metadata={"try": "1"})
    assert client.threads.runs.update(run.id, thread_id=thread.id, metadata={"try": "2"}).metadata == {
        "try": "2"
    }
    assert [listed.id for listed in client.threads.runs.list(thread.id)] == [run.id]
    with pytest.raises(BadRequestError, match="is active"):
        client.threads.messages.create(thread.id, role="user", content="may I?")
    cancelling = client.threads.runs.cancel(run.id, thread_id=thread.id)
    assert cancelling.status in {"cancelling", "cancelled"}
    assert client.threads.runs.poll(run.id, thread.id, poll_interval_ms=20).status == "cancelled"


def test_polling_waits_what_the_server_asks(server: ServerHandle, assistant_id: str) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with Client(server.base_url, api_key=server.api_key, sleep=sleep) as client:
        thread = client.threads.create(messages=[{"role": "user", "content": "/wait 0.5"}])
        run = client.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant_id)
    assert run.status == "completed"
    assert waits and set(waits) == {0.2}  # the server's openai-poll-after-ms


def test_the_servers_errors_arrive_typed(server: ServerHandle, client: Client, assistant_id: str) -> None:
    with Client(server.base_url, api_key="sk-wrong") as wrong, pytest.raises(AuthenticationError) as caught:
        wrong.threads.create()
    assert "RUN_WIDGETS_API_KEY" in str(caught.value) and "sk-wrong" not in str(caught.value)
    with pytest.raises(NotFoundError):
        client.threads.runs.retrieve("run_nope", thread_id="thread_nope")
    thread = client.threads.create()
    with pytest.raises(BadRequestError) as bad:  # a field our validation would stop, sent raw
        client.threads.runs.create(thread.id, assistant_id=assistant_id, extra_body={"temperature": 9})
    assert bad.value.param == "temperature" and bad.value.status_code == 400


class DropFirstResponse(httpx2.BaseTransport):
    """Delivers the first POST to the server, then loses its response, as a flaky network would."""

    def __init__(self) -> None:
        self.inner = httpx2.HTTPTransport()
        self.dropped = 0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and not self.dropped:
            self.dropped += 1
            response.close()
            raise httpx2.ReadError("connection reset after the server answered")
        return response


def test_a_retried_post_creates_one_run(server: ServerHandle, assistant_id: str) -> None:
    """The retry carries the first attempt's Idempotency-Key, so the server answers with the same run."""
    transport = DropFirstResponse()
    with Client(server.base_url, api_key=server.api_key) as plain:
        thread = plain.threads.create(messages=[{"role": "user", "content": "once"}])
    with Client(
        server.base_url,
        api_key=server.api_key,
        http_client=httpx2.Client(transport=transport),
        sleep=lambda s: None,
    ) as flaky:
        run = flaky.threads.runs.create(thread.id, assistant_id=assistant_id)
        assert transport.dropped == 1
        assert [listed.id for listed in flaky.threads.runs.list(thread.id)] == [run.id]


class CutStreams(httpx2.BaseTransport):
    """Cuts every event stream right after its first message delta, as a dropped connection would."""

    def __init__(self) -> None:
        self.inner = httpx2.HTTPTransport()
        self.cuts = 0

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self.inner.handle_request(request)
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            return response
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            stream=self._cut(response),
            extensions=response.extensions,
        )

    def _cut(self, response: httpx2.Response) -> Any:
        transport = self

        class Stream(httpx2.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                seen = b""
                for chunk in response.stream:  # type: ignore[union-attr]
                    seen += chunk
                    yield chunk
                    if b"event: thread.message.delta" in seen and seen.endswith(b"\n\n"):
                        transport.cuts += 1
                        response.close()
                        raise httpx2.ReadError("connection reset mid-stream")

        return Stream()


def test_a_stream_cut_mid_message_resumes_against_the_real_server(assistant_id: str) -> None:
    with start(words_per_second=40) as paced:
        transport = CutStreams()
        with Client(
            paced.base_url, api_key=paced.api_key, http_client=httpx2.Client(transport=transport)
        ) as client:
            assistant = client.assistants.create(model="scripted").id
            thread = client.threads.create(
                messages=[
                    {"role": "user", "content": "Please tell a rather long story about rivers and the sea."}
                ]
            )
            with client.threads.runs.stream(thread_id=thread.id, assistant_id=assistant) as stream:
                texts = list(stream.text_deltas)
            assert transport.cuts == 1 and stream.resumed
            run = stream.get_final_run()
            assert run.status == "completed"
            assert "".join(texts) == stream.get_final_messages()[-1].text
            assert_stream_equals_get(client, stream)


def test_the_async_client_against_the_server(server: ServerHandle, assistant_id: str) -> None:
    async def main() -> None:
        async with AsyncClient(server.base_url, api_key=server.api_key) as client:
            thread = await client.threads.create(
                messages=[{"role": "user", "content": "Hello from asyncio."}]
            )
            async with client.threads.runs.stream(thread_id=thread.id, assistant_id=assistant_id) as stream:
                texts = [text async for text in stream.text_deltas]
            messages = [
                message async for message in client.threads.messages.list(thread.id, order="asc", limit=1)
            ]
            assert messages[-1].text == "".join(texts) == (await stream.get_final_messages())[-1].text
            run = await client.threads.runs.retrieve((await stream.get_final_run()).id, thread_id=thread.id)
            assert run.to_dict() == (await stream.get_final_run()).to_dict()
            polled = await client.threads.create_and_run_poll(assistant_id=assistant_id, poll_interval_ms=20)
            assert polled.status == "completed"

    asyncio.run(main())
