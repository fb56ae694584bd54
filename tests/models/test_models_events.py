"""Stream events: one discriminated union keyed by the wire name, and a fast parser that agrees with it."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
import wire_samples as samples
from openai.types.beta import AssistantStreamEvent

from run_widgets.models import (
    EVENT_TYPES,
    MESSAGE_EVENT_TYPES,
    RUN_EVENT_TYPES,
    STEP_EVENT_TYPES,
    STREAM_EVENT_ADAPTER,
    DoneEvent,
    ErrorEvent,
    ErrorObject,
    Message,
    MessageDeltaEvent,
    Run,
    RunStep,
    RunStepDeltaEvent,
    Thread,
    ThreadRunRequiresAction,
    UnknownEvent,
    event_from_dict,
    parse_event,
)

ERROR = {
    "message": "The server had an error while processing your request.",
    "type": "server_error",
    "param": None,
    "code": "server_error",
}


def data_for(name: str) -> Any:
    """A spec-shaped payload for each event name (reference §3.2)."""
    if name == "thread.created":
        return samples.thread()
    if name == "thread.run.step.delta":
        return samples.all_step_deltas()["code_interpreter"]
    if name.startswith("thread.run.step."):
        return samples.all_steps()["all_tool_calls"]
    if name.startswith("thread.run."):
        return samples.run(name.removeprefix("thread.run.").replace("created", "queued"))
    if name == "thread.message.delta":
        return samples.all_message_deltas()["annotations"]
    if name.startswith("thread.message."):
        return samples.message()
    if name == "error":
        return dict(ERROR)
    assert name == "done"
    return "[DONE]"


DATA_TYPES: dict[str, type] = {
    "thread.created": Thread,
    "thread.run.step.delta": RunStepDeltaEvent,
    "thread.message.delta": MessageDeltaEvent,
    "error": ErrorObject,
}


def expected_data_type(name: str) -> type:
    if name in DATA_TYPES:
        return DATA_TYPES[name]
    if name.startswith("thread.run.step."):
        return RunStep
    if name.startswith("thread.run."):
        return Run
    if name.startswith("thread.message."):
        return Message
    return str


def sdk_event_names() -> set[str]:
    union = typing.get_args(typing.get_args(AssistantStreamEvent)[0])
    return {typing.get_args(cls.model_fields["event"].annotation)[0] for cls in union}


def test_the_union_knows_every_event_of_the_sdk_and_done() -> None:
    """The SDK's AssistantStreamEvent lists every spec event but ``done`` (which it stops on)."""
    assert set(EVENT_TYPES) == sdk_event_names() | {"done"}
    assert len(EVENT_TYPES) == 25  # 1 thread + 10 run + 7 step + 5 message + error + done
    assert set(RUN_EVENT_TYPES) == {
        f"thread.run.{s}"
        for s in (
            "created",
            "queued",
            "in_progress",
            "requires_action",
            "completed",
            "incomplete",
            "failed",
            "cancelling",
            "cancelled",
            "expired",
        )
    }
    assert set(STEP_EVENT_TYPES) == {
        f"thread.run.step.{s}"
        for s in ("created", "in_progress", "delta", "completed", "failed", "cancelled", "expired")
    }
    assert set(MESSAGE_EVENT_TYPES) == {
        f"thread.message.{s}" for s in ("created", "in_progress", "delta", "completed", "incomplete")
    }


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_parse_event_and_the_union_agree(name: str) -> None:
    data = data_for(name)
    text = data if isinstance(data, str) else json.dumps(data)
    frame = {"event": name, "data": data}
    parsed = [
        parse_event(name, data),
        parse_event(name, text),
        STREAM_EVENT_ADAPTER.validate_python(frame),
        STREAM_EVENT_ADAPTER.validate_json(json.dumps(frame)),
        event_from_dict(frame),
    ]
    assert {type(e) for e in parsed} == {EVENT_TYPES[name]}
    assert all(e.event == name for e in parsed)
    assert all(type(e.data) is expected_data_type(name) for e in parsed)
    dumps = [e.to_dict() for e in parsed]
    assert all(d == {"event": name, "data": data} for d in dumps)
    assert STREAM_EVENT_ADAPTER.dump_python(parsed[0], mode="json", exclude_unset=True) == frame


def test_the_whole_run_object_rides_on_every_run_event() -> None:
    event = parse_event("thread.run.requires_action", samples.run("requires_action"))
    assert isinstance(event, ThreadRunRequiresAction)
    assert event.data.pending_tool_calls[0].function.name == "get_current_weather"


@pytest.mark.parametrize(
    "data",
    [
        ERROR,  # the spec's bare form
        {"error": ERROR},  # the wrapped form servers use so the SDK raises
        json.dumps({"error": ERROR}),
    ],
    ids=["bare", "wrapped", "wrapped-text"],
)
def test_error_events_in_both_forms_read_the_same(data: Any) -> None:
    for event in (
        parse_event("error", data),
        STREAM_EVENT_ADAPTER.validate_python({"event": "error", "data": data}),
        event_from_dict({"event": "error", "data": data}),
    ):
        assert isinstance(event, ErrorEvent)
        assert event.data.message == ERROR["message"]
        assert (event.data.type, event.data.code) == ("server_error", "server_error")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("Bad gateway", "Bad gateway"),  # a proxy's plain text
        ({"error": "rate limited"}, "rate limited"),
        ({"detail": "oops"}, '{"detail": "oops"}'),
        (None, ""),
    ],
)
def test_odd_error_payloads_still_become_error_events(data: Any, message: str) -> None:
    a = parse_event("error", data)
    b = STREAM_EVENT_ADAPTER.validate_python({"event": "error", "data": data})
    assert isinstance(a, ErrorEvent) and isinstance(b, ErrorEvent)
    assert a.data.message == b.data.message == message
    assert a.data.type == "server_error"


@pytest.mark.parametrize("data", ["[DONE]", None, "", {"unexpected": True}])
def test_done_always_ends_the_stream(data: Any) -> None:
    for event in (
        parse_event("done", data),
        STREAM_EVENT_ADAPTER.validate_python({"event": "done", "data": data}),
    ):
        assert isinstance(event, DoneEvent)
        assert event.to_dict() == {"event": "done", "data": "[DONE]"}


def test_a_done_payload_ends_the_stream_whatever_the_name() -> None:
    """As in the SDK, ``data: [DONE]`` stops the stream even under another event name."""
    assert isinstance(parse_event("message", "[DONE]"), DoneEvent)


@pytest.mark.parametrize(
    ("name", "data", "kept"),
    [
        ("thread.run.paused", {"id": "run_1", "status": "paused"}, {"id": "run_1", "status": "paused"}),
        ("thread.run.paused", '{"id": "run_1"}', {"id": "run_1"}),
        ("ping", "keep-alive", "keep-alive"),
        ("response.created", [1, 2], [1, 2]),
    ],
)
def test_unknown_event_names_become_unknown_events(name: str, data: Any, kept: Any) -> None:
    parsed = parse_event(name, data)
    assert isinstance(parsed, UnknownEvent)
    assert (parsed.event, parsed.data) == (name, kept)
    via_union = STREAM_EVENT_ADAPTER.validate_python({"event": name, "data": kept})
    assert isinstance(via_union, UnknownEvent) and via_union.to_dict() == parsed.to_dict()


def test_an_event_with_a_broken_payload_for_a_known_name_is_an_error() -> None:
    """Unknown names are tolerated; a known name whose data breaks its type is a real fault."""
    with pytest.raises(ValueError, match="id"):
        parse_event("thread.run.created", {"status": "queued"})


def test_event_from_dict_passes_typed_events_through() -> None:
    event = parse_event("thread.message.completed", samples.message())
    assert event_from_dict(event) is event
    unknown = UnknownEvent(event="x.y", data=1)
    assert event_from_dict(unknown) is unknown


def test_event_from_dict_reads_objects_with_event_and_data() -> None:
    """Any object with ``.event``/``.data`` (the SDK's events, say) reads through plain data."""

    class Frame:
        event = "thread.run.step.created"
        data = samples.all_steps()["code_interpreter"]

    event = event_from_dict(Frame())
    assert type(event) is EVENT_TYPES["thread.run.step.created"]
    assert event.to_dict()["data"] == samples.all_steps()["code_interpreter"]
