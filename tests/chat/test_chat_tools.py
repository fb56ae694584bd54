"""Function calls: requires_action, unique ids, outputs replayed as tool messages, many rounds."""

from __future__ import annotations

import json

import openai
import pytest
from chat_testing import TIME, WEATHER, Recorder, assistant, pending_calls, reply_text
from fake_backend import Call, FakeBackend, Reply

pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")


def test_a_tool_call_pauses_the_run_and_the_output_comes_back_as_a_tool_message(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(
        Reply(calls=[Call("get_weather", '{"city": "Paris"}')], usage=(30, 12)),
        Reply(text="It is sunny in Paris.", usage=(60, 8)),
    )
    asst = assistant(client, tools=[WEATHER, {"type": "code_interpreter"}])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Paris?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)

    assert run.status == "requires_action"
    assert pending_calls(run) == [("get_weather", '{"city": "Paris"}')]
    call_id = run.required_action.submit_tool_outputs.tool_calls[0].id  # type: ignore[union-attr]
    first = backend.requests[0].body
    assert first["tools"] == [WEATHER]  # only function tools: no chat backend has code_interpreter
    assert first["parallel_tool_calls"] is True and first["tool_choice"] == "auto"

    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": call_id, "output": "sunny, 21 C"}]
    )
    assert run.status == "completed", run.last_error
    assert reply_text(client, thread.id, run.id) == "It is sunny in Paris."
    assert run.usage is not None
    assert (run.usage.prompt_tokens, run.usage.completion_tokens) == (90, 20)

    second = backend.requests[1].body
    assert second["tools"] == [WEATHER], "tools stay offered after the outputs"
    assert second["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": "sunny, 21 C"},
    ]


def test_parallel_calls_become_one_step_and_one_replayed_assistant_message(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    calls = [
        Call("get_weather", '{"city": "Paris"}'),
        Call("get_weather", '{"city": "Oslo"}'),
        Call("get_time"),
    ]
    backend.script(Reply(text="Let me check.", calls=calls), Reply(text="Done."))
    asst = assistant(client, tools=[WEATHER, TIME])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather and time"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)

    assert run.status == "requires_action"
    assert pending_calls(run) == [(c.name, c.arguments) for c in calls]
    ids = [c.id for c in run.required_action.submit_tool_outputs.tool_calls]  # type: ignore[union-attr]
    assert len(set(ids)) == 3
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id, order="asc").data
    assert [s.type for s in steps] == ["message_creation", "tool_calls"]
    assert len(steps[1].step_details.tool_calls) == 3  # type: ignore[union-attr]

    outputs = [{"tool_call_id": i, "output": f"out {n}"} for n, i in enumerate(ids)]
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=thread.id, run_id=run.id, tool_outputs=outputs
    )
    assert run.status == "completed"
    replay = backend.requests[1].messages[2:]
    assert replay[0]["role"] == "assistant" and replay[0]["content"] == "Let me check."
    assert [c["id"] for c in replay[0]["tool_calls"]] == ids
    assert replay[1:] == [
        {"role": "tool", "tool_call_id": i, "content": f"out {n}"} for n, i in enumerate(ids)
    ]


def test_the_model_chains_as_many_rounds_as_it_needs_with_fresh_ids_each_round(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    # Like Ollama, the backend numbers its calls from scratch every time: "call_0" each round.
    backend.script(
        Reply(calls=[Call("get_time", "{}", id="call_0")]),
        Reply(calls=[Call("get_weather", '{"city": "Rome"}', id="call_0")]),
        Reply(calls=[Call("get_weather", '{"city": "Milan"}', id="call_0")]),
        Reply(text="Rome and Milan are both mild today."),
    )
    asst = assistant(client, tools=[WEATHER, TIME])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Plan my day"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)
    seen: list[str] = []
    while run.status == "requires_action":
        [call] = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
        seen.append(call.id)
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(
            thread_id=thread.id,
            run_id=run.id,
            tool_outputs=[{"tool_call_id": call.id, "output": f"result of {call.function.name}"}],
        )
    assert run.status == "completed"
    assert len(seen) == 3 and len(set(seen)) == 3 and "call_0" not in seen
    assert len(backend.requests) == 4
    last = backend.requests[3]
    assert last.body["tools"] == [WEATHER, TIME]
    turn = last.messages[2:]
    assert [m["role"] for m in turn] == ["assistant", "tool"] * 3
    assert [m["tool_calls"][0]["id"] for m in turn[0::2]] == seen
    assert [m["tool_call_id"] for m in turn[1::2]] == seen
    assert [m["tool_calls"][0]["function"]["name"] for m in turn[0::2]] == [
        "get_time",
        "get_weather",
        "get_weather",
    ]


def test_tool_choice_and_parallel_tool_calls_are_passed_on(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(Reply(calls=[Call("get_weather", '{"city": "Lima"}')]), Reply(calls=[Call("get_time")]))
    asst = assistant(client, tools=[WEATHER, TIME])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=asst,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        parallel_tool_calls=False,
    )
    assert run.status == "requires_action"
    body = backend.requests[0].body
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert body["parallel_tool_calls"] is False
    client.beta.threads.runs.cancel(thread_id=thread.id, run_id=run.id)

    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Time"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=asst, tool_choice="required"
    )
    assert backend.requests[1].body["tool_choice"] == "required"
    client.beta.threads.runs.cancel(thread_id=thread.id, run_id=run.id)


def test_streams_and_submit_tool_outputs_stream_through_the_sdk_helpers(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(
        Reply(
            calls=[Call("get_weather", '{"city": "Kyiv"}'), Call("get_weather", '{"city": "Riga"}')],
            args_piece=2,
        ),
        Reply(text="Kyiv is cloudy, Riga is windy.", text_piece=2),
    )
    asst = assistant(client, tools=[WEATHER])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Two cities"}])
    handler = Recorder()
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=asst, event_handler=handler
    ) as stream:
        stream.until_done()
    run = handler.runs[-1]
    assert run.status == "requires_action"
    assert [json.loads(tc.function.arguments) for tc in handler.tool_calls_done] == [
        {"city": "Kyiv"},
        {"city": "Riga"},
    ]
    assert "thread.run.step.delta" in handler.events

    after = Recorder()
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id,
        run_id=run.id,
        tool_outputs=[
            {"tool_call_id": tc.id, "output": out}
            for tc, out in zip(
                run.required_action.submit_tool_outputs.tool_calls, ["cloudy", "windy"], strict=True
            )
        ],
        event_handler=after,
    ) as stream:
        stream.until_done()
    assert after.runs[-1].status == "completed"
    assert "".join(after.deltas) == "Kyiv is cloudy, Riga is windy."
    assert [m["content"] for m in backend.requests[1].messages if m["role"] == "tool"] == ["cloudy", "windy"]


def test_a_call_with_empty_arguments_gets_an_empty_json_object(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(Reply(calls=[Call("get_time", "")]))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Time"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant(client, tools=[TIME])
    )
    assert pending_calls(run) == [("get_time", "{}")]
    client.beta.threads.runs.cancel(thread_id=thread.id, run_id=run.id)


def test_the_remaining_completion_budget_is_sent_after_a_tool_round(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(Reply(calls=[Call("get_time")], usage=(20, 100)), Reply(text="Noon.", usage=(40, 3)))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Time"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant(client, tools=[TIME]), max_completion_tokens=400
    )
    call = run.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": call.id, "output": "12:00"}]
    )
    assert run.status == "completed"
    assert [r.body["max_completion_tokens"] for r in backend.requests] == [400, 300]
