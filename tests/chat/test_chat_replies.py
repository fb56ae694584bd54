"""Plain replies: what our server sends the backend, and what the official SDK gets back."""

from __future__ import annotations

import threading
from typing import Any

import openai
import pytest
from chat_testing import BACKEND_KEY, Recorder, assistant, reply_text
from fake_backend import FakeBackend, Reply

from run_widgets.server.tokens import count_tokens

pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")


def test_a_reply_is_one_streamed_call_and_the_run_completes_with_the_backends_text_and_usage(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(Reply(text="Runs are invocations of an assistant.", usage=(42, 7)))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What is a run?"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant(client), additional_instructions="Answer in English."
    )

    assert run.status == "completed", run.last_error
    assert reply_text(client, thread.id, run.id) == "Runs are invocations of an assistant."
    assert run.usage is not None
    assert (run.usage.prompt_tokens, run.usage.completion_tokens, run.usage.total_tokens) == (42, 7, 49)
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id).data
    assert [s.type for s in steps] == ["message_creation"]
    assert steps[0].usage is not None and steps[0].usage.completion_tokens == 7

    [request] = backend.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {BACKEND_KEY}"
    body = request.body
    assert body["model"] == "fake-model"  # --chat-model wins over the assistant's model
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [
        {"role": "system", "content": "Be brief.\n\nAnswer in English."},
        {"role": "user", "content": "What is a run?"},
    ]
    assert run.temperature == 1.0 and run.top_p == 1.0  # the wire shows the Assistants API's defaults,
    absent_fields = ("temperature", "top_p")  # but the backend keeps its own (the model's tuned ones)
    absent_fields += (
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
        "max_completion_tokens",
    )
    for absent in absent_fields:
        assert absent not in body


def test_text_reaches_the_sdk_stream_helper_while_the_backend_is_still_answering(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    text = "Streaming works through the run, piece by piece."
    gate = threading.Event()
    backend.script(Reply(text=text, text_piece=3, gate=gate, gate_after=3))

    class OpenTheGate(Recorder):
        def on_text_delta(self, delta: Any, snapshot: Any) -> None:
            super().on_text_delta(delta, snapshot)
            gate.set()  # the backend holds the rest of its answer until the first words got here

    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Stream please"}])
    handler = OpenTheGate()
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant(client), event_handler=handler
    ) as stream:
        stream.until_done()
        final = stream.get_final_run()

    assert final.status == "completed"
    # The backend sent "Stream" and then waited for the gate, which only a delta opens.
    assert handler.deltas[0] and "Stream".startswith(handler.deltas[0])
    assert len(handler.deltas) >= 2
    assert "".join(handler.deltas) == text
    assert handler.events[-1] == "thread.run.completed"
    assert handler.events.index("thread.message.created") < handler.events.index("thread.message.delta")
    [message] = stream.get_final_messages()
    assert message.content[0].text.value == text  # type: ignore[union-attr]


def test_run_settings_are_passed_on(client: openai.OpenAI, backend: FakeBackend) -> None:
    backend.script(Reply(text='{"answer": 42}'))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "JSON please"}])
    schema = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant(client),
        instructions="Reply in JSON.",
        temperature=0.25,
        top_p=0.5,
        max_completion_tokens=300,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": True},
        },
    )

    assert run.status == "completed", run.last_error
    body = backend.requests[0].body
    assert body["messages"][0] == {"role": "system", "content": "Reply in JSON."}
    assert body["temperature"] == 0.25 and body["top_p"] == 0.5
    assert body["max_completion_tokens"] == 300 and "max_tokens" not in body
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": schema, "strict": True},
    }


def test_earlier_turns_come_back_as_user_and_assistant_messages(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(Reply(text="First answer."), Reply(text="Second answer."))
    asst = assistant(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "First question"}])
    first = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)
    assert first.status == "completed"
    client.beta.threads.messages.create(thread_id=thread.id, role="user", content="Second question")
    second = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=asst,
        additional_messages=[{"role": "user", "content": "And a follow-up"}],
    )
    assert second.status == "completed"

    assert backend.requests[1].messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "First question"},
        {"role": "assistant", "content": "First answer."},
        {"role": "user", "content": "Second question"},
        {"role": "user", "content": "And a follow-up"},
    ]


def test_truncation_last_messages_keeps_the_last_n(client: openai.OpenAI, backend: FakeBackend) -> None:
    backend.script(Reply(text="ok"))
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": f"message {n}"} for n in range(5)]
    )
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant(client),
        truncation_strategy={"type": "last_messages", "last_messages": 2},
    )
    assert run.status == "completed"
    assert backend.requests[0].messages[1:] == [
        {"role": "user", "content": "message 3"},
        {"role": "user", "content": "message 4"},
    ]


def test_images_by_url_are_sent_as_content_parts(client: openai.OpenAI, backend: FakeBackend) -> None:
    backend.script(Reply(text="A cat."))
    thread = client.beta.threads.create(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {
                        "type": "image_url",
                        "image_url": {"url": "https://example.com/cat.png", "detail": "low"},
                    },
                ],
            }
        ]
    )
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
    assert run.status == "completed"
    assert backend.requests[0].messages[1] == {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
        ],
    }


def test_without_usage_from_the_backend_the_server_estimates_it(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    text = "No usage reported by this backend, so the server counts."
    backend.script(Reply(text=text, usage=None))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Count"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
    assert run.status == "completed"
    assert run.usage is not None
    assert run.usage.completion_tokens == count_tokens(text)
    assert run.usage.prompt_tokens > 0


def test_leading_whitespace_before_the_answer_is_dropped(client: openai.OpenAI, backend: FakeBackend) -> None:
    backend.script(Reply(lead="\n\n  ", text="Answer after blank lines."))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
    assert reply_text(client, thread.id, run.id) == "Answer after blank lines."


def test_finish_reason_length_ends_the_run_incomplete(client: openai.OpenAI, backend: FakeBackend) -> None:
    backend.script(Reply(text="This answer was cut", finish_reason="length", usage=(10, 5)))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Write a lot"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant(client), max_completion_tokens=256
    )
    assert run.status == "incomplete"
    assert run.incomplete_details is not None and run.incomplete_details.reason == "max_completion_tokens"
    assert backend.requests[0].body["max_completion_tokens"] == 256
    [message] = client.beta.threads.messages.list(thread_id=thread.id, run_id=run.id).data
    assert message.status == "incomplete"
    assert message.content[0].text.value == "This answer was cut"  # type: ignore[union-attr]
