"""The events that take a snapshot to a polled state: how a broken stream is resumed.

When a stream drops before its run pauses or ends, the client polls the run, its steps and its
messages, and hands them to ``catch_up``. The events it returns are what the consumer would have
seen, in wire order: a step or message the snapshot lacks is ``created`` (as it was when it began)
before its deltas; text the snapshot already holds in part is continued by a delta carrying just
the missing suffix; each object that changed ends with its status event carrying the polled object
itself, and the run's status event comes last. Applying them makes the snapshot equal the polled
state, and a consumer that only follows deltas (``text_deltas``) still reads every character once.

Pure: nothing here does I/O or changes the snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models import (
    EVENT_TYPES,
    CodeInterpreterToolCall,
    FileSearchToolCall,
    FunctionToolCall,
    ImageFileContentBlock,
    ImageURLContentBlock,
    Message,
    MessageCreationStepDetails,
    RefusalContentBlock,
    Run,
    RunStep,
    StreamEvent,
    TextContentBlock,
    ToolCallsStepDetails,
    parse_event,
)
from .snapshot import RunSnapshot

__all__ = ["catch_up"]


def catch_up(
    snapshot: RunSnapshot, run: Run, steps: Sequence[RunStep], messages: Sequence[Message]
) -> list[StreamEvent]:
    """The events that take ``snapshot`` to the polled ``run``, ``steps`` and ``messages``.

    ``steps`` and ``messages`` are the run's, oldest first (``order=asc``), as GET returns them.
    A message is placed inside the step that created it, as on the wire.
    """
    events: list[StreamEvent] = []
    by_id = {message.id: message for message in messages}
    placed: set[str] = set()
    for step in steps:
        events.extend(_step_opening(snapshot.step(step.id), step))
        details = step.step_details
        if isinstance(details, MessageCreationStepDetails):
            message = by_id.get(details.message_creation.message_id)
            if message is not None:
                placed.add(message.id)
                events.extend(_message_events(snapshot.message(message.id), message))
        events.extend(_step_closing(snapshot.step(step.id), step))
    for message in messages:
        if message.id not in placed:
            events.extend(_message_events(snapshot.message(message.id), message))
    if snapshot.run is None or _changed(snapshot.run, run):
        events.append(_event("thread.run.", run.status, run, fallback="in_progress"))
    return events


# --- messages -----------------------------------------------------------------------------------


def _message_events(known: Message | None, message: Message) -> list[StreamEvent]:
    if known is not None and not _changed(known, message):
        return []
    events: list[StreamEvent] = []
    if known is None:
        start = message.model_copy(
            update={
                "status": "in_progress",
                "content": [],
                "completed_at": None,
                "incomplete_at": None,
                "incomplete_details": None,
            }
        )
        events.append(parse_event("thread.message.created", start))
        events.append(parse_event("thread.message.in_progress", start))
    held = known.content if known is not None else []
    for index, part in enumerate(message.content):
        delta = _content_delta(index, held[index] if index < len(held) else None, part)
        if delta is not None:
            events.append(
                parse_event(
                    "thread.message.delta",
                    {"id": message.id, "object": "thread.message.delta", "delta": {"content": [delta]}},
                )
            )
    events.append(_event("thread.message.", message.status, message, fallback="in_progress"))
    return events


def _content_delta(index: int, held: Any, part: Any) -> dict[str, Any] | None:
    """The delta that brings content part ``held`` (None: not there yet) to ``part``, if one can."""
    if isinstance(part, TextContentBlock):
        value = part.text.value
        if held is None:
            return {"index": index, "type": "text", "text": {"value": value}} if value else None
        if isinstance(held, TextContentBlock):
            suffix = _suffix(held.text.value, value)
            return {"index": index, "type": "text", "text": {"value": suffix}} if suffix else None
        return None
    if isinstance(part, RefusalContentBlock):
        if held is None:
            return {"index": index, "type": "refusal", "refusal": part.refusal}
        if isinstance(held, RefusalContentBlock):
            suffix = _suffix(held.refusal, part.refusal)
            return {"index": index, "type": "refusal", "refusal": suffix} if suffix else None
        return None
    if held is None and isinstance(part, ImageFileContentBlock | ImageURLContentBlock):
        return part.to_dict() | {"index": index}
    return None  # other parts arrive whole with the message's status event


# --- steps --------------------------------------------------------------------------------------


def _step_opening(known: RunStep | None, step: RunStep) -> list[StreamEvent]:
    """The step's ``created`` events (if new) and the deltas that continue its tool calls."""
    if known is not None and not _changed(known, step):
        return []
    events: list[StreamEvent] = []
    if known is None:
        details = step.step_details
        if isinstance(details, ToolCallsStepDetails):
            details = ToolCallsStepDetails(tool_calls=[])
        start = step.model_copy(
            update={
                "status": "in_progress",
                "step_details": details,
                "last_error": None,
                "completed_at": None,
                "failed_at": None,
                "cancelled_at": None,
                "expired_at": None,
                "usage": None,
            }
        )
        events.append(parse_event("thread.run.step.created", start))
        events.append(parse_event("thread.run.step.in_progress", start))
    details = step.step_details
    if isinstance(details, ToolCallsStepDetails):
        held_details = known.step_details if known is not None else None
        held = held_details.tool_calls if isinstance(held_details, ToolCallsStepDetails) else []
        for index, call in enumerate(details.tool_calls):
            delta = _tool_call_delta(index, held[index] if index < len(held) else None, call)
            if delta is not None:
                events.append(
                    parse_event(
                        "thread.run.step.delta",
                        {
                            "id": step.id,
                            "object": "thread.run.step.delta",
                            "delta": {"step_details": {"type": "tool_calls", "tool_calls": [delta]}},
                        },
                    )
                )
    return events


def _step_closing(known: RunStep | None, step: RunStep) -> list[StreamEvent]:
    if known is not None and not _changed(known, step):
        return []
    return [_event("thread.run.step.", step.status, step, fallback="in_progress")]


def _tool_call_delta(index: int, held: Any, call: Any) -> dict[str, Any] | None:
    """The delta that brings tool call ``held`` (None: not there yet) to ``call``, if one can."""
    if isinstance(call, FunctionToolCall):
        function = call.function
        if held is None:
            return {
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {
                    "name": function.name,
                    "arguments": function.arguments,
                    "output": function.output,
                },
            }
        if isinstance(held, FunctionToolCall):
            suffix = _suffix(held.function.arguments, function.arguments)
            if suffix:
                return {"index": index, "type": "function", "function": {"arguments": suffix}}
        return None
    if isinstance(call, CodeInterpreterToolCall):
        code = call.code_interpreter
        outputs = [output.to_dict() for output in code.outputs]
        if held is None:
            listed = [output | {"index": i} for i, output in enumerate(outputs)]
            return {
                "index": index,
                "id": call.id,
                "type": "code_interpreter",
                "code_interpreter": {"input": code.input, "outputs": listed},
            }
        if isinstance(held, CodeInterpreterToolCall):
            piece: dict[str, Any] = {}
            suffix = _suffix(held.code_interpreter.input, code.input)
            if suffix:
                piece["input"] = suffix
            start = len(held.code_interpreter.outputs)
            if len(outputs) > start:
                piece["outputs"] = [output | {"index": i} for i, output in enumerate(outputs) if i >= start]
            if piece:
                return {"index": index, "type": "code_interpreter", "code_interpreter": piece}
        return None
    if isinstance(call, FileSearchToolCall) and held is None:
        # The wire's file search delta is always an empty object; results arrive with the step.
        return {"index": index, "id": call.id, "type": "file_search", "file_search": {}}
    return None


# --- helpers ------------------------------------------------------------------------------------


def _suffix(held: str, full: str) -> str:
    """What ``full`` adds after ``held``; empty when ``held`` is not a prefix (the final object fixes it)."""
    return full[len(held) :] if full.startswith(held) else ""


def _changed(known: Any, polled: Any) -> bool:
    return known is not polled and bool(known.to_dict() != polled.to_dict())


def _event(prefix: str, status: str, data: Any, *, fallback: str) -> StreamEvent:
    """The status event named after ``status`` (a status this version does not know: ``fallback``)."""
    name = prefix + status
    if name not in EVENT_TYPES:
        name = prefix + fallback
    return parse_event(name, data)
