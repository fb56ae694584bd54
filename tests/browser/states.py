"""Card states and patches for the browser tests, made by the real ``RunCard`` from event streams.

A ``Feed`` is a ``RunCard`` driven by a hand-moved clock (no kernel, no event loop): events go in with
``apply``; ``state()`` checkpoints and returns the synced traits; ``patches`` holds the custom messages
the card sent, which is what the front end receives while a run streams.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.widget.wire import ManualClock

from run_widgets.widget import RunCard

from .streams import Event, RunScript

TRAITS = ("protocol", "seq", "run", "steps", "following", "notice", "python_tools", "auto_tools", "caps")


# Python tools a card can run itself (what `tools=` takes); the form offers them "Run".
def get_weather(city: str, unit: str = "celsius") -> dict[str, Any]:
    """The weather in a city."""
    return {"city": city, "temp": 18 if unit == "celsius" else 64, "sky": "sunny"}


def get_time(timezone: str) -> str:
    """The time in a timezone."""
    return f"14:05 ({timezone})"


PYTHON_TOOLS = {"get_weather": get_weather, "get_time": get_time}


class Feed:
    """A real ``RunCard`` fed by hand, recording the messages it sends to the front end."""

    def __init__(self, *, python_tools: list[str] | None = None, auto_tools: bool = False) -> None:
        self.clock = ManualClock()
        tools = [PYTHON_TOOLS[name] for name in python_tools or []]
        self.card = RunCard(_scheduler=self.clock, tools=tools or None, auto_tools=auto_tools)
        self.sent: list[dict[str, Any]] = []
        # Everything the front end would receive, in order: ("custom", message) or ("traits", changes).
        self.log: list[tuple[str, dict[str, Any]]] = []
        self.card.send = self._record  # type: ignore[method-assign]  # what the comm would carry
        self.card.observe(self._on_trait, names=list(TRAITS))

    def _record(self, content: dict[str, Any], buffers: Any = None) -> None:
        message = json.loads(json.dumps(content))
        self.sent.append(message)
        self.log.append(("custom", message))

    def _on_trait(self, change: Any) -> None:
        value = json.loads(json.dumps(change["new"]))
        if self.log and self.log[-1][0] == "traits":
            self.log[-1][1][change["name"]] = value  # one update message (hold_sync)
        else:
            self.log.append(("traits", {change["name"]: value}))

    def take_log(self) -> list[tuple[str, dict[str, Any]]]:
        log, self.log = self.log, []
        return log

    def apply(self, event: Event) -> None:
        self.card.apply(event)
        self.clock.advance(0.05)  # one flush interval: a patch (or a checkpoint) goes out

    @property
    def patches(self) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("type") == "patch"]

    def state(self) -> dict[str, Any]:
        """The synced traits, exact (a checkpoint first)."""
        self.card.flush()
        return copy.deepcopy({key: getattr(self.card, key) for key in TRAITS})

    def snapshot_message(self) -> dict[str, Any]:
        """What the card answers to ``resync``."""
        state = self.state()
        return {
            "type": "snapshot",
            "seq": state["seq"],
            "run": state["run"],
            "steps": state["steps"],
            "following": state["following"],
            "notice": state["notice"],
        }

    def full_step(self, step_id: str) -> dict[str, Any]:
        """What a ``detail`` request gets: the step, uncapped."""
        step = self.card._views.detail(step_id)
        assert step is not None, step_id
        return json.loads(json.dumps(step))

    def export(self, step_id: str | None = None) -> str:
        return self.card.to_json(step_id)

    def close(self) -> None:
        self.card.close()


def _events(source: RunScript | list[Event]) -> list[Event]:
    return source.events if isinstance(source, RunScript) else source


def feed(source: RunScript | list[Event], **options: Any) -> Feed:
    """A card that has seen the whole stream."""
    fed = Feed(**options)
    for event in _events(source):
        fed.apply(event)
    return fed


def state_of(source: RunScript | list[Event], **options: Any) -> dict[str, Any]:
    """The synced traits after the whole stream."""
    fed = feed(source, **options)
    try:
        return fed.state()
    finally:
        fed.close()


def streamed(
    source: RunScript | list[Event], split: int, **options: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], Feed]:
    """The traits after the first ``split`` events, then the patches the card sent for the rest.

    The card is checkpointed at the split (as a page that opens mid-run sees it), so the patches
    continue from the traits' ``seq``.
    """
    events = _events(source)
    fed = Feed(**options)
    for event in events[:split]:
        fed.apply(event)
    state = fed.state()
    fed.sent.clear()
    fed.log.clear()
    for event in events[split:]:
        fed.apply(event)
    return state, fed.patches, fed
