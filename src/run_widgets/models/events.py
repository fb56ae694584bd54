"""Stream events: one class per wire event name, joined in the ``StreamEvent`` union keyed by ``event``.

Every event has ``.event`` (the wire name) and ``.data`` (the parsed object). Names this version
does not know arrive as ``UnknownEvent`` rather than failing, as the spec asks of clients.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Tag, TypeAdapter, field_validator

from ._base import WireModel, construct_unchecked, event_builder
from .common import ErrorObject
from .deltas import MessageDeltaEvent, RunStepDeltaEvent
from .message import Message
from .run import Run
from .step import RunStep
from .thread import Thread


class ThreadCreated(WireModel):
    event: Literal["thread.created"] = "thread.created"
    data: Thread


class ThreadRunCreated(WireModel):
    event: Literal["thread.run.created"] = "thread.run.created"
    data: Run


class ThreadRunQueued(WireModel):
    event: Literal["thread.run.queued"] = "thread.run.queued"
    data: Run


class ThreadRunInProgress(WireModel):
    event: Literal["thread.run.in_progress"] = "thread.run.in_progress"
    data: Run


class ThreadRunRequiresAction(WireModel):
    event: Literal["thread.run.requires_action"] = "thread.run.requires_action"
    data: Run


class ThreadRunCompleted(WireModel):
    event: Literal["thread.run.completed"] = "thread.run.completed"
    data: Run


class ThreadRunIncomplete(WireModel):
    event: Literal["thread.run.incomplete"] = "thread.run.incomplete"
    data: Run


class ThreadRunFailed(WireModel):
    event: Literal["thread.run.failed"] = "thread.run.failed"
    data: Run


class ThreadRunCancelling(WireModel):
    event: Literal["thread.run.cancelling"] = "thread.run.cancelling"
    data: Run


class ThreadRunCancelled(WireModel):
    event: Literal["thread.run.cancelled"] = "thread.run.cancelled"
    data: Run


class ThreadRunExpired(WireModel):
    event: Literal["thread.run.expired"] = "thread.run.expired"
    data: Run


class ThreadRunStepCreated(WireModel):
    event: Literal["thread.run.step.created"] = "thread.run.step.created"
    data: RunStep


class ThreadRunStepInProgress(WireModel):
    event: Literal["thread.run.step.in_progress"] = "thread.run.step.in_progress"
    data: RunStep


class ThreadRunStepDelta(WireModel):
    event: Literal["thread.run.step.delta"] = "thread.run.step.delta"
    data: RunStepDeltaEvent


class ThreadRunStepCompleted(WireModel):
    event: Literal["thread.run.step.completed"] = "thread.run.step.completed"
    data: RunStep


class ThreadRunStepFailed(WireModel):
    event: Literal["thread.run.step.failed"] = "thread.run.step.failed"
    data: RunStep


class ThreadRunStepCancelled(WireModel):
    event: Literal["thread.run.step.cancelled"] = "thread.run.step.cancelled"
    data: RunStep


class ThreadRunStepExpired(WireModel):
    event: Literal["thread.run.step.expired"] = "thread.run.step.expired"
    data: RunStep


class ThreadMessageCreated(WireModel):
    event: Literal["thread.message.created"] = "thread.message.created"
    data: Message


class ThreadMessageInProgress(WireModel):
    event: Literal["thread.message.in_progress"] = "thread.message.in_progress"
    data: Message


class ThreadMessageDelta(WireModel):
    event: Literal["thread.message.delta"] = "thread.message.delta"
    data: MessageDeltaEvent


class ThreadMessageCompleted(WireModel):
    event: Literal["thread.message.completed"] = "thread.message.completed"
    data: Message


class ThreadMessageIncomplete(WireModel):
    event: Literal["thread.message.incomplete"] = "thread.message.incomplete"
    data: Message


def error_data(data: Any) -> Any:
    """The error object of an ``error`` event, whichever form it came in.

    The spec sends the bare error; servers that follow the SDK wrap it in ``{"error": ...}``; a
    proxy may send plain text. All three become one ``ErrorObject``-shaped value.
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return {"message": data, "type": "server_error"}
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return data["error"]
    if isinstance(data, dict) and "message" not in data:
        text = data.get("error") if isinstance(data.get("error"), str) else json.dumps(data)
        return {"type": "server_error", **data, "message": text}
    if not isinstance(data, dict | ErrorObject):
        return {"message": "" if data is None else str(data), "type": "server_error"}
    return data


class ErrorEvent(WireModel):
    """``event: error``: the bare error (spec) or ``{"error": ...}`` (what the SDK raises on), both read."""

    event: Literal["error"] = "error"
    data: ErrorObject

    @field_validator("data", mode="before")
    @classmethod
    def _unwrap(cls, value: Any) -> Any:
        return error_data(value)


class DoneEvent(WireModel):
    """``event: done`` / ``data: [DONE]``: the stream is over."""

    event: Literal["done"] = "done"
    data: Literal["[DONE]"] = "[DONE]"

    @field_validator("data", mode="before")
    @classmethod
    def _always_done(cls, value: Any) -> str:
        return "[DONE]"  # whatever a server put there, `done` ends the stream


class UnknownEvent(WireModel):
    """An event name this version does not know, kept as raw JSON."""

    event: str
    data: Any = None


RUN_EVENT_TYPES: dict[str, type[WireModel]] = {
    cls.model_fields["event"].default: cls
    for cls in (
        ThreadRunCreated,
        ThreadRunQueued,
        ThreadRunInProgress,
        ThreadRunRequiresAction,
        ThreadRunCompleted,
        ThreadRunIncomplete,
        ThreadRunFailed,
        ThreadRunCancelling,
        ThreadRunCancelled,
        ThreadRunExpired,
    )
}
STEP_EVENT_TYPES: dict[str, type[WireModel]] = {
    cls.model_fields["event"].default: cls
    for cls in (
        ThreadRunStepCreated,
        ThreadRunStepInProgress,
        ThreadRunStepDelta,
        ThreadRunStepCompleted,
        ThreadRunStepFailed,
        ThreadRunStepCancelled,
        ThreadRunStepExpired,
    )
}
MESSAGE_EVENT_TYPES: dict[str, type[WireModel]] = {
    cls.model_fields["event"].default: cls
    for cls in (
        ThreadMessageCreated,
        ThreadMessageInProgress,
        ThreadMessageDelta,
        ThreadMessageCompleted,
        ThreadMessageIncomplete,
    )
}
EVENT_TYPES: dict[str, type[WireModel]] = {
    "thread.created": ThreadCreated,
    **RUN_EVENT_TYPES,
    **STEP_EVENT_TYPES,
    **MESSAGE_EVENT_TYPES,
    "error": ErrorEvent,
    "done": DoneEvent,
}
"""Every known wire event name and its class."""

# The model of each event's ``data``, for parsing without building the wrapper through validation.
_DATA_TYPES: dict[str, type[WireModel]] = {
    name: cls.model_fields["data"].annotation  # type: ignore[misc]
    for name, cls in EVENT_TYPES.items()
    if name not in ("done",)
}

# For each event whose data is one model, from JSON text or from parsed data: a builder of the typed
# event, so the stream's hot path is one lookup and one pydantic-core call per frame.
_FROM_JSON: dict[str, Callable[[Any], Any]] = {
    name: event_builder(EVENT_TYPES[name], name, data_type.__pydantic_validator__.validate_json)
    for name, data_type in _DATA_TYPES.items()
    if name != "error"
}
_FROM_DATA: dict[str, Callable[[Any], Any]] = {
    name: event_builder(EVENT_TYPES[name], name, data_type.__pydantic_validator__.validate_python)
    for name, data_type in _DATA_TYPES.items()
    if name != "error"
}


def _event_tag(value: Any) -> str:
    name = value.get("event") if isinstance(value, dict) else getattr(value, "event", None)
    return name if name in EVENT_TYPES else "unknown"


StreamEvent = Annotated[
    Annotated[ThreadCreated, Tag("thread.created")]
    | Annotated[ThreadRunCreated, Tag("thread.run.created")]
    | Annotated[ThreadRunQueued, Tag("thread.run.queued")]
    | Annotated[ThreadRunInProgress, Tag("thread.run.in_progress")]
    | Annotated[ThreadRunRequiresAction, Tag("thread.run.requires_action")]
    | Annotated[ThreadRunCompleted, Tag("thread.run.completed")]
    | Annotated[ThreadRunIncomplete, Tag("thread.run.incomplete")]
    | Annotated[ThreadRunFailed, Tag("thread.run.failed")]
    | Annotated[ThreadRunCancelling, Tag("thread.run.cancelling")]
    | Annotated[ThreadRunCancelled, Tag("thread.run.cancelled")]
    | Annotated[ThreadRunExpired, Tag("thread.run.expired")]
    | Annotated[ThreadRunStepCreated, Tag("thread.run.step.created")]
    | Annotated[ThreadRunStepInProgress, Tag("thread.run.step.in_progress")]
    | Annotated[ThreadRunStepDelta, Tag("thread.run.step.delta")]
    | Annotated[ThreadRunStepCompleted, Tag("thread.run.step.completed")]
    | Annotated[ThreadRunStepFailed, Tag("thread.run.step.failed")]
    | Annotated[ThreadRunStepCancelled, Tag("thread.run.step.cancelled")]
    | Annotated[ThreadRunStepExpired, Tag("thread.run.step.expired")]
    | Annotated[ThreadMessageCreated, Tag("thread.message.created")]
    | Annotated[ThreadMessageInProgress, Tag("thread.message.in_progress")]
    | Annotated[ThreadMessageDelta, Tag("thread.message.delta")]
    | Annotated[ThreadMessageCompleted, Tag("thread.message.completed")]
    | Annotated[ThreadMessageIncomplete, Tag("thread.message.incomplete")]
    | Annotated[ErrorEvent, Tag("error")]
    | Annotated[DoneEvent, Tag("done")]
    | Annotated[UnknownEvent, Tag("unknown")],
    Discriminator(_event_tag),
]
"""Any stream event, discriminated by its wire name (``event``)."""

STREAM_EVENT_ADAPTER: TypeAdapter[StreamEvent] = TypeAdapter(StreamEvent)


def parse_event(event: str, data: str | dict[str, Any] | Any) -> StreamEvent:
    """Build the typed event for one SSE frame (``event:`` name, ``data:`` JSON text or parsed value).

    The data is validated against its own model and the wrapper is built directly, which is the
    fast path the client's stream takes for every frame.
    """
    build = (_FROM_JSON if type(data) is str else _FROM_DATA).get(event)
    if build is not None and data != "[DONE]":
        return build(data)  # type: ignore[no-any-return]
    if event == "done" or data == "[DONE]":
        return DoneEvent.model_construct(event="done", data="[DONE]")
    data_type = _DATA_TYPES.get(event)
    if data_type is None:
        if isinstance(data, str):
            with contextlib.suppress(ValueError):
                data = json.loads(data)
        return UnknownEvent(event=event, data=data)
    if event == "error":
        return ErrorEvent.model_construct(event="error", data=ErrorObject.model_validate(error_data(data)))
    value = data_type.model_validate_json(data) if isinstance(data, str) else data_type.model_validate(data)
    return construct_unchecked(EVENT_TYPES[event], {"event": event, "data": value})  # type: ignore[return-value]


def event_from_dict(value: dict[str, Any] | Any) -> StreamEvent:
    """An event given as ``{"event": name, "data": {...}}`` (or already typed) as a typed event."""
    if isinstance(value, dict):
        return parse_event(str(value.get("event")), value.get("data"))
    name = getattr(value, "event", None)
    if (isinstance(value, WireModel) and name in EVENT_TYPES) or isinstance(value, UnknownEvent):
        return value  # type: ignore[return-value]
    # Anything else with .event/.data (the official SDK's events, say): go through plain data.
    data: Any = getattr(value, "data", None)
    if hasattr(data, "model_dump"):
        data = data.model_dump(mode="json", exclude_unset=True)
    return parse_event(str(name), data)
