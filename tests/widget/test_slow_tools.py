"""Slow Python tools: while they run, nothing else may submit for the card (not the form, not Python,
not a second "Run"), and their outcome is acknowledged once, whenever they finish."""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from run_widgets.tools import tool
from run_widgets.widget import RunCard, handlers

from .streams import Script, weather_calls
from .test_requests import StubBackend, _aiter, get_time
from .wire import Wire

release = threading.Event()
started = threading.Event()


@tool
def get_weather(city: str) -> str:
    """The weather in a city, after a long wait (until the test releases it)."""
    started.set()
    assert release.wait(timeout=60), "the test never released the tool"
    return f"sunny in {city}"


@pytest.fixture(autouse=True)
def gate() -> Iterator[None]:
    release.clear()
    started.clear()
    yield
    release.set()  # never leave a worker thread waiting


def send(card: RunCard, content: dict[str, Any]) -> concurrent.futures.Future[None]:
    """Hand one request to the card the way its comm handler does; returns the future of its handling."""
    return handlers.receive(card, content)


def ack_of(card: RunCard, wire: Wire, content: dict[str, Any]) -> dict[str, Any]:
    send(card, content).result(timeout=30)
    return wire.acks()[content["req_id"]]


def waiting_card(*, auto_tools: bool = False) -> tuple[RunCard, StubBackend]:
    script = Script()
    backend = StubBackend(script)
    card = RunCard(client=backend, tools=[get_weather, get_time], auto_tools=auto_tools)
    following = card.follow_stream(_aiter(script.tool_calls_until_action(weather_calls())))
    if not auto_tools:  # with auto_tools, following goes on through the tools and the submission
        following.result(timeout=30)
    return card, backend


def test_nothing_else_submits_while_python_tools_run(wire: Wire) -> None:
    card, backend = waiting_card()
    try:
        running = send(
            card,
            {
                "type": "run_tools",
                "req_id": "slow",
                "tool_call_ids": ["call_1"],
                "submit": True,
                "drafts": {"call_2": "noon"},
            },
        )
        assert started.wait(timeout=30)
        # No ack yet: the front end keeps its form locked and says the tools are running.
        assert "slow" not in wire.acks()
        busy = "Python tools are still running (get_weather); wait for them to finish."
        submit = ack_of(
            card,
            wire,
            {
                "type": "submit_tool_outputs",
                "req_id": "s1",
                "outputs": [
                    {"tool_call_id": "call_1", "output": "x"},
                    {"tool_call_id": "call_2", "output": "y"},
                ],
            },
        )
        assert submit == {"type": "ack", "req_id": "s1", "ok": False, "error": busy}
        again = ack_of(
            card, wire, {"type": "run_tools", "req_id": "t2", "tool_call_ids": ["call_1"], "submit": False}
        )
        assert again == {"type": "ack", "req_id": "t2", "ok": False, "error": busy}
        with pytest.raises(RuntimeError, match="Python tools are still running"):
            card.submit_tool_outputs({"call_1": "x", "call_2": "y"})
        assert backend.submitted == []

        # The tool finishes: one submission (its output with the draft), one late ack carrying it.
        release.set()
        running.result(timeout=30)
        assert wire.acks()["slow"] == {
            "type": "ack",
            "req_id": "slow",
            "ok": True,
            "outputs": {"call_1": "sunny in Paris"},
        }
        assert backend.submitted == [
            [
                {"tool_call_id": "call_1", "output": "sunny in Paris"},
                {"tool_call_id": "call_2", "output": "noon"},
            ]
        ]
        run = card.wait(timeout=30)
        assert run is not None and run.status == "completed"
    finally:
        card.close()


def test_a_tool_run_without_submit_frees_the_card_when_done(wire: Wire) -> None:
    card, backend = waiting_card()
    try:
        running = send(
            card, {"type": "run_tools", "req_id": "run", "tool_call_ids": ["call_1"], "submit": False}
        )
        assert started.wait(timeout=30)
        release.set()
        running.result(timeout=30)
        assert wire.acks()["run"]["outputs"] == {"call_1": "sunny in Paris"}
        # Done: the user's submission goes through.
        outputs = [
            {"tool_call_id": "call_1", "output": "sunny in Paris"},
            {"tool_call_id": "call_2", "output": "noon"},
        ]
        assert (
            ack_of(card, wire, {"type": "submit_tool_outputs", "req_id": "s", "outputs": outputs})["ok"]
            is True
        )
        assert backend.submitted == [outputs]
    finally:
        card.close()


def test_auto_tools_hold_off_the_form_until_they_submitted(wire: Wire) -> None:
    card, backend = waiting_card(auto_tools=True)
    try:
        assert started.wait(timeout=30)
        outputs = [{"tool_call_id": "call_1", "output": "mine"}, {"tool_call_id": "call_2", "output": "mine"}]
        refused = ack_of(card, wire, {"type": "submit_tool_outputs", "req_id": "s", "outputs": outputs})
        assert refused["ok"] is False and "Python tools are still running" in refused["error"]
        release.set()
        run = card.wait(timeout=30)
        assert run is not None and run.status == "completed"
        assert backend.submitted == [
            [
                {"tool_call_id": "call_1", "output": "sunny in Paris"},
                {"tool_call_id": "call_2", "output": "noon"},
            ]
        ]
    finally:
        card.close()
