"""The same SSE bytes through our client and through the official SDK's ``runs.stream`` with an AssistantEventHandler.

Both must see the same event names and data, the same text as it grows, and end with the same run,
steps and messages. One documented difference: the SDK's ``get_final_run_steps()`` keeps each
step as created plus its deltas (it does not fold in ``thread.run.step.completed``, and it leaves
the deltas' ``index`` keys in), so on the SDK side the steps are read as its handler saw them
finish (``on_run_step_done``), which is what GET returns and what our snapshot holds.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable
from typing import Any

import httpx2
import openai
import pytest
from openai import AssistantEventHandler, AsyncAssistantEventHandler

from run_widgets import AsyncClient, Client
from run_widgets.models.convert import from_openai
from state.transcripts import Transcript, text_run, tool_call_run, tool_outputs_stream, tools_run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BASE_URL = "http://sdk.invalid/v1"


class Recorder(AssistantEventHandler):
    """Writes down what the SDK's handler sees: the text snapshot at each delta, and each step as it ends."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.steps_done: dict[str, Any] = {}

    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.texts.append(snapshot.value)

    def on_run_step_done(self, run_step: Any) -> None:
        self.steps_done[run_step.id] = run_step


class AsyncRecorder(AsyncAssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    async def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.texts.append(snapshot.value)


def transport(transcript: Transcript) -> httpx2.MockTransport:
    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=transcript.sse())

    return httpx2.MockTransport(answer)


def dump(obj: Any) -> Any:
    return obj.model_dump(mode="json", exclude_unset=True, warnings=False)


def without_indexes(value: Any) -> Any:
    """The SDK's snapshot without the deltas' ``index`` keys in list entries (ours drops them on read)."""
    if isinstance(value, dict):
        return {key: without_indexes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [
            without_indexes(
                {k: v for k, v in item.items() if k != "index"} if isinstance(item, dict) else item
            )
            for item in value
        ]
    return value


# How each transcript is started, on our client and on the SDK (the same route and arguments).
Start = Callable[[Any], Any]
SCENARIOS: list[tuple[Transcript, Start, Start]] = [
    (
        text_run(),
        lambda ours: ours.threads.runs.stream(thread_id="thread_abc123", assistant_id="asst_abc123"),
        lambda sdk: sdk.beta.threads.runs.stream,
    ),
    (
        tool_call_run(),
        lambda ours: ours.threads.runs.stream(thread_id="thread_abc123", assistant_id="asst_abc123"),
        lambda sdk: sdk.beta.threads.runs.stream,
    ),
    (
        tools_run(),
        lambda ours: ours.threads.create_and_run_stream(assistant_id="asst_abc123"),
        lambda sdk: sdk.beta.threads.create_and_run_stream,
    ),
    (
        tool_outputs_stream(),
        lambda ours: ours.threads.runs.submit_tool_outputs_stream(
            tool_outputs=[{"tool_call_id": "call_weather_paris", "output": "18C and sunny"}],
            run_id="run_tools",
            thread_id="thread_abc123",
        ),
        lambda sdk: sdk.beta.threads.runs.submit_tool_outputs_stream,
    ),
]

SDK_ARGUMENTS: dict[str, dict[str, Any]] = {
    "text": {"thread_id": "thread_abc123", "assistant_id": "asst_abc123"},
    "tool-calls": {"thread_id": "thread_abc123", "assistant_id": "asst_abc123"},
    "builtin-tools": {"assistant_id": "asst_abc123"},
    "tool-outputs": {
        "tool_outputs": [{"tool_call_id": "call_weather_paris", "output": "18C and sunny"}],
        "run_id": "run_tools",
        "thread_id": "thread_abc123",
    },
}


def run_ours(transcript: Transcript, start: Start) -> dict[str, Any]:
    client = Client(BASE_URL, api_key="k", http_client=httpx2.Client(transport=transport(transcript)))
    texts: list[str] = []
    events = []
    with start(client) as stream:
        for event in stream:
            events.append((event.event, event.data.to_dict()))
            if event.event == "thread.message.delta":
                texts.append(stream.snapshot.text_of(event.data.id))
        return {
            "events": events,
            "texts": texts,
            "run": stream.get_final_run().to_dict(),
            "steps": [step.to_dict() for step in stream.get_final_run_steps()],
            "messages": [message.to_dict() for message in stream.get_final_messages()],
        }


def run_sdk(transcript: Transcript, start: Start) -> dict[str, Any]:
    sdk = openai.OpenAI(
        base_url=BASE_URL, api_key="k", http_client=httpx2.Client(transport=transport(transcript))
    )
    handler = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        manager = start(sdk)(event_handler=handler, **SDK_ARGUMENTS[transcript.name])
    with manager as stream:
        events = [(event.event, dump(event.data)) for event in stream]
        snapshots = (
            {step.id: step for step in stream.get_final_run_steps()}
            if any(name == "thread.run.step.created" for name, _ in transcript.events)
            else {}
        )
        # The SDK's view of each step: as it finished (on_run_step_done), else as its deltas left it.
        order = list(dict.fromkeys([*handler.steps_done, *snapshots]))
        by_time = sorted(
            order, key=lambda step_id: (handler.steps_done.get(step_id) or snapshots[step_id]).created_at
        )
        steps = [
            without_indexes(dump(handler.steps_done.get(step_id) or snapshots[step_id]))
            for step_id in by_time
        ]
        messages = (
            [dump(message) for message in stream.get_final_messages()]
            if any(name == "thread.message.created" for name, _ in transcript.events)
            else []
        )
        return {
            "events": events,
            "texts": handler.texts,
            "run": dump(stream.get_final_run()),
            "steps": steps,
            "messages": messages,
        }


@pytest.mark.parametrize(("transcript", "ours", "theirs"), SCENARIOS, ids=[t.name for t, _, _ in SCENARIOS])
def test_our_client_and_the_sdk_see_the_same_stream(
    transcript: Transcript, ours: Start, theirs: Start
) -> None:
    mine, sdk = run_ours(transcript, ours), run_sdk(transcript, theirs)
    assert [name for name, _ in mine["events"]] == [name for name, _ in sdk["events"]]
    assert mine["events"] == sdk["events"]
    assert mine["events"] == [(name, data) for name, data in transcript.events if name != "done"]
    assert mine["texts"] == sdk["texts"]
    assert mine["run"] == sdk["run"] == transcript.run
    assert mine["messages"] == sdk["messages"] == transcript.messages
    assert mine["steps"] == sdk["steps"] == transcript.steps


@pytest.mark.parametrize("transcript", [text_run(), tools_run()], ids=lambda t: t.name)
def test_our_events_convert_to_the_sdks_and_back(transcript: Transcript) -> None:
    """``from_openai`` on the SDK's events gives ours, field for field."""
    client = Client(BASE_URL, http_client=httpx2.Client(transport=transport(transcript)))
    sdk = openai.OpenAI(
        base_url=BASE_URL, api_key="k", http_client=httpx2.Client(transport=transport(transcript))
    )
    if transcript.name == "text":
        ours = list(client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a"))
        manager = sdk.beta.threads.runs.stream(thread_id="thread_abc123", assistant_id="a")
    else:
        ours = list(client.threads.create_and_run_stream(assistant_id="a"))
        manager = sdk.beta.threads.create_and_run_stream(assistant_id="a")
    with manager as stream:
        converted = [from_openai(event) for event in stream]
    assert [event.to_dict() for event in converted] == [event.to_dict() for event in ours]


def test_async_ours_and_the_async_sdk_agree() -> None:
    transcript = text_run(pieces=("A", "sync", " too", "."))

    async def main() -> tuple[list[str], list[str], Any, Any]:
        async with (
            AsyncClient(BASE_URL, http_client=httpx2.AsyncClient(transport=transport(transcript))) as client,
            client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a") as stream,
        ):
            texts = [
                stream.snapshot.text_of(event.data.id)
                async for event in stream
                if event.event == "thread.message.delta"
            ]
            ours = (await stream.get_final_messages())[0].to_dict()
        sdk = openai.AsyncOpenAI(
            base_url=BASE_URL, api_key="k", http_client=httpx2.AsyncClient(transport=transport(transcript))
        )
        handler = AsyncRecorder()
        async with sdk.beta.threads.runs.stream(
            thread_id="thread_abc123", assistant_id="a", event_handler=handler
        ) as sdk_stream:
            await sdk_stream.until_done()
            theirs = dump((await sdk_stream.get_final_messages())[0])
        return texts, handler.texts, ours, theirs

    texts, sdk_texts, ours, theirs = asyncio.run(main())
    assert texts == sdk_texts == ["A", "Async", "Async too", "Async too."]
    assert ours == theirs == transcript.messages[0]
