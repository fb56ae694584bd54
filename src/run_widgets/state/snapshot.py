"""The pure reducer: stream events (or polled objects) in, a run snapshot out.

``RunSnapshot.apply(event)`` costs time proportional to the event's size, never to what came before:
growing strings are buffered (see ``_accumulate``) and objects are rebuilt only when read. It also
records which objects changed, so a view can send just those (``take_changes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ..models import (
    Message,
    MessageDeltaEvent,
    Run,
    RunStep,
    RunStepDeltaEvent,
    StreamEvent,
    Thread,
    event_from_dict,
)
from ._accumulate import TextBuffer, merge, plain, sent_fields

_RUN_PREFIX = "thread.run."
_STEP_PREFIX = "thread.run.step."
_MESSAGE_PREFIX = "thread.message."


@dataclass
class Changes:
    """What changed since the last ``take_changes()``: ids of steps and messages, and run/thread flags."""

    run: bool = False
    thread: bool = False
    steps: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.run or self.thread or bool(self.steps) or bool(self.messages)


class _Entry:
    """One step or message: a clean model, or an accumulator dict that deltas have touched."""

    __slots__ = ("acc", "model")

    def __init__(self, model: BaseModel) -> None:
        self.model: BaseModel | None = model
        self.acc: dict[str, Any] | None = None

    def set(self, model: BaseModel) -> None:
        self.model, self.acc = model, None

    def accumulator(self) -> dict[str, Any]:
        if self.acc is None:
            assert self.model is not None
            self.acc = _to_acc(self.model)
            self.model = None
        return self.acc

    def read(self, model_type: type[BaseModel]) -> Any:
        if self.model is None:
            assert self.acc is not None
            self.model = model_type.model_validate(plain(self.acc))
            self.acc = None
        return self.model


def _to_acc(model: BaseModel) -> dict[str, Any]:
    from ._accumulate import fresh

    return fresh(model)  # type: ignore[no-any-return]


class RunSnapshot:
    """Everything known about one run: the run, its thread, its steps and the messages it wrote.

    Feed it with ``apply(event)`` (typed events, or ``{"event": ..., "data": ...}`` dicts) and/or
    ``apply_object(obj)`` (objects from GET). Read ``run``, ``steps``, ``messages``.
    """

    def __init__(self) -> None:
        self.run: Run | None = None
        self.thread: Thread | None = None
        self._steps: dict[str, _Entry] = {}
        self._messages: dict[str, _Entry] = {}
        self.current_message_id: str | None = None
        self.events_applied = 0
        self._changes = Changes()
        self._changed_steps: dict[str, None] = {}
        self._changed_messages: dict[str, None] = {}

    # --- reading ---------------------------------------------------------------------------------

    @property
    def steps(self) -> list[RunStep]:
        """The run's steps, in the order they were created."""
        return [entry.read(RunStep) for entry in self._steps.values()]

    @property
    def messages(self) -> list[Message]:
        """The messages seen in this run's stream, in the order they were created."""
        return [entry.read(Message) for entry in self._messages.values()]

    def step(self, step_id: str) -> RunStep | None:
        entry = self._steps.get(step_id)
        return entry.read(RunStep) if entry else None

    def message(self, message_id: str) -> Message | None:
        entry = self._messages.get(message_id)
        return entry.read(Message) if entry else None

    @property
    def step_ids(self) -> list[str]:
        return list(self._steps)

    @property
    def message_ids(self) -> list[str]:
        return list(self._messages)

    def take_changes(self) -> Changes:
        """What changed since the previous call (and forget it)."""
        changes = self._changes
        changes.steps = list(self._changed_steps)
        changes.messages = list(self._changed_messages)
        self._changes = Changes()
        self._changed_steps.clear()
        self._changed_messages.clear()
        return changes

    # --- writing ---------------------------------------------------------------------------------

    def apply(self, event: StreamEvent | dict[str, Any] | Any) -> StreamEvent:
        """Fold one stream event into the snapshot; returns it typed."""
        typed = event_from_dict(event)
        name: str = typed.event
        data: Any = typed.data
        self.events_applied += 1
        if name == "thread.message.delta":
            self._apply_message_delta(data)
        elif name == "thread.run.step.delta":
            self._apply_step_delta(data)
        elif name.startswith(_STEP_PREFIX):
            self._put(self._steps, self._changed_steps, data)
        elif name.startswith(_MESSAGE_PREFIX):
            self._put(self._messages, self._changed_messages, data)
            if name == "thread.message.created":
                self.current_message_id = data.id
        elif name.startswith(_RUN_PREFIX):
            self.run = data
            self._changes.run = True
        elif name == "thread.created":
            self.thread = data
            self._changes.thread = True
        return typed

    def apply_object(self, obj: Run | RunStep | Message | Thread) -> None:
        """Take a polled object as the truth for its id."""
        if isinstance(obj, Run):
            self.run = obj
            self._changes.run = True
        elif isinstance(obj, RunStep):
            self._put(self._steps, self._changed_steps, obj)
        elif isinstance(obj, Message):
            self._put(self._messages, self._changed_messages, obj)
        elif isinstance(obj, Thread):
            self.thread = obj
            self._changes.thread = True
        else:
            raise TypeError(f"cannot apply a {type(obj).__name__} to a run snapshot")

    @staticmethod
    def _put(entries: dict[str, _Entry], changed: dict[str, None], obj: Any) -> None:
        entry = entries.get(obj.id)
        if entry is None:
            entries[obj.id] = _Entry(obj)
        else:
            entry.set(obj)
        changed[obj.id] = None

    def _apply_message_delta(self, data: MessageDeltaEvent) -> None:
        entry = self._messages.get(data.id)
        if entry is None:
            raise RuntimeError(f"a message delta for {data.id} arrived before thread.message.created")
        self._changed_messages[data.id] = None
        acc = entry.accumulator()
        delta = data.delta
        content = delta.content
        # Fast path: one text piece appended to an existing text part (nearly every delta).
        if content is not None and len(content) == 1 and set(delta.__pydantic_fields_set__) == {"content"}:
            part = content[0]
            parts = acc.get("content")
            text = getattr(part, "text", None)
            if (
                part.type == "text"
                and text is not None
                and text.__pydantic_fields_set__ == {"value"}
                and not text.__pydantic_extra__
                and isinstance(parts, list)
                and part.index < len(parts)
            ):
                target = parts[part.index].get("text")
                value = target.get("value") if isinstance(target, dict) else None
                if isinstance(value, TextBuffer):
                    value.append(text.value or "")
                    return
                if isinstance(value, str) and text.value is not None:
                    buffer = TextBuffer(value)
                    buffer.append(text.value)
                    target["value"] = buffer
                    return
        merge(acc, dict(sent_fields(delta)))

    def _apply_step_delta(self, data: RunStepDeltaEvent) -> None:
        entry = self._steps.get(data.id)
        if entry is None:
            raise RuntimeError(f"a step delta for {data.id} arrived before thread.run.step.created")
        self._changed_steps[data.id] = None
        merge(entry.accumulator(), data.delta)

    # --- convenience -----------------------------------------------------------------------------

    def text_of(self, message_id: str) -> str:
        """A message's text so far (cheap: no model is rebuilt)."""
        entry = self._messages.get(message_id)
        if entry is None:
            return ""
        if entry.acc is None:
            message: Message = entry.read(Message)
            return message.text
        pieces: list[str] = []
        for part in entry.acc.get("content") or []:
            if isinstance(part, dict) and part.get("type") == "text":
                value = (part.get("text") or {}).get("value")
                pieces.append(str(value) if value is not None else "")
        return "".join(pieces)
