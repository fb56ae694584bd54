"""The official ``openai`` SDK, unchanged, against the server over loopback (strict validation on)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import openai
import pytest
from openai import AssistantEventHandler, AsyncAssistantEventHandler
from server_testing import new_thread

from run_widgets.server import ServerHandle

pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")

INCLUDE = "step_details.tool_calls[*].file_search.results[*].content"


class Recorder(AssistantEventHandler):
    """Keeps what the SDK's handler saw: events, text deltas, finished steps and messages."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []
        self.text = ""
        self.steps_done: list[Any] = []
        self.messages_done: list[Any] = []
        self.tool_calls_done: list[Any] = []

    def on_event(self, event: Any) -> None:
        self.events.append(event.event)

    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.text += delta.value or ""

    def on_run_step_done(self, run_step: Any) -> None:
        self.steps_done.append(run_step)

    def on_message_done(self, message: Any) -> None:
        self.messages_done.append(message)

    def on_tool_call_done(self, tool_call: Any) -> None:
        self.tool_calls_done.append(tool_call)


def dump(obj: Any) -> Any:
    return obj.model_dump(mode="json", exclude_unset=False)


def test_create_and_poll_gives_a_completed_run_with_a_reply_quoting_the_user(
    client: openai.OpenAI, assistant_id: str
) -> None:
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What is a run?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant_id)

    assert run.status == "completed"
    assert run.started_at is not None and run.completed_at is not None and run.expires_at is None
    assert run.usage is not None and run.usage.completion_tokens > 0
    assert run.usage.total_tokens == run.usage.prompt_tokens + run.usage.completion_tokens
    assert run.instructions == "Be brief." and run.model == "scripted"
    messages = client.beta.threads.messages.list(thread_id=thread.id, run_id=run.id)
    assert len(messages.data) == 1
    reply = messages.data[0]
    assert reply.role == "assistant" and reply.run_id == run.id and reply.assistant_id == assistant_id
    assert "“What is a run?”" in reply.content[0].text.value  # type: ignore[union-attr]
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id)
    assert [s.type for s in steps.data] == ["message_creation"]
    assert steps.data[0].step_details.message_creation.message_id == reply.id  # type: ignore[union-attr]
    assert steps.data[0].usage is not None


def test_function_calls_pause_the_run_and_outputs_resume_it(client: openai.OpenAI, assistant_id: str) -> None:
    thread = client.beta.threads.create(
        messages=[
            {
                "role": "user",
                "content": 'call get_weather {"city": "Paris"}\ncall get_weather {"city": "Oslo"}\ncall get_time',
            }
        ]
    )
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant_id)

    assert run.status == "requires_action" and run.usage is None
    calls = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_weather", {"city": "Oslo"}),
        ("get_time", {}),
    ]
    assert len({c.id for c in calls}) == 3
    (step,) = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id).data
    assert step.type == "tool_calls" and step.status == "in_progress" and step.usage is None
    assert [c.id for c in step.step_details.tool_calls] == [c.id for c in calls]  # type: ignore[union-attr]
    assert all(c.function.output is None for c in step.step_details.tool_calls)  # type: ignore[union-attr]

    outputs = [{"tool_call_id": c.id, "output": f"answer {i}"} for i, c in enumerate(calls)]
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=thread.id, run_id=run.id, tool_outputs=outputs
    )

    assert run.status == "completed" and run.required_action is None
    step = client.beta.threads.runs.steps.retrieve(thread_id=thread.id, run_id=run.id, step_id=step.id)
    assert step.status == "completed" and step.usage is not None
    assert [c.function.output for c in step.step_details.tool_calls] == ["answer 0", "answer 1", "answer 2"]  # type: ignore[union-attr]
    reply = client.beta.threads.messages.list(thread_id=thread.id, run_id=run.id).data[0]
    text = reply.content[0].text.value  # type: ignore[union-attr]
    for i in range(3):
        assert f"“answer {i}”" in text


def test_stream_handler_snapshots_equal_the_final_objects(
    client: openai.OpenAI, http: httpx2.Client, assistant_id: str
) -> None:
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "/search streaming\n/code\nShow me everything."}]
    )
    recorder = Recorder()
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant_id, event_handler=recorder, include=[INCLUDE]
    ) as stream:
        stream.until_done()
        final_run = stream.get_final_run()
        final_messages = stream.get_final_messages()
        final_steps = stream.get_final_run_steps()

    assert final_run.status == "completed"
    assert recorder.events[:3] == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert recorder.events[-1] == "thread.run.completed"
    # what the SDK accumulated is what the server returns
    assert dump(final_run) == dump(
        client.beta.threads.runs.retrieve(thread_id=thread.id, run_id=final_run.id)
    )
    (message,) = final_messages
    assert recorder.text == message.content[0].text.value  # type: ignore[union-attr]
    assert dump(message) == dump(
        client.beta.threads.messages.retrieve(thread_id=thread.id, message_id=message.id)
    )
    assert dump(recorder.messages_done[0]) == dump(message)
    listed = client.beta.threads.runs.steps.list(
        thread_id=thread.id, run_id=final_run.id, order="asc", include=[INCLUDE]
    ).data
    assert [dump(s) for s in recorder.steps_done] == [dump(s) for s in listed]
    assert [s.id for s in final_steps] == [s.id for s in listed]
    search, code, _ = final_steps
    # snapshots built from created + deltas hold the same calls as the finished steps
    code_call = code.step_details.tool_calls[0]  # type: ignore[union-attr]
    done_call = listed[1].step_details.tool_calls[0]  # type: ignore[union-attr]
    assert code_call.code_interpreter.input == done_call.code_interpreter.input
    assert [o.type for o in code_call.code_interpreter.outputs] == ["logs", "image"]
    assert code_call.code_interpreter.outputs[0].logs == done_call.code_interpreter.outputs[0].logs
    assert search.step_details.tool_calls[0].id == listed[0].step_details.tool_calls[0].id  # type: ignore[union-attr]
    results = listed[0].step_details.tool_calls[0].file_search.results  # type: ignore[union-attr]
    assert results and all(r.content for r in results)


def test_submit_tool_outputs_stream_continues_where_requires_action_stopped(
    client: openai.OpenAI, assistant_id: str
) -> None:
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": 'call get_weather {"city": "Lima"}'}]
    )
    first = Recorder()
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant_id, event_handler=first
    ) as s:
        s.until_done()
        run = s.get_final_run()
    assert run.status == "requires_action"
    assert first.events[-1] == "thread.run.requires_action"
    (call,) = first.tool_calls_done
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Lima"}
    assert call.id == run.required_action.submit_tool_outputs.tool_calls[0].id  # type: ignore[union-attr]

    second = Recorder()
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id,
        run_id=run.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "18C"}],
        event_handler=second,
    ) as s:
        s.until_done()
        done = s.get_final_run()
    assert second.events[:3] == ["thread.run.step.completed", "thread.run.queued", "thread.run.in_progress"]
    assert done.status == "completed"
    assert "“18C”" in second.text
    assert second.steps_done[0].step_details.tool_calls[0].function.output == "18C"


def test_create_and_run_stream_starts_with_the_new_thread(client: openai.OpenAI, assistant_id: str) -> None:
    recorder = Recorder()
    with client.beta.threads.create_and_run_stream(
        assistant_id=assistant_id,
        thread={"messages": [{"role": "user", "content": "hello stream"}]},
        event_handler=recorder,
    ) as s:
        s.until_done()
        run = s.get_final_run()
    assert recorder.events[0] == "thread.created"
    assert run.status == "completed"
    assert client.beta.threads.retrieve(run.thread_id).id == run.thread_id
    assert "“hello stream”" in recorder.text


def test_async_client_streams_polls_and_lists(server: ServerHandle, assistant_id: str) -> None:
    class AsyncRecorder(AsyncAssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.text = ""

        async def on_text_delta(self, delta: Any, snapshot: Any) -> None:
            self.text += delta.value or ""

    async def scenario() -> None:
        async with openai.AsyncOpenAI(
            base_url=server.base_url, api_key=server.api_key, max_retries=0, _strict_response_validation=True
        ) as aclient:
            recorder = AsyncRecorder()
            async with aclient.beta.threads.create_and_run_stream(
                assistant_id=assistant_id,
                thread={"messages": [{"role": "user", "content": "async hello"}]},
                event_handler=recorder,
            ) as stream:
                await stream.until_done()
                run = await stream.get_final_run()
            assert run.status == "completed" and "“async hello”" in recorder.text
            polled = await aclient.beta.threads.runs.create_and_poll(
                thread_id=run.thread_id,
                assistant_id=assistant_id,
                additional_messages=[{"role": "user", "content": "call get_time {}"}],
            )
            assert polled.status == "requires_action"
            runs = [r.id async for r in aclient.beta.threads.runs.list(thread_id=run.thread_id, limit=1)]
            assert runs == [polled.id, run.id]
            cancelled = await aclient.beta.threads.runs.cancel(thread_id=run.thread_id, run_id=polled.id)
            assert cancelled.status == "cancelling"
            final = await aclient.beta.threads.runs.poll(thread_id=run.thread_id, run_id=polled.id)
            assert final.status == "cancelled"

    asyncio.run(scenario())


def test_auto_pagination_visits_every_run_once_in_both_orders(
    client: openai.OpenAI, http: httpx2.Client, assistant_id: str
) -> None:
    thread_id = new_thread(http, "paginate")
    created = []
    for _ in range(45):
        run = client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
        assert run.status == "completed"
        created.append(run.id)
    desc = [r.id for r in client.beta.threads.runs.list(thread_id=thread_id, limit=7)]
    asc = [r.id for r in client.beta.threads.runs.list(thread_id=thread_id, limit=10, order="asc")]
    assert desc == created[::-1]
    assert asc == created
    page = client.beta.threads.runs.list(thread_id=thread_id, limit=100)
    assert len(page.data) == 45 and page.has_more is False


def test_cancel_while_waiting_and_while_streaming(
    client: openai.OpenAI, http: httpx2.Client, assistant_id: str
) -> None:
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "/wait"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant_id)
    cancelling = client.beta.threads.runs.cancel(thread_id=thread.id, run_id=run.id)
    assert cancelling.status == "cancelling"
    run = client.beta.threads.runs.poll(thread_id=thread.id, run_id=run.id, poll_interval_ms=20)
    assert run.status == "cancelled" and run.cancelled_at is not None and run.expires_at is None

    # mid-reply: the message is left incomplete and its step cancelled
    with client.beta.threads.runs.stream(
        thread_id=thread.id,
        assistant_id=assistant_id,
        additional_messages=[{"role": "user", "content": "/pace 50\n" + "word " * 200}],
    ) as stream:
        for event in stream:
            if event.event == "thread.message.delta":
                client.beta.threads.runs.cancel(thread_id=thread.id, run_id=stream.current_run.id)  # type: ignore[union-attr]
                break
        stream.until_done()
        run = stream.get_final_run()
    assert run.status == "cancelled"
    (step,) = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id).data
    assert step.status == "cancelled" and step.cancelled_at is not None
    message = client.beta.threads.messages.list(thread_id=thread.id, run_id=run.id).data[0]
    assert message.status == "incomplete"
    assert message.incomplete_details.reason == "run_cancelled"  # type: ignore[union-attr]


def test_errors_are_typed(server: ServerHandle, client: openai.OpenAI, assistant_id: str) -> None:
    thread = client.beta.threads.create()
    with pytest.raises(openai.NotFoundError) as not_found:
        client.beta.threads.runs.retrieve(thread_id=thread.id, run_id="run_nope")
    assert not_found.value.request_id
    with pytest.raises(openai.NotFoundError) as no_assistant:
        client.beta.threads.runs.create(thread_id=thread.id, assistant_id="asst_nope")
    assert no_assistant.value.param == "assistant_id"
    with pytest.raises(openai.BadRequestError) as bad:
        client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant_id, temperature=5)
    assert bad.value.param == "temperature" and bad.value.type == "invalid_request_error"
    with pytest.raises(openai.BadRequestError) as bad_metadata:
        client.beta.threads.update(thread.id, metadata={f"k{i}": "v" for i in range(17)})
    assert bad_metadata.value.param == "metadata"
    wrong = openai.OpenAI(base_url=server.base_url, api_key="rw-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as auth:
        wrong.beta.threads.create()
    assert "rw-wrong" not in str(auth.value)


def test_assistants_threads_and_messages_round_trip(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(
        model="scripted", name="Tester", tools=[{"type": "code_interpreter"}], metadata={"a": "1"}
    )
    assert client.beta.assistants.retrieve(assistant.id).name == "Tester"
    updated = client.beta.assistants.update(assistant.id, name="Renamed", temperature=0.5)
    assert updated.name == "Renamed" and updated.temperature == 0.5 and updated.metadata == {"a": "1"}
    assert assistant.id in [a.id for a in client.beta.assistants.list(limit=100)]
    thread = client.beta.threads.create(metadata={"topic": "x"})
    assert client.beta.threads.update(thread.id, metadata={"topic": "y"}).metadata == {"topic": "y"}
    message = client.beta.threads.messages.create(
        thread_id=thread.id, role="user", content=[{"type": "text", "text": "parts"}], metadata={"m": "1"}
    )
    assert message.content[0].text.value == "parts"  # type: ignore[union-attr]
    assert message.assistant_id is None and message.run_id is None
    changed = client.beta.threads.messages.update(
        message_id=message.id, thread_id=thread.id, metadata={"m": "2"}
    )
    assert changed.metadata == {"m": "2"}
    assert client.beta.threads.messages.delete(message_id=message.id, thread_id=thread.id).deleted
    assert client.beta.threads.delete(thread.id).deleted
    assert client.beta.assistants.delete(assistant.id).deleted
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.retrieve(thread.id)


def test_run_update_and_overrides(client: openai.OpenAI, assistant_id: str) -> None:
    thread = client.beta.threads.create()
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant_id,
        model="other-model",
        additional_instructions="And kind.",
        tools=[{"type": "code_interpreter"}],
        temperature=0.2,
        additional_messages=[{"role": "user", "content": "overrides"}],
        metadata={"k": "v"},
    )
    assert run.model == "other-model"
    assert run.instructions == "Be brief.\n\nAnd kind."
    assert [t.type for t in run.tools] == ["code_interpreter"]
    assert run.temperature == 0.2 and run.metadata == {"k": "v"}
    updated = client.beta.threads.runs.update(thread_id=thread.id, run_id=run.id, metadata={"k": "w"})
    assert updated.metadata == {"k": "w"}
    assert client.beta.threads.runs.retrieve(thread_id=thread.id, run_id=run.id).metadata == {"k": "w"}
