"""The pure reducer: stream events (or polled objects) in, a run snapshot out.

``RunSnapshot.apply(event)`` costs time proportional to the event's size, never to what came before:
growing strings are buffered (see ``_accumulate``) and objects are rebuilt only when read. It also
records which objects changed, so a view can send just those (``take_changes``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ..models import (
    EVENT_TYPES,
    DoneEvent,
    ErrorEvent,
    Message,
    MessageDeltaEvent,
    Run,
    RunStep,
    RunStepDeltaEvent,
    StreamEvent,
    TextDeltaBlock,
    Thread,
    UnknownEvent,
    event_from_dict,
)
from ._accumulate import TextBuffer, fresh, merge, plain


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
    """One step or message: the last full object, plus an accumulator once deltas have touched it.

    ``model`` caches the object as read; a delta drops the cache but keeps the accumulator, so
    reading between deltas never forces the accumulator to be rebuilt. ``buffers`` maps a content
    part's index to the buffer holding its text, for the one-append fast path.
    """

    __slots__ = ("acc", "buffers", "model")

    def __init__(self, model: BaseModel) -> None:
        self.model: BaseModel | None = model
        self.acc: dict[str, Any] | None = None
        self.buffers: dict[int, TextBuffer] | None = None

    def set(self, model: BaseModel) -> None:
        self.model, self.acc, self.buffers = model, None, None

    def accumulator(self) -> dict[str, Any]:
        """The mutable accumulator, for a delta about to be merged (the cached model is dropped)."""
        acc = self.acc
        if acc is None:
            assert self.model is not None
            acc = self.acc = fresh(self.model)
        self.model = None
        return acc

    def text_buffer(self, index: int) -> TextBuffer | None:
        """The buffer of content part ``index``'s text value, made on first use; None if no such text."""
        buffers = self.buffers
        if buffers is not None:
            found = buffers.get(index)
            if found is not None:
                return found
        parts = self.accumulator().get("content")
        if not isinstance(parts, list) or not 0 <= index < len(parts):
            return None
        part = parts[index]
        text = part.get("text") if isinstance(part, dict) else None
        value = text.get("value") if isinstance(text, dict) else None
        if isinstance(value, str):
            value = text["value"] = TextBuffer(value)  # type: ignore[index]
        if not isinstance(value, TextBuffer):
            return None
        if buffers is None:
            buffers = self.buffers = {}
        buffers[index] = value
        return value

    def read(self, model_type: type[BaseModel]) -> Any:
        model = self.model
        if model is None:
            assert self.acc is not None
            model = self.model = model_type.model_validate(plain(self.acc))
        return model


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
        typed: Any = event
        fold = _FOLDS.get(type(event))  # one lookup for a typed event, the stream's case
        if fold is None and type(event) not in _PASSIVE_EVENTS:
            typed = event_from_dict(event)
            fold = _FOLDS.get(type(typed))
        self.events_applied += 1
        if fold is not None:
            fold(self, typed.data)
        return typed  # type: ignore[no-any-return]

    def apply_object(self, obj: Run | RunStep | Message | Thread) -> None:
        """Take a polled object as the truth for its id."""
        if isinstance(obj, Run):
            self._put_run(obj)
        elif isinstance(obj, RunStep):
            self._put_step(obj)
        elif isinstance(obj, Message):
            self._put_message(obj)
        elif isinstance(obj, Thread):
            self._put_thread(obj)
        else:
            raise TypeError(f"cannot apply a {type(obj).__name__} to a run snapshot")

    def _put_run(self, run: Run) -> None:
        self.run = run
        self._changes.run = True

    def _put_thread(self, thread: Thread) -> None:
        self.thread = thread
        self._changes.thread = True

    def _put_step(self, step: RunStep) -> None:
        _put(self._steps, self._changed_steps, step)

    def _put_message(self, message: Message) -> None:
        _put(self._messages, self._changed_messages, message)

    def _message_created(self, message: Message) -> None:
        _put(self._messages, self._changed_messages, message)
        self.current_message_id = message.id

    def _apply_message_delta(self, data: MessageDeltaEvent) -> None:
        message_id = data.id
        entry = self._messages.get(message_id)
        if entry is None:
            raise RuntimeError(f"a message delta for {message_id} arrived before thread.message.created")
        self._changed_messages[message_id] = None
        delta = data.delta
        content = delta.content
        # Fast path: one text piece appended to a text part we already hold (nearly every delta).
        # (A field that is None would be skipped by merge() too, so "is None" is the test for "absent".)
        if content is not None and len(content) == 1 and delta.role is None and not delta.__pydantic_extra__:
            part = content[0]
            if type(part) is TextDeltaBlock and not part.__pydantic_extra__:
                text = part.text
                if (
                    text is not None
                    and text.annotations is None
                    and text.value is not None
                    and not text.__pydantic_extra__
                ):
                    buffer = entry.text_buffer(part.index)
                    if buffer is not None:
                        buffer.append(text.value)
                        entry.model = None
                        return
        merge(entry.accumulator(), delta)
        entry.buffers = None  # a merge may have replaced the parts the buffers pointed into

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


def _put(entries: dict[str, _Entry], changed: dict[str, None], obj: Any) -> None:
    entry = entries.get(obj.id)
    if entry is None:
        entries[obj.id] = _Entry(obj)
    else:
        entry.set(obj)
    changed[obj.id] = None


def _folds() -> dict[type, Callable[[RunSnapshot, Any], None]]:
    """The same, by event class: a typed event finds its method in one lookup."""
    return {EVENT_TYPES[name]: fold for name, fold in _HANDLERS.items() if name in EVENT_TYPES}


def _handlers() -> dict[str, Callable[[RunSnapshot, Any], None]]:
    """Which method folds each event name in (names not listed change nothing: error, done, unknown)."""
    table: dict[str, Callable[[RunSnapshot, Any], None]] = {"thread.created": RunSnapshot._put_thread}
    for name in EVENT_TYPES:
        if name == "thread.message.delta":
            table[name] = RunSnapshot._apply_message_delta
        elif name == "thread.run.step.delta":
            table[name] = RunSnapshot._apply_step_delta
        elif name == "thread.message.created":
            table[name] = RunSnapshot._message_created
        elif name.startswith("thread.message."):
            table[name] = RunSnapshot._put_message
        elif name.startswith("thread.run.step."):
            table[name] = RunSnapshot._put_step
        elif name.startswith("thread.run."):
            table[name] = RunSnapshot._put_run
    return table


_HANDLERS = _handlers()
_FOLDS = _folds()
_PASSIVE_EVENTS: frozenset[type[Any]] = frozenset((ErrorEvent, DoneEvent, UnknownEvent))
