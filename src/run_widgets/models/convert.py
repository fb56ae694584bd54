"""Lossless conversion between the official ``openai`` SDK's objects and ours.

The SDK is optional: ``from_openai`` works on any of its pydantic objects without importing it, and
``to_openai`` imports it only when called.
"""

from __future__ import annotations

import functools
from typing import Any

from . import _base, deltas, events, message, run, step, thread

_OURS_BY_OBJECT: dict[str, type[_base.WireModel]] = {
    "thread.run": run.Run,
    "thread.run.step": step.RunStep,
    "thread.message": message.Message,
    "thread": thread.Thread,
    "assistant": thread.Assistant,
    "thread.message.delta": deltas.MessageDeltaEvent,
    "thread.run.step.delta": deltas.RunStepDeltaEvent,
    "thread.deleted": thread.ThreadDeleted,
    "assistant.deleted": thread.AssistantDeleted,
    "thread.message.deleted": message.MessageDeleted,
}

_SDK_BY_OBJECT: dict[str, tuple[str, str]] = {
    "thread.run": ("openai.types.beta.threads", "Run"),
    "thread.run.step": ("openai.types.beta.threads.runs", "RunStep"),
    "thread.message": ("openai.types.beta.threads", "Message"),
    "thread": ("openai.types.beta", "Thread"),
    "assistant": ("openai.types.beta", "Assistant"),
    "thread.message.delta": ("openai.types.beta.threads", "MessageDeltaEvent"),
    "thread.run.step.delta": ("openai.types.beta.threads.runs", "RunStepDeltaEvent"),
    "thread.deleted": ("openai.types.beta", "ThreadDeleted"),
    "assistant.deleted": ("openai.types.beta", "AssistantDeleted"),
    "thread.message.deleted": ("openai.types.beta.threads", "MessageDeleted"),
}


@functools.cache
def _sdk_event_adapter() -> Any:
    from openai.types.beta import AssistantStreamEvent
    from pydantic import TypeAdapter

    return TypeAdapter(AssistantStreamEvent)


def _dump(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json", exclude_unset=True, by_alias=True, warnings=False)
    return obj


def from_openai(obj: Any) -> Any:
    """An SDK object (Run, RunStep, Message, Thread, Assistant, deltas, stream events) as ours."""
    if isinstance(obj, _base.WireModel):
        return obj
    name = getattr(obj, "event", None)
    if isinstance(name, str) and hasattr(obj, "data"):
        if hasattr(obj, "model_dump"):  # the whole event, so fields beside `data` (``enabled``) survive
            return events.STREAM_EVENT_ADAPTER.validate_python(_dump(obj))
        return events.parse_event(name, obj.data)  # e.g. a raw ServerSentEvent: JSON text
    kind = getattr(obj, "object", None)
    ours = _OURS_BY_OBJECT.get(kind) if isinstance(kind, str) else None
    if ours is None:
        raise TypeError(f"no run_widgets type for {type(obj).__name__} (object={kind!r})")
    return ours.model_validate(_dump(obj))


def to_openai(obj: _base.WireModel) -> Any:
    """Our object as the official SDK's type (requires ``openai``)."""
    import importlib

    name = getattr(obj, "event", None)
    if isinstance(name, str) and hasattr(obj, "data"):
        if isinstance(obj, events.DoneEvent | events.UnknownEvent):
            raise TypeError(f"the openai SDK has no event type for {name!r} ({type(obj).__name__})")
        return _sdk_event_adapter().validate_python(obj.to_dict())
    kind = getattr(obj, "object", None)
    target = _SDK_BY_OBJECT.get(kind) if isinstance(kind, str) else None
    if target is None:
        raise TypeError(f"no openai type for {type(obj).__name__}")
    module, cls_name = target
    return getattr(importlib.import_module(module), cls_name).model_validate(obj.to_dict())
