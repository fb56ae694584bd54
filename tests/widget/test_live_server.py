"""The card against the real server over loopback, with our real client (and the official SDK).

Front-end requests are sent the way ipywidgets delivers them (``_handle_custom_msg``), and every
message the kernel publishes is recorded, so these tests see what a front end would.
"""

from __future__ import annotations

import concurrent.futures
import json
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from run_widgets.client import AsyncClient, Client
from run_widgets.server import ServerHandle, start
from run_widgets.tools import tool
from run_widgets.widget import RunCard

from .store import Store
from .wire import Wire

warnings.filterwarnings("ignore", message="The Assistants API is deprecated", category=DeprecationWarning)

KEY = "rwk-widget-7f3a9c1e-distinctive-secret-0042"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start(words_per_second=0, api_key=KEY) as handle:
        yield handle


@pytest.fixture(scope="module")
def sync(server: ServerHandle) -> Iterator[Client]:
    client = Client(server.base_url, api_key=KEY)
    yield client
    client.close()


@pytest.fixture(scope="module")
def assistant_id(sync: Client) -> str:
    tools = [
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}},
        {"type": "code_interpreter"},
        {"type": "file_search"},
    ]
    return sync.assistants.create(model="scripted", instructions="Be brief.", tools=tools).id


def aclient(server: ServerHandle) -> AsyncClient:
    """A client for the card (it is used on the card's loop only)."""
    return AsyncClient(server.base_url, api_key=KEY)


def new_thread(sync: Client, text: str) -> str:
    return sync.threads.create(messages=[{"role": "user", "content": text}]).id


def streamed_card(server: ServerHandle, sync: Client, assistant_id: str, text: str, **kwargs: Any) -> RunCard:
    client = aclient(server)
    thread_id = new_thread(sync, text)
    card = RunCard(client=client, **kwargs)
    card.follow_stream(client.threads.runs.stream(thread_id=thread_id, assistant_id=assistant_id))
    card.wait(timeout=60)
    return card


def ask(card: RunCard, wire: Wire, content: dict[str, Any]) -> dict[str, Any]:
    card._handle_custom_msg(content, [])
    concurrent.futures.wait(list(card._inflight), timeout=60)
    return wire.acks()[content["req_id"]]


def test_a_streamed_text_run(server: ServerHandle, sync: Client, assistant_id: str, wire: Wire) -> None:
    card = streamed_card(server, sync, assistant_id, "Hello there, card!")
    try:
        run = card.current_run
        assert run is not None and card.run is not None and card.run["status"] == "completed"
        (step,) = card.steps
        messages = sync.threads.messages.list(run.thread_id, run_id=run.id)
        (message,) = list(messages)
        assert step["message"]["text"] == message.text and "Hello there, card!" in message.text
        assert " ".join(message.text.split()).startswith(step["title"].removesuffix("…"))
        assert card.run["usage"] is not None and card.following is False
        store = Store().replay(wire)
        assert store.gaps == 0 and store.run == card.run and store.step_list == card.steps
    finally:
        card.close()


def test_tool_outputs_from_the_form(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    card = streamed_card(server, sync, assistant_id, 'call get_weather {"city": "Paris"}')
    try:
        assert card.run is not None and card.run["status"] == "requires_action"
        (pending,) = card.run["required_action"]
        assert pending["name"] == "get_weather" and json.loads(pending["arguments"]) == {"city": "Paris"}
        assert card.steps[0]["title"] == 'get_weather(city="Paris")'

        outputs = [{"tool_call_id": pending["id"], "output": "22 degrees and sunny"}]
        ack = ask(card, wire, {"type": "submit_tool_outputs", "req_id": "f1", "outputs": outputs})
        assert ack == {"type": "ack", "req_id": "f1", "ok": True}
        card.wait(timeout=60)
        assert card.run["status"] == "completed"
        tools_step, answer = card.steps
        assert tools_step["tool_calls"][0]["output"] == "22 degrees and sunny"
        assert "22 degrees and sunny" in answer["message"]["text"]
        assert Store().replay(wire).step_list == card.steps
    finally:
        card.close()


def test_a_refused_submission_shows_the_servers_message(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    card = streamed_card(
        server, sync, assistant_id, 'call get_weather {"city": "Oslo"}\ncall get_time {"tz": "CET"}'
    )
    try:
        first, second = card.run["required_action"]  # type: ignore[index]
        ack = ask(
            card,
            wire,
            {
                "type": "submit_tool_outputs",
                "req_id": "f1",
                "outputs": [{"tool_call_id": first["id"], "output": "cold"}],
            },
        )
        assert ack["ok"] is False and "(HTTP 400)" in ack["error"] and second["id"] in ack["error"]
        assert "Traceback" not in ack["error"] and len(ack["error"]) <= 300
        assert card.run is not None and card.run["status"] == "requires_action"
        # the user fixes it; the same card follows on
        both = [
            {"tool_call_id": first["id"], "output": "cold"},
            {"tool_call_id": second["id"], "output": "9:00"},
        ]
        assert ask(card, wire, {"type": "submit_tool_outputs", "req_id": "f2", "outputs": both})["ok"] is True
        card.wait(timeout=60)
        assert card.run["status"] == "completed"
    finally:
        card.close()


def test_python_tools_run_and_submit(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    @tool
    def get_weather(city: str) -> str:
        return f"{city}: 18 degrees"

    card = streamed_card(
        server, sync, assistant_id, 'call get_weather {"city": "Lyon"}\ncall get_time {}', tools=[get_weather]
    )
    try:
        weather, clock = card.run["required_action"]  # type: ignore[index]
        ack = ask(
            card,
            wire,
            {
                "type": "run_tools",
                "req_id": "t1",
                "tool_call_ids": [weather["id"]],
                "submit": True,
                "drafts": {clock["id"]: "noon"},
            },
        )
        assert ack == {
            "type": "ack",
            "req_id": "t1",
            "ok": True,
            "outputs": {weather["id"]: "Lyon: 18 degrees"},
        }
        card.wait(timeout=60)
        assert card.run is not None and card.run["status"] == "completed"
        assert [c["output"] for c in card.steps[0]["tool_calls"]] == ["Lyon: 18 degrees", "noon"]
    finally:
        card.close()


def test_auto_tools(server: ServerHandle, sync: Client, assistant_id: str, wire: Wire) -> None:
    @tool
    def get_weather(city: str) -> str:
        return f"{city}: windy"

    card = streamed_card(
        server, sync, assistant_id, 'call get_weather {"city": "Brest"}', tools=[get_weather], auto_tools=True
    )
    try:
        assert card.run is not None and card.run["status"] == "completed"
        assert card.steps[0]["tool_calls"][0]["output"] == "Brest: windy"
        assert "Brest: windy" in card.steps[1]["message"]["text"]
    finally:
        card.close()


def test_cancel_from_the_card(server: ServerHandle, sync: Client, assistant_id: str, wire: Wire) -> None:
    client = aclient(server)
    thread_id = new_thread(sync, "/wait")
    card = RunCard(client=client)
    try:
        card.follow_stream(client.threads.runs.stream(thread_id=thread_id, assistant_id=assistant_id))
        deadline = time.monotonic() + 60  # the run must be going before it can be cancelled
        while (
            card.current_run is None or card.current_run.status != "in_progress"
        ) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ask(card, wire, {"type": "cancel", "req_id": "c1"}) == {
            "type": "ack",
            "req_id": "c1",
            "ok": True,
        }
        card.wait(timeout=60)
        assert card.run is not None and card.run["status"] == "cancelled"
    finally:
        card.close()


@pytest.mark.parametrize(
    ("text", "status", "step_type"),
    [
        ("/fail rate_limit_exceeded Slow down", "failed", "message_creation"),
        ("/incomplete", "incomplete", "message_creation"),
        ("/code print(6 * 7)", "completed", "code_interpreter"),
        ("/search alpha", "completed", "file_search"),
        ("/expire 0.3\n/wait", "expired", None),
    ],
)
def test_every_outcome_and_step_type(
    server: ServerHandle,
    sync: Client,
    assistant_id: str,
    wire: Wire,
    text: str,
    status: str,
    step_type: str | None,
) -> None:
    card = streamed_card(server, sync, assistant_id, text)
    try:
        assert card.run is not None and card.run["status"] == status
        kinds = {
            s["type"] if s["type"] == "message_creation" else s["tool_calls"][0]["type"] for s in card.steps
        }
        if step_type is not None:
            assert step_type in kinds
        if status == "failed":
            assert (
                card.run["last_error"] is not None and card.run["last_error"]["code"] == "rate_limit_exceeded"
            )
        if status == "incomplete":
            assert card.run["incomplete_details"] is not None
        if step_type == "code_interpreter":
            call = next(s for s in card.steps if s["type"] == "tool_calls")["tool_calls"][0]
            assert "print(6 * 7)" in call["input"]
        run = card.current_run
        assert run is not None
        # the card's truth equals what GET returns
        steps = list(sync.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc"))
        assert [s["id"] for s in card.steps] == [s.id for s in steps]
        assert [s["status"] for s in card.steps] == [s.status for s in steps]
    finally:
        card.close()


def test_follow_a_run_by_polling(server: ServerHandle, sync: Client, assistant_id: str, wire: Wire) -> None:
    thread_id = new_thread(sync, "/pace 40\nPolling is fine too, one word at a time.")
    run = sync.threads.runs.create(thread_id=thread_id, assistant_id=assistant_id)
    card = RunCard()
    try:
        card.follow(aclient(server), thread_id, run.id, poll_interval=0.05).result(timeout=60)
        assert card.run is not None and card.run["status"] == "completed"
        assert "Polling is fine too" in card.steps[0]["message"]["text"]
        assert Store().replay(wire).step_list == card.steps
    finally:
        card.close()


def test_a_stream_cut_short_is_finished_by_polling(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    thread_id = new_thread(sync, "/pace 30\nThis stream will be cut after a few events.")
    with sync.threads.runs.stream(thread_id=thread_id, assistant_id=assistant_id) as stream:
        first = [event for _, event in zip(range(6), stream, strict=False)]
    card = RunCard(client=aclient(server))
    try:
        card.follow_stream(iter(first))
        card.wait(timeout=60)
        assert card.run is not None and card.run["status"] == "completed"
        assert card.notice == {
            "kind": "info",
            "text": "The stream ended before the run did; following by polling.",
        }
        assert "cut after a few events" in card.steps[-1]["message"]["text"]
    finally:
        card.close()


def test_from_run_with_the_sdks_objects(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    import openai

    sdk = openai.OpenAI(base_url=server.base_url, api_key=KEY)
    thread = sdk.beta.threads.create(messages=[{"role": "user", "content": "From the SDK's run object."}])
    run = sdk.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant_id)
    card = RunCard.from_run(run, client=sdk)
    try:
        card.wait(timeout=60)
        assert card.run is not None and card.run["id"] == run.id and card.run["status"] == "completed"
        assert "From the SDK's run object." in card.steps[0]["message"]["text"]
    finally:
        card.close()
        sdk.close()


def test_the_sdks_event_handler_shows_a_live_card(
    server: ServerHandle, assistant_id: str, wire: Wire
) -> None:
    """Code that streams with the official SDK gets the card by passing ``event_handler=``."""
    import openai

    from run_widgets import CardEventHandler

    sdk = openai.OpenAI(base_url=server.base_url, api_key=KEY)
    thread = sdk.beta.threads.create(
        messages=[{"role": "user", "content": 'call get_weather {"city": "Rome"}'}]
    )
    handler = CardEventHandler(display=False)
    with sdk.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant_id, event_handler=handler
    ) as stream:
        stream.until_done()
    card = handler.card
    try:
        assert stream.get_final_run().status == "requires_action"  # still the SDK's handler
        card.wait(timeout=60)
        assert card.run is not None and card.run["status"] == "requires_action"
        assert card.steps[0]["title"] == 'get_weather(city="Rome")'
        # the card learnt the SDK client's address and key (privately): its form works
        (pending,) = card.run["required_action"]
        ack = ask(
            card,
            wire,
            {
                "type": "submit_tool_outputs",
                "req_id": "s1",
                "outputs": [{"tool_call_id": pending["id"], "output": "hot"}],
            },
        )
        assert ack["ok"] is True
        card.wait(timeout=60)
        assert card.run["status"] == "completed" and "hot" in card.steps[-1]["message"]["text"]
    finally:
        card.close()
        sdk.close()


def test_the_sdks_handler_continues_a_card_for_submitted_outputs(
    server: ServerHandle, assistant_id: str, wire: Wire
) -> None:
    import openai

    from run_widgets import CardEventHandler

    sdk = openai.OpenAI(base_url=server.base_url, api_key=KEY)
    thread = sdk.beta.threads.create(messages=[{"role": "user", "content": 'call get_time {"tz": "UTC"}'}])
    handler = CardEventHandler(display=False)
    with sdk.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant_id, event_handler=handler
    ) as stream:
        stream.until_done()
    run = stream.get_final_run()
    card = handler.card
    try:
        call = run.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
        with sdk.beta.threads.runs.submit_tool_outputs_stream(
            thread_id=thread.id,
            run_id=run.id,
            tool_outputs=[{"tool_call_id": call.id, "output": "12:00 UTC"}],
            event_handler=CardEventHandler(card),
        ) as stream:
            stream.until_done()
        card.wait(timeout=60)
        assert card.run is not None and card.run["status"] == "completed"
        assert [s["type"] for s in card.steps] == ["tool_calls", "message_creation"]
        assert "12:00 UTC" in card.steps[-1]["message"]["text"]
    finally:
        card.close()
        sdk.close()


def _walk(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _walk(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)
    else:
        yield str(value)


def test_the_key_is_nowhere(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire, tmp_path: Any
) -> None:
    """Not in any trait (walked recursively), the fallback, to_html, the repr, or any message sent."""
    card = streamed_card(server, sync, assistant_id, 'call get_weather {"city": "Key West"}')
    try:
        pending = card.run["required_action"][0]  # type: ignore[index]
        ask(
            card,
            wire,
            {
                "type": "submit_tool_outputs",
                "req_id": "bad",
                "outputs": [{"tool_call_id": "call_nope", "output": "x"}],
            },
        )
        ask(card, wire, {"type": "export", "req_id": "e"})
        ask(card, wire, {"type": "detail", "req_id": "d", "step_id": card.steps[0]["id"]})
        ask(card, wire, {"type": "resync", "req_id": "r"})
        ask(
            card,
            wire,
            {
                "type": "submit_tool_outputs",
                "req_id": "ok",
                "outputs": [{"tool_call_id": pending["id"], "output": "warm"}],
            },
        )
        card.wait(timeout=60)
        places = {
            "state": " ".join(_walk(card.get_state())),
            "fallback": card.static_html(),
            "mimebundle": json.dumps(card._repr_mimebundle_()[0]),
            "to_html": card.to_html(tmp_path / "card.html"),
            "repr": repr(card),
            "wire": wire.everything(),
            "export": card.to_json(),
        }
        for place, text in places.items():
            assert KEY not in text, f"the key leaked into {place}"
            assert KEY[:16] not in text, f"part of the key leaked into {place}"
        assert card.run is not None and card.run["status"] == "completed"
    finally:
        card.close()


def test_a_rejected_key_is_not_repeated_back(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    wrong = "rwk-wrong-key-5b2e-do-not-show"
    card = streamed_card(server, sync, assistant_id, 'call get_weather {"city": "Nice"}')
    try:
        card._backend = RunCard(client=AsyncClient(server.base_url, api_key=wrong))._backend
        pending = card.run["required_action"][0]  # type: ignore[index]
        ack = ask(
            card,
            wire,
            {
                "type": "submit_tool_outputs",
                "req_id": "w",
                "outputs": [{"tool_call_id": pending["id"], "output": "x"}],
            },
        )
        assert ack["ok"] is False and "(HTTP 401)" in ack["error"]
        assert wrong not in wire.everything() and KEY not in wire.everything()
    finally:
        card.close()


def test_follow_blocking_streams_ours_and_the_sdks(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    """Sync streams (our Client's, the SDK's stream manager) are drained off the calling thread."""
    import openai

    sdk = openai.OpenAI(base_url=server.base_url, api_key=KEY)
    ours = sync.threads.runs.stream(
        thread_id=new_thread(sync, "From a sync stream."), assistant_id=assistant_id
    )
    theirs = sdk.beta.threads.runs.stream(
        thread_id=new_thread(sync, "From the SDK's manager."), assistant_id=assistant_id
    )
    cards = [RunCard(), RunCard()]
    try:
        for card, stream in zip(cards, (ours, theirs), strict=True):
            run = card.follow_stream(stream).result(timeout=60)
            assert run is not None and run.status == "completed"
        assert "From a sync stream." in cards[0].steps[0]["message"]["text"]
        assert "From the SDK's manager." in cards[1].steps[0]["message"]["text"]
    finally:
        for card in cards:
            card.close()
        sdk.close()


def test_a_paused_card_shows_the_run_expiring(wire: Wire) -> None:
    """Nobody answers the tool call: at ``expires_at`` the idle card looks again and shows ``expired``."""
    with start(words_per_second=0, api_key=KEY, requires_action_timeout=1) as short:
        client = Client(short.base_url, api_key=KEY)
        weather = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
        assistant = client.assistants.create(model="scripted", tools=[weather])
        card = streamed_card(short, client, assistant.id, 'call get_weather {"city": "Nowhere"}')
        try:
            assert card.run is not None and card.run["status"] == "requires_action"
            assert card.following is False
            deadline = time.monotonic() + 30
            while card.run["status"] == "requires_action" and time.monotonic() < deadline:
                time.sleep(0.05)
            assert card.run["status"] == "expired"
            assert card.following is False
        finally:
            card.close()
            client.close()
