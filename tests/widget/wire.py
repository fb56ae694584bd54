"""Test doubles at the project's edges: a comm that records what the kernel sends, a manual clock."""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from comm import DummyComm


def _size(data: Any) -> int:
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str).encode())


@dataclass
class Sent:
    msg_type: str  # comm_open, comm_msg, comm_close
    data: dict[str, Any]
    size: int

    @property
    def method(self) -> str | None:
        return self.data.get("method") if isinstance(self.data, dict) else None


@dataclass
class Wire:
    """Every message every recording comm published, in order."""

    sent: list[Sent] = field(default_factory=list)

    def create_comm(self, *args: Any, **kwargs: Any) -> RecordingComm:
        return RecordingComm(self, *args, **kwargs)

    def record(self, msg_type: str, data: Any) -> None:
        self.sent.append(Sent(msg_type, data or {}, _size(data)))

    # --- views of the record ---

    @property
    def messages(self) -> list[Sent]:
        """comm_msg messages (trait updates and custom messages), after the widget opened."""
        return [s for s in self.sent if s.msg_type == "comm_msg"]

    def custom(self, kind: str | None = None) -> list[dict[str, Any]]:
        out = [s.data["content"] for s in self.messages if s.method == "custom"]
        return [c for c in out if kind is None or c.get("type") == kind]

    def updates(self) -> list[dict[str, Any]]:
        return [s.data["state"] for s in self.messages if s.method == "update"]

    def acks(self) -> dict[str, dict[str, Any]]:
        acks: dict[str, dict[str, Any]] = {}
        for ack in self.custom("ack"):
            assert ack["req_id"] not in acks, f"two acks for {ack['req_id']}"
            acks[ack["req_id"]] = ack
        return acks

    @property
    def bytes(self) -> int:
        return sum(s.size for s in self.messages)

    def clear(self) -> None:
        self.sent.clear()

    def everything(self) -> str:
        """All that went over the wire, as one JSON text (for secret scans)."""
        return json.dumps([s.data for s in self.sent], default=str)


class RecordingComm(DummyComm):  # type: ignore[misc]
    def __init__(self, wire: Wire, *args: Any, **kwargs: Any) -> None:
        self._wire = wire
        super().__init__(*args, **kwargs)

    def publish_msg(
        self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **keys: Any
    ) -> None:
        self._wire.record(msg_type, data)


class ManualClock:
    """A scheduler whose time moves only when the test says so (``advance``); due callbacks then run."""

    def __init__(self) -> None:
        self.t = 0.0
        self._heap: list[tuple[float, int, Callable[[], object]]] = []
        self._counter = itertools.count()

    def now(self) -> float:
        return self.t

    def call_soon(self, fn: Callable[[], object]) -> None:
        heapq.heappush(self._heap, (self.t, next(self._counter), fn))

    def call_later(self, delay: float, fn: Callable[[], object]) -> None:
        heapq.heappush(self._heap, (self.t + max(0.0, delay), next(self._counter), fn))

    def run_due(self) -> None:
        while self._heap and self._heap[0][0] <= self.t:
            _, _, fn = heapq.heappop(self._heap)
            fn()

    def advance(self, seconds: float = 0.0) -> None:
        """Move time forward, running every callback that falls due on the way, in time order."""
        end = self.t + seconds
        while self._heap and self._heap[0][0] <= end:
            self.t = max(self.t, self._heap[0][0])
            _, _, fn = heapq.heappop(self._heap)
            fn()
        self.t = end

    def settle(self) -> None:
        """Run everything scheduled, however far ahead (time jumps as needed)."""
        while self._heap:
            self.t = max(self.t, self._heap[0][0])
            _, _, fn = heapq.heappop(self._heap)
            fn()
