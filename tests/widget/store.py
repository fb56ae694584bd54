"""The front end's model-level store, as docs/card-protocol.md describes it, replayed in Python.

Fed with everything a recording comm saw, it tells what a front end following the protocol would
show, so tests can check that patches and checkpoints add up to the exact final state.
"""

from __future__ import annotations

from typing import Any

from .wire import Wire


class Store:
    def __init__(self) -> None:
        self.seq = -1  # no traits yet
        self.run: dict[str, Any] | None = None
        self.steps: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.gaps = 0
        self.traits: dict[str, Any] = {}

    def take_traits(self, state: dict[str, Any]) -> None:
        self.traits.update(state)
        seq = self.traits.get("seq", 0)
        if ("seq" in state or "run" in state or "steps" in state) and seq >= self.seq:
            self.seq = seq
            self.run = self.traits.get("run")
            steps = self.traits.get("steps") or []
            self.steps = {s["id"]: s for s in steps}
            self.order = [s["id"] for s in steps]

    def take_patch(self, patch: dict[str, Any]) -> None:
        if patch["seq"] != self.seq + 1:
            self.gaps += 1  # a real front end would send resync here
            return
        self.seq = patch["seq"]
        if "run" in patch:
            self.run = patch["run"]
        for step in patch.get("steps", []):
            self.steps[step["id"]] = step
            if step["id"] not in self.order:
                self.order.append(step["id"])
        if "order" in patch:
            self.order = list(patch["order"])

    def replay(self, wire: Wire) -> Store:
        for sent in wire.sent:
            if sent.msg_type == "comm_open":
                self.take_traits(sent.data.get("state", {}))
            elif sent.method == "update":
                self.take_traits(sent.data["state"])
            elif sent.method == "custom" and sent.data["content"].get("type") == "patch":
                self.take_patch(sent.data["content"])
        return self

    @property
    def step_list(self) -> list[dict[str, Any]]:
        return [self.steps[i] for i in self.order]
