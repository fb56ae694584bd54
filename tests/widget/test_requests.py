"""Requests from the front end: validated, handled on the loop, each answered by exactly one ack.

The network side is a small stand-in backend here (the same interface the real client fills), so
every success and failure path can be driven; tests/widget/test_live_server.py does the same against
the real server over loopback.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from run_widgets.models import Message, Run, RunStep, event_from_dict
from run_widgets.tools import tool
from run_widgets.widget import RunCard

from .streams import Script, weather_calls
from .wire import Wire


class Refused(Exception):
    """Shaped like the client's APIStatusError."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(f"{status_code} Bad Request: {message}")
        self.message = message
        self.status_code = status_code


class StubBackend:
    """Answers like a server that runs ``script``: submitting outputs streams ``after_outputs``."""

    def __init__(self, script: Script, *, key: str = "sk-test-key-1234") -> None:
        self.script = script
        self.key = key
        self.submitted: list[list[dict[str, str]]] = []
        self.refuse_with: str | None = None
        self.cancelled = False

    def submit_tool_outputs_stream(
        self, thread_id: str, run_id: str, outputs: Sequence[dict[str, str]]
    ) -> Any:
        backend = self

        class Manager:
            async def __aenter__(self) -> AsyncIterator[dict[str, Any]]:
                if backend.refuse_with is not None:
                    raise Refused(backend.refuse_with)
                backend.submitted.append(list(outputs))
                by_id = {o["tool_call_id"]: o["output"] for o in outputs}
                return _aiter(backend.script.after_outputs(by_id, ["Thanks: ", json.dumps(by_id)]))

            async def __aexit__(self, *exc: object) -> None:
                return None

        return Manager()

    async def cancel(self, thread_id: str, run_id: str) -> Run:
        self.cancelled = True
        return event_from_dict(self.script.run("cancelling")).data  # type: ignore[no-any-return,union-attr]

    async def retrieve(self, thread_id: str, run_id: str) -> Run:
        status = "cancelled" if self.cancelled else self.script.status
        return event_from_dict(self.script.run(status)).data  # type: ignore[no-any-return,union-attr]

    async def list_steps(self, thread_id: str, run_id: str) -> list[RunStep]:
        return []

    async def list_messages(self, thread_id: str, run_id: str) -> list[Message]:
        return []

    def secrets(self) -> list[str]:
        return [self.key]


async def _aiter(events: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for event in events:
        await asyncio.sleep(0)
        yield event


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@tool
def get_time(tz: str, precise: bool = False) -> str:
    return "noon"


def waiting_card(wire: Wire, **kwargs: Any) -> tuple[RunCard, StubBackend, Script]:
    script = Script()
    backend = StubBackend(script)
    card = RunCard(client=backend, **kwargs)
    card.follow_stream(_aiter(script.tool_calls_until_action(weather_calls()))).result(timeout=30)
    assert card.run is not None and card.run["status"] == "requires_action"
    return card, backend, script


def ask(card: RunCard, wire: Wire, content: dict[str, Any]) -> dict[str, Any]:
    """Send one request as the front end would, wait for the card to handle it, return its ack."""
    card._handle_custom_msg(content, [])
    concurrent.futures.wait(list(card._inflight), timeout=30)
    acks = wire.acks()
    assert content["req_id"] in acks, f"no ack for {content}"
    return acks[content["req_id"]]


def test_submit_tool_outputs_and_the_card_follows_on(wire: Wire) -> None:
    card, backend, _ = waiting_card(wire)
    try:
        outputs = [
            {"tool_call_id": "call_1", "output": "sunny"},
            {"tool_call_id": "call_2", "output": "noon"},
        ]
        ack = ask(card, wire, {"type": "submit_tool_outputs", "req_id": "r1", "outputs": outputs})
        assert ack == {"type": "ack", "req_id": "r1", "ok": True}
        assert backend.submitted == [outputs]
        card.wait(timeout=30)
        assert card.run is not None and card.run["status"] == "completed"
        assert [c["output"] for c in card.steps[0]["tool_calls"]] == ["sunny", "noon"]
        assert card.steps[-1]["message"]["text"].startswith("Thanks: ")
    finally:
        card.close()


def test_a_refused_submission_acks_the_servers_message_and_changes_nothing(wire: Wire) -> None:
    card, backend, _ = waiting_card(wire)
    try:
        backend.refuse_with = "Expected tool outputs for call_ids ['call_2']; got ['call_1']."
        ack = ask(
            card,
            wire,
            {
                "type": "submit_tool_outputs",
                "req_id": "r1",
                "outputs": [{"tool_call_id": "call_1", "output": "x"}],
            },
        )
        assert ack == {
            "type": "ack",
            "req_id": "r1",
            "ok": False,
            "error": "Expected tool outputs for call_ids ['call_2']; got ['call_1']. (HTTP 400)",
        }
        assert card.run is not None and card.run["status"] == "requires_action"
        # and a second try, once fixed, goes through
        backend.refuse_with = None
        outputs = [{"tool_call_id": "call_1", "output": "a"}, {"tool_call_id": "call_2", "output": "b"}]
        assert (
            ask(card, wire, {"type": "submit_tool_outputs", "req_id": "r2", "outputs": outputs})["ok"] is True
        )
    finally:
        card.close()


def test_submitting_for_a_call_that_is_not_pending(wire: Wire) -> None:
    card, backend, _ = waiting_card(wire)
    try:
        ack = ask(
            card,
            wire,
            {
                "type": "submit_tool_outputs",
                "req_id": "r1",
                "outputs": [{"tool_call_id": "call_9", "output": "x"}],
            },
        )
        assert ack["ok"] is False and ack["error"] == "The run is not waiting for an output for call_9."
        assert backend.submitted == []
    finally:
        card.close()


def test_submitting_without_a_client(wire: Wire) -> None:
    card = RunCard()
    try:
        card.follow_stream(_aiter(Script().tool_calls_until_action(weather_calls()))).result(timeout=30)
        ack = ask(
            card,
            wire,
            {
                "type": "submit_tool_outputs",
                "req_id": "r1",
                "outputs": [{"tool_call_id": "call_1", "output": "x"}],
            },
        )
        assert ack["ok"] is False and "no client" in ack["error"] and "RunCard(client=...)" in ack["error"]
    finally:
        card.close()


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (
            {"type": "submit_tool_outputs", "req_id": "b1", "outputs": []},
            "bad submit_tool_outputs request: outputs: List should have at least 1 item",
        ),
        (
            {"type": "submit_tool_outputs", "req_id": "b2", "outputs": [{"tool_call_id": "c"}]},
            "bad submit_tool_outputs request: outputs.0.output: Field required",
        ),
        ({"type": "detail", "req_id": "b3"}, "bad detail request: step_id: Field required"),
        ({"type": "launch_missiles", "req_id": "b4"}, "unknown request type 'launch_missiles'"),
        (
            {"type": "run_tools", "req_id": "b5", "tool_call_ids": "call_1"},
            "bad run_tools request: tool_call_ids: Input should be a valid list",
        ),
    ],
)
def test_bad_requests_get_a_short_error(wire: Wire, content: dict[str, Any], error: str) -> None:
    card = RunCard()
    try:
        ack = ask(card, wire, content)
        assert ack["ok"] is False and ack["error"].startswith(error)
        assert "Traceback" not in ack["error"] and len(ack["error"]) < 300
    finally:
        card.close()


def test_a_request_without_req_id_gets_no_ack_and_breaks_nothing(wire: Wire) -> None:
    card = RunCard()
    try:
        card._handle_custom_msg({"type": "cancel"}, [])
        card._handle_custom_msg("not even a dict", [])
        concurrent.futures.wait(list(card._inflight), timeout=30)
        assert wire.acks() == {}
        assert ask(card, wire, {"type": "resync", "req_id": "ok"})["ok"] is True
    finally:
        card.close()


def test_detail_and_export(wire: Wire) -> None:
    script = Script()
    long_text = "lorem ipsum " * 1000
    card = RunCard()
    try:
        card.follow_stream(_aiter(script.text_run([long_text[:6000], long_text[6000:]]))).result(timeout=30)
        step = card.steps[0]
        assert step["truncated"] is True
        ack = ask(card, wire, {"type": "detail", "req_id": "d1", "step_id": step["id"]})
        assert ack["ok"] is True and ack["step"]["message"]["text"] == long_text
        assert ack["step"]["truncated"] is False

        missing = ask(card, wire, {"type": "detail", "req_id": "d2", "step_id": "step_nope"})
        assert missing == {
            "type": "ack",
            "req_id": "d2",
            "ok": False,
            "error": "There is no step 'step_nope' in this run.",
        }

        whole = ask(card, wire, {"type": "export", "req_id": "e1"})
        exported = json.loads(whole["json"])
        assert exported["run"]["status"] == "completed"
        assert [s["id"] for s in exported["steps"]] == [step["id"]]
        assert exported["messages"][0]["content"][0]["text"]["value"] == long_text
        assert whole["json"] == card.to_json()

        one = json.loads(ask(card, wire, {"type": "export", "req_id": "e2", "step_id": step["id"]})["json"])
        assert one["step"]["id"] == step["id"] and one["message"]["id"] == step["message"]["id"]
    finally:
        card.close()


def test_resync_sends_a_snapshot_then_the_ack(wire: Wire) -> None:
    card = RunCard()
    try:
        card.follow_stream(_aiter(Script().text_run(["a", "b"]))).result(timeout=30)
        wire.clear()
        ack = ask(card, wire, {"type": "resync", "req_id": "s1"})
        snapshot, ack_again = wire.custom()
        assert ack_again == ack == {"type": "ack", "req_id": "s1", "ok": True}
        assert snapshot["type"] == "snapshot" and snapshot["seq"] >= card.seq
        assert snapshot["run"] == card.run and snapshot["steps"] == card.steps
        assert snapshot["following"] is False and snapshot["notice"] is None
    finally:
        card.close()


def test_cancel(wire: Wire) -> None:
    card, backend, _ = waiting_card(wire)
    try:
        assert ask(card, wire, {"type": "cancel", "req_id": "c1"}) == {
            "type": "ack",
            "req_id": "c1",
            "ok": True,
        }
        card.wait(timeout=30)
        assert backend.cancelled and card.run is not None and card.run["status"] == "cancelled"
        again = ask(card, wire, {"type": "cancel", "req_id": "c2"})
        assert again["ok"] is False and again["error"] == "The run is cancelled; there is nothing to cancel."
    finally:
        card.close()


def test_run_tools_returns_outputs_without_submitting(wire: Wire) -> None:
    calls: list[str] = []

    @tool
    def get_weather(city: str) -> str:
        calls.append(city)
        return f"sunny in {city}"

    card, backend, _ = waiting_card(wire, tools=[get_weather])
    try:
        assert card.python_tools == ["get_weather"]
        ack = ask(
            card, wire, {"type": "run_tools", "req_id": "t1", "tool_call_ids": ["call_1"], "submit": False}
        )
        assert ack == {"type": "ack", "req_id": "t1", "ok": True, "outputs": {"call_1": "sunny in Paris"}}
        assert calls == ["Paris"]
        assert backend.submitted == []
    finally:
        card.close()


def test_run_tools_and_submit_with_the_drafts(wire: Wire) -> None:
    card, backend, _ = waiting_card(wire, tools=[get_weather])
    try:
        ack = ask(
            card,
            wire,
            {
                "type": "run_tools",
                "req_id": "t1",
                "tool_call_ids": ["call_1"],
                "submit": True,
                "drafts": {"call_2": "noon"},
            },
        )
        assert ack == {"type": "ack", "req_id": "t1", "ok": True, "outputs": {"call_1": "sunny in Paris"}}
        assert backend.submitted == [
            [
                {"tool_call_id": "call_1", "output": "sunny in Paris"},
                {"tool_call_id": "call_2", "output": "noon"},
            ]
        ]
        card.wait(timeout=30)
        assert card.run is not None and card.run["status"] == "completed"
    finally:
        card.close()


def test_run_tools_failures(wire: Wire) -> None:
    card, backend, _ = waiting_card(wire, tools=[get_weather])
    try:
        no_draft = ask(
            card, wire, {"type": "run_tools", "req_id": "t1", "tool_call_ids": ["call_1"], "submit": True}
        )
        assert no_draft["ok"] is False
        assert no_draft["error"] == "Fill in the output of get_time (call_2) first."
        assert no_draft["outputs"] == {"call_1": "sunny in Paris"}  # what ran is not lost

        not_python = ask(card, wire, {"type": "run_tools", "req_id": "t2", "tool_call_ids": ["call_2"]})
        assert (
            not_python["ok"] is False
            and not_python["error"] == "There is no Python tool named 'get_time' on this card."
        )

        backend.refuse_with = "Run is expired."
        refused = ask(
            card,
            wire,
            {
                "type": "run_tools",
                "req_id": "t3",
                "tool_call_ids": ["call_1"],
                "submit": True,
                "drafts": {"call_2": "x"},
            },
        )
        assert refused["ok"] is False and refused["error"] == "Run is expired. (HTTP 400)"
        assert refused["outputs"] == {"call_1": "sunny in Paris"}
        assert backend.submitted == []
    finally:
        card.close()


def test_run_tools_without_tools(wire: Wire) -> None:
    card, _, _ = waiting_card(wire)
    try:
        ack = ask(card, wire, {"type": "run_tools", "req_id": "t1", "tool_call_ids": ["call_1"]})
        assert ack["ok"] is False and "RunCard(tools=...)" in ack["error"]
    finally:
        card.close()


def test_auto_tools_submit_at_once(wire: Wire) -> None:
    script = Script()
    backend = StubBackend(script)
    card = RunCard(client=backend, tools=[get_weather, get_time], auto_tools=True)
    try:
        card.follow_stream(_aiter(script.tool_calls_until_action(weather_calls())))
        run = card.wait(timeout=30)
        assert run is not None and run.status == "completed"
        assert backend.submitted == [
            [
                {"tool_call_id": "call_1", "output": "sunny in Paris"},
                {"tool_call_id": "call_2", "output": "noon"},
            ]
        ]
        assert [c["output"] for c in card.steps[0]["tool_calls"]] == ["sunny in Paris", "noon"]
        assert card.auto_tools is True and card.notice is None
    finally:
        card.close()


def test_auto_tools_wait_for_the_user_when_a_tool_is_missing(wire: Wire) -> None:
    card, backend, _ = waiting_card(wire, tools={"get_weather": get_weather}, auto_tools=True)
    try:
        assert backend.submitted == []
        assert card.notice == {
            "kind": "info",
            "text": "No Python tool for get_time: fill in the outputs below.",
        }
    finally:
        card.close()


def test_errors_never_carry_the_key(wire: Wire) -> None:
    card, backend, _ = waiting_card(wire)
    try:
        backend.refuse_with = f"Invalid header: Bearer {backend.key}"
        ack = ask(
            card,
            wire,
            {
                "type": "submit_tool_outputs",
                "req_id": "k1",
                "outputs": [{"tool_call_id": "call_1", "output": "x"}],
            },
        )
        assert ack["ok"] is False and backend.key not in ack["error"] and "[redacted]" in ack["error"]
        assert backend.key not in wire.everything()
    finally:
        card.close()


def test_submit_from_python(wire: Wire) -> None:
    card, _backend, _ = waiting_card(wire)
    try:
        with pytest.raises(RuntimeError, match="not waiting for an output for call_7"):
            card.submit_tool_outputs({"call_7": "x"})
        card.submit_tool_outputs({"call_1": "a", "call_2": "b"})
        run = card.wait(timeout=30)
        assert run is not None and run.status == "completed"
    finally:
        card.close()
