"""Limits on what a run sends and how long it goes on: truncation, prompt size, sampling, tool rounds."""

from __future__ import annotations

import openai
import pytest
from chat_testing import TIME, WEATHER, assistant, chat_server, pending_calls, reply_text, sdk
from fake_backend import Call, FakeBackend, Reply

from run_widgets.server.engines.chat import ChatSettingsError
from run_widgets.server.tokens import count_tokens

pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")


def words(tag: str, count: int) -> str:
    """A message of exactly ``count`` tokens, the server's way of counting them."""
    text = tag + " " + "word " * (count - 1)
    assert count_tokens(text) == count
    return text.strip()


def submit(
    client: openai.OpenAI, run: openai.types.beta.threads.Run, output: str
) -> openai.types.beta.threads.Run:
    assert run.required_action is not None
    outputs = [
        {"tool_call_id": c.id, "output": output} for c in run.required_action.submit_tool_outputs.tool_calls
    ]
    return client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=run.thread_id,
        run_id=run.id,
        tool_outputs=outputs,  # type: ignore[arg-type]
    )


# --- truncation_strategy ------------------------------------------------------------------------------


def test_last_messages_counts_the_thread_not_this_runs_own_replies(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(
        Reply(text="Let me check.", calls=[Call("get_weather", '{"city": "Paris"}')]),
        Reply(text="Sunny."),
    )
    thread = client.beta.threads.create(
        messages=[
            {"role": "user", "content": "An old question"},
            {"role": "user", "content": "Weather in Paris?"},
        ]
    )
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant(client, tools=[WEATHER]),
        truncation_strategy={"type": "last_messages", "last_messages": 1},
    )
    assert run.status == "requires_action"
    call_id = run.required_action.submit_tool_outputs.tool_calls[0].id  # type: ignore[union-attr]
    run = submit(client, run, "sunny")
    assert run.status == "completed", run.last_error

    # The reply written before the call is in the thread now, but it is this run's own turn: the
    # window of one message still holds the user's question.
    assert backend.requests[1].messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": "Let me check.",
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": "sunny"},
    ]


# --- max_prompt_tokens --------------------------------------------------------------------------------


def test_auto_truncation_drops_the_oldest_messages_until_the_prompt_fits(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(Reply(text="ok"))
    texts = [words(f"m{n}", 150) for n in range(3)]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": text} for text in texts])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant(client),  # instructions "Be brief.": 3 tokens
        max_prompt_tokens=310,
        truncation_strategy={"type": "auto"},
    )
    assert run.status == "completed", run.last_error
    # 3 + 3 x 150 is over 310; without the oldest message, 303 fits.
    assert backend.requests[0].messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": texts[1]},
        {"role": "user", "content": texts[2]},
    ]


def test_a_prompt_that_cannot_fit_ends_the_run_incomplete_without_calling_the_backend(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    thread = client.beta.threads.create(messages=[{"role": "user", "content": words("q", 400)}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant(client), max_prompt_tokens=256
    )
    assert run.status == "incomplete"
    assert run.incomplete_details is not None and run.incomplete_details.reason == "max_prompt_tokens"
    assert backend.requests == [], "the backend is not asked for a prompt known to be too long"
    assert client.beta.threads.messages.list(thread_id=thread.id, run_id=run.id).data == []


def test_last_messages_is_not_cut_further_to_fit(client: openai.OpenAI, backend: FakeBackend) -> None:
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": words(f"m{n}", 150)} for n in range(3)]
    )
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant(client),
        max_prompt_tokens=256,
        truncation_strategy={"type": "last_messages", "last_messages": 2},
    )
    assert run.status == "incomplete"
    assert run.incomplete_details is not None and run.incomplete_details.reason == "max_prompt_tokens"
    assert backend.requests == []


def test_the_tool_rounds_count_towards_the_prompt(client: openai.OpenAI, backend: FakeBackend) -> None:
    backend.script(Reply(calls=[Call("get_time")]), Reply(text="never sent"))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What time is it?"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant(client, tools=[TIME]), max_prompt_tokens=256
    )
    assert run.status == "requires_action"
    run = submit(client, run, words("noon", 300))  # the output alone is over the limit
    assert run.status == "incomplete"
    assert run.incomplete_details is not None and run.incomplete_details.reason == "max_prompt_tokens"
    assert len(backend.requests) == 1


# --- finish_reason "length" ---------------------------------------------------------------------------


def test_the_backends_own_length_limit_is_not_called_max_completion_tokens(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(Reply(text="Cut off by the backend", finish_reason="length", usage=(10, 5)))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Write a lot"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
    assert "max_completion_tokens" not in backend.requests[0].body
    assert run.status == "incomplete"
    # The run set no limit, so it claims none (the reason is optional on the wire).
    assert run.incomplete_details is not None and run.incomplete_details.reason is None
    [message] = client.beta.threads.messages.list(thread_id=thread.id, run_id=run.id).data
    assert message.status == "incomplete"
    assert message.incomplete_details is not None and message.incomplete_details.reason == "max_tokens"
    assert reply_text(client, thread.id, run.id) == "Cut off by the backend"


# --- temperature and top_p ----------------------------------------------------------------------------


def test_sampling_is_sent_only_as_the_client_set_it(client: openai.OpenAI, backend: FakeBackend) -> None:
    backend.script(Reply(text="a"), Reply(text="b"), Reply(text="c"))
    asst = assistant(client, temperature=0.3)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])

    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)
    assert (run.temperature, run.top_p) == (0.3, 1.0)
    body = backend.requests[0].body
    assert body["temperature"] == 0.3, "the assistant's own setting"
    assert "top_p" not in body, "not set anywhere: the backend's (the model's) default"

    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst, top_p=1.0)
    body = backend.requests[1].body
    assert (body["temperature"], body["top_p"]) == (0.3, 1.0), "1.0 set on purpose is sent"

    client.beta.assistants.update(asst, temperature=None, top_p=0.9)
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)
    assert run.status == "completed"
    body = backend.requests[2].body
    assert "temperature" not in body and body["top_p"] == 0.9


# --- rounds of tool calls -----------------------------------------------------------------------------


def test_a_model_that_keeps_calling_tools_is_stopped_after_max_tool_rounds(backend: FakeBackend) -> None:
    backend.script(*(Reply(calls=[Call("get_time")]) for _ in range(3)), Reply(text="Working again."))
    with chat_server(backend.base_url, max_tool_rounds=2) as handle, sdk(handle) as client:
        asst = assistant(client, tools=[TIME])
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Time?"}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)
        for _ in range(2):
            assert run.status == "requires_action"
            assert pending_calls(run) == [("get_time", "{}")]
            run = submit(client, run, "noon")

        assert run.status == "failed"
        assert run.last_error is not None and run.last_error.code == "server_error"
        assert run.last_error.message.startswith(
            "The model asked for tools again after 2 rounds of tool calls in this run, so the run was stopped"
        )
        assert "max_tool_rounds" in run.last_error.message
        assert len(backend.requests) == 3
        steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id).data
        assert [step.type for step in steps] == ["tool_calls", "tool_calls"], "the third round never started"

        again = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)
        assert again.status == "completed", "the thread is usable again"


@pytest.mark.parametrize("value", [0, "many", 2.5, True])
def test_max_tool_rounds_must_be_a_whole_number_above_zero(backend: FakeBackend, value: object) -> None:
    with pytest.raises(ChatSettingsError, match="chat option max_tool_rounds must be a whole number above 0"):
        chat_server(backend.base_url, max_tool_rounds=value)
