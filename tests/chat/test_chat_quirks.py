"""Backend quirks are absorbed: odd tool-call deltas, streaming refused with tools, rejected fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from chat_testing import TIME, WEATHER, Recorder, assistant, chat_server, pending_calls, reply_text, sdk
from fake_backend import Call, FakeBackend, Reply

pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")

CALLS = [
    Call("get_weather", '{"city": "Zürich", "note": "a \\"quoted\\" \\u00e9"}'),
    Call("get_weather", '{"city": "Oslo"}'),
    Call("get_time", '{"zone": "UTC"}'),
]
EXPECTED = [(c.name, c.arguments) for c in CALLS]

QUIRKS = {
    "spec": Reply(calls=CALLS),
    "index missing, ids on the first fragment": Reply(calls=CALLS, tool_index="missing"),
    "all at index 0, ids on the first fragment": Reply(calls=CALLS, tool_index="zero"),
    "all at index 0, no ids, whole calls (Ollama)": Reply(
        calls=CALLS, tool_index="zero", tool_ids="none", whole_calls=True
    ),
    "no index, no ids, whole calls": Reply(
        calls=CALLS, tool_index="missing", tool_ids="none", whole_calls=True
    ),
    "no ids at all": Reply(calls=CALLS, tool_ids="none"),
    "ids on every fragment": Reply(calls=CALLS, tool_ids="every"),
    "ids on every fragment, all at index 0": Reply(calls=CALLS, tool_ids="every", tool_index="zero"),
    "name on every fragment, no ids": Reply(calls=CALLS, tool_ids="none", name_every_fragment=True),
    "arguments cut into single characters": Reply(calls=CALLS, args_piece=1),
    "arguments cut into single characters, all at index 0": Reply(
        calls=CALLS, args_piece=1, tool_index="zero"
    ),
    "the same id for every call": Reply(calls=[Call(c.name, c.arguments, id="call_1") for c in CALLS]),
    "finish_reason stop despite the calls": Reply(calls=CALLS, finish_reason="stop"),
    "blank content before the calls": Reply(lead="\n\n", calls=CALLS),
}


@pytest.mark.parametrize("reply", list(QUIRKS.values()), ids=list(QUIRKS))
def test_every_way_of_streaming_tool_calls_gives_the_same_calls(
    client: openai.OpenAI, backend: FakeBackend, reply: Reply
) -> None:
    backend.script(reply)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Three calls"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant(client, tools=[WEATHER, TIME])
    )
    assert run.status == "requires_action", run.last_error
    assert pending_calls(run) == EXPECTED
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id).data
    assert [s.type for s in steps] == ["tool_calls"], "blank content makes no message"
    client.beta.threads.runs.cancel(thread_id=thread.id, run_id=run.id)


def test_arguments_sent_as_an_object_are_serialised(client: openai.OpenAI, backend: FakeBackend) -> None:
    raw = [
        {"tool_calls": [{"index": 0, "function": {"name": "get_weather", "arguments": {"city": "Lagos"}}}]}
    ]
    backend.script(Reply(raw_chunks=[*raw, {"finish_reason": "tool_calls"}]))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Lagos"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant(client, tools=[WEATHER])
    )
    assert pending_calls(run) == [("get_weather", '{"city": "Lagos"}')]
    client.beta.threads.runs.cancel(thread_id=thread.id, run_id=run.id)


def test_a_call_that_never_gets_a_name_fails_the_run_clearly(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    raw = [{"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}, {"finish_reason": "tool_calls"}]
    backend.script(Reply(raw_chunks=raw))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "?"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant(client, tools=[WEATHER])
    )
    assert run.status == "failed"
    assert run.last_error is not None and "without a function name" in run.last_error.message


# --- adaptations: each test gets its own server, since the engine remembers what it learned --------


@pytest.fixture
def fresh(backend: FakeBackend) -> Iterator[openai.OpenAI]:
    with chat_server(backend.base_url) as handle, sdk(handle) as client:
        yield client


def test_a_backend_that_cannot_stream_with_tools_gets_one_call_replayed_as_deltas(
    fresh: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.reject_stream_with_tools = True
    backend.script(
        Reply(calls=[Call("get_weather", '{"city": "Cairo"}')], usage=(11, 4)),
        Reply(text="Hot and dry in Cairo today.", usage=(22, 6)),
        Reply(text="Still hot."),
    )
    asst = assistant(fresh, tools=[WEATHER])
    thread = fresh.beta.threads.create(messages=[{"role": "user", "content": "Cairo?"}])
    run = fresh.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)
    assert run.status == "requires_action", run.last_error
    assert pending_calls(run) == [("get_weather", '{"city": "Cairo"}')]
    assert [r.body["stream"] for r in backend.requests] == [True, False]

    handler = Recorder()
    call = run.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
    with fresh.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id,
        run_id=run.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "38 C"}],
        event_handler=handler,
    ) as stream:
        stream.until_done()
    assert handler.runs[-1].status == "completed"
    assert "".join(handler.deltas) == "Hot and dry in Cairo today."
    assert len(handler.deltas) > 1, "a non-streamed answer still reaches the client as deltas"
    assert handler.runs[-1].usage.completion_tokens == 10
    # Learned: the next call with tools goes straight to a non-streamed request.
    assert [r.body["stream"] for r in backend.requests] == [True, False, False]
    assert "stream_options" not in backend.requests[2].body

    fresh.beta.threads.messages.create(thread_id=thread.id, role="user", content="And now?")
    plain = fresh.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(fresh))
    assert plain.status == "completed"
    assert backend.requests[-1].body["stream"] is True, "without tools it still streams"


def test_stream_tools_off_never_streams_when_tools_are_offered(backend: FakeBackend) -> None:
    backend.script(Reply(calls=[Call("get_time")]))
    with chat_server(backend.base_url, stream_tools="off") as handle, sdk(handle) as client:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Time"}])
        run = client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant(client, tools=[TIME])
        )
        assert pending_calls(run) == [("get_time", "{}")]
        assert [r.body["stream"] for r in backend.requests] == [False]


def test_a_backend_that_ignores_stream_and_answers_json_still_works(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(Reply(text="One JSON answer.", ignore_stream=True, usage=(5, 3)))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
    assert run.status == "completed"
    assert reply_text(client, thread.id, run.id) == "One JSON answer."
    assert run.usage is not None and run.usage.completion_tokens == 3


@pytest.mark.parametrize(
    ("rejected", "check"),
    [
        (
            "max_completion_tokens",
            lambda body: body["max_tokens"] == 300 and "max_completion_tokens" not in body,
        ),
        ("stream_options", lambda body: body["stream"] is True and "stream_options" not in body),
        ("parallel_tool_calls", lambda body: "parallel_tool_calls" not in body and body["tools"]),
    ],
)
def test_fields_a_strict_backend_rejects_are_adapted_once_and_remembered(
    fresh: openai.OpenAI, backend: FakeBackend, rejected: str, check: Any
) -> None:
    backend.reject_fields = {rejected}
    backend.script(Reply(text="First."), Reply(text="Second."))
    asst = assistant(fresh, tools=[WEATHER])
    for question in ("one", "two"):
        thread = fresh.beta.threads.create(messages=[{"role": "user", "content": question}])
        run = fresh.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=asst, max_completion_tokens=300
        )
        assert run.status == "completed", run.last_error
    assert len(backend.requests) == 3, "one refusal, then every request adapted"
    assert rejected in backend.requests[0].body
    assert check(backend.requests[1].body) and check(backend.requests[2].body)


def test_a_backend_refusing_both_token_fields_gets_max_completion_tokens(backend: FakeBackend) -> None:
    both = "Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported."
    backend.rules = [lambda body: both if "max_tokens" in body and "max_completion_tokens" in body else None]
    backend.script(Reply(text="ok"))
    with chat_server(backend.base_url, max_tokens_field="both") as handle, sdk(handle) as client:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        run = client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant(client), max_completion_tokens=512
        )
        assert run.status == "completed", run.last_error
    assert len(backend.requests) == 2
    assert (
        backend.requests[1].body["max_completion_tokens"] == 512
        and "max_tokens" not in backend.requests[1].body
    )


def test_a_bad_value_is_not_mistaken_for_an_unsupported_field(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.rules = [lambda body: "max_completion_tokens must be at most 128 for this model"]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant(client, tools=[WEATHER]), max_completion_tokens=512
    )
    assert run.status == "failed" and run.last_error is not None
    assert "rejected the request (400): max_completion_tokens must be at most 128" in run.last_error.message
    assert len(backend.requests) == 1, "no retry: nothing to adapt"


def test_max_tokens_field_both_sends_both(backend: FakeBackend) -> None:
    backend.script(Reply(text="ok"))
    with chat_server(backend.base_url, max_tokens_field="both") as handle, sdk(handle) as client:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant(client), max_completion_tokens=512
        )
    body = backend.requests[0].body
    assert body["max_tokens"] == 512 and body["max_completion_tokens"] == 512


def test_extra_body_is_merged_into_every_request(backend: FakeBackend) -> None:
    backend.script(Reply(text="ok"))
    extra = '{"top_k": 40, "options": {"num_ctx": 8192}}'
    with chat_server(backend.base_url, extra_body=extra) as handle, sdk(handle) as client:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
    body = backend.requests[0].body
    assert body["top_k"] == 40 and body["options"] == {"num_ctx": 8192}
