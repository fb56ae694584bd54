"""The front end's model-level store, as docs/card-protocol.md describes it, replayed in Python.

Fed with everything a recording comm saw, it tells what a front end following the protocol would
show, so tests can check that patches and checkpoints add up to the exact final state. Live texts
(a patch's ``appends``) are kept per step and part, as the front end keeps them.
"""

from __future__ import annotations

import re
from typing import Any

from .wire import Sent, Wire

_PART = re.compile(r"^/(?:message/(text)|tool_calls/(\d+)/(arguments|input|logs))$")


def part_text(step: dict[str, Any], part: str) -> str | None:
    """The text at ``part`` (a JSON Pointer as ``appends`` name them) in a step view."""
    match = _PART.match(part)
    assert match is not None, part
    if match.group(1):
        message = step.get("message")
        return message["text"] if message else None
    calls = step.get("tool_calls") or []
    index = int(match.group(2))
    if index >= len(calls):
        return None
    value = calls[index].get(match.group(3))
    return value if isinstance(value, str) else None


class Store:
    def __init__(self) -> None:
        self.seq = -1  # no traits yet
        self.run: dict[str, Any] | None = None
        self.steps: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.gaps = 0
        self.traits: dict[str, Any] = {}
        self.live: dict[tuple[str, str], str] = {}
        """(step id, part) -> the live text, longer than the capped view's."""
        self.live_gaps: list[tuple[str, str]] = []
        """Appends that started past the live text (a front end fetches the step with ``detail``)."""

    def take_traits(self, state: dict[str, Any]) -> None:
        self.traits.update(state)
        seq = self.traits.get("seq", 0)
        if ("seq" in state or "run" in state or "steps" in state) and seq >= self.seq:
            self.seq = seq
            self.run = self.traits.get("run")
            steps = self.traits.get("steps") or []
            self.steps = {s["id"]: s for s in steps}
            self.order = [s["id"] for s in steps]
            for step in steps:
                self._keep_live(step)

    def take_patch(self, patch: dict[str, Any]) -> None:
        if patch["seq"] != self.seq + 1:
            self.gaps += 1  # a real front end would send resync here
            return
        self.seq = patch["seq"]
        if "run" in patch:
            self.run = patch["run"]
        for step in patch.get("steps", []):
            self.steps[step["id"]] = step
            self._keep_live(step)
            if step["id"] not in self.order:
                self.order.append(step["id"])
        if "order" in patch:
            self.order = list(patch["order"])
        for append in patch.get("appends", []):
            self.take_append(append)

    def _keep_live(self, step: dict[str, Any]) -> None:
        """A new view of a step: its live texts stay while it is capped and they extend it."""
        for key in [k for k in self.live if k[0] == step["id"]]:
            shown = part_text(step, key[1])
            if not step.get("truncated") or shown is None or not self.live[key].startswith(shown):
                del self.live[key]

    def take_append(self, append: dict[str, Any]) -> None:
        key = (append["step_id"], append["part"])
        step = self.steps.get(key[0])
        current = self.live.get(key)
        if current is None and step is not None:
            current = part_text(step, key[1])
        if current is None or append["at"] > len(current):
            self.live_gaps.append(key)
            return
        self.live[key] = current[: append["at"]] + append["text"]

    def text(self, step_id: str, part: str = "/message/text") -> str | None:
        """What the front end shows at ``part``: the live text, else the view's."""
        live = self.live.get((step_id, part))
        return live if live is not None else part_text(self.steps[step_id], part)

    def take(self, sent: Sent) -> None:
        """One message the kernel sent (acks and snapshots are left to the tests that need them)."""
        if sent.msg_type == "comm_open":
            self.take_traits(sent.data.get("state", {}))
        elif sent.method == "update":
            self.take_traits(sent.data["state"])
        elif sent.method == "custom" and sent.data["content"].get("type") == "patch":
            self.take_patch(sent.data["content"])

    def replay(self, wire: Wire) -> Store:
        for sent in wire.sent:
            self.take(sent)
        return self

    @property
    def step_list(self) -> list[dict[str, Any]]:
        return [self.steps[i] for i in self.order]
