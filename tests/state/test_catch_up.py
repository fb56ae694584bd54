"""catch_up: the events that take a snapshot (a stream cut anywhere) to the state GET returns."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from run_widgets.models import Message, Run, RunStep, parse_event
from run_widgets.state import RunSnapshot, catch_up

from .transcripts import (
    Transcript,
    all_transcripts,
    message_object,
    run_object,
    text_part,
    text_run,
    tools_run,
)


def polled(transcript: Transcript) -> tuple[Run, list[RunStep], list[Message]]:
    return (
        Run.model_validate(transcript.run),
        [RunStep.model_validate(step) for step in transcript.steps],
        [Message.model_validate(message) for message in transcript.messages],
    )


def cut(transcript: Transcript, at: int) -> RunSnapshot:
    snapshot = RunSnapshot()
    for name, data in transcript.events[:at]:
        snapshot.apply({"event": name, "data": data})
    return snapshot


def dump(snapshot: RunSnapshot) -> dict[str, Any]:
    return {
        "run": snapshot.run.to_dict() if snapshot.run else None,
        "steps": [step.to_dict() for step in snapshot.steps],
        "messages": [message.to_dict() for message in snapshot.messages],
    }


def streamed_text(events: list[Any]) -> str:
    pieces = []
    for event in events:
        if event.event == "thread.message.delta":
            pieces += [
                part.text.value or ""
                for part in event.data.delta.content or []
                if part.type == "text" and part.text
            ]
    return "".join(pieces)


def check_wire_order(events: list[Any], known: set[str]) -> None:
    """Created before deltas, per step and per message (unless already ``known``); the run's event last."""
    created = set(known)
    for event in events:
        if event.event in ("thread.run.step.created", "thread.message.created"):
            created.add(event.data.id)
        elif event.event in ("thread.run.step.delta", "thread.message.delta"):
            assert event.data.id in created
    run_events = [
        index
        for index, event in enumerate(events)
        if event.event.startswith("thread.run.") and ".step." not in event.event
    ]
    assert run_events in ([], [len(events) - 1])


@pytest.mark.parametrize("transcript", all_transcripts(), ids=lambda t: t.name)
def test_a_stream_cut_anywhere_catches_up_to_get(transcript: Transcript) -> None:
    """Every cut point: the snapshot after catch_up equals GET, and the text is read exactly once."""
    run, steps, messages = polled(transcript)
    expected = {
        "run": transcript.run,
        "steps": transcript.steps,
        "messages": transcript.messages,
    }
    for at in range(len(transcript.events)):
        snapshot = cut(transcript, at)
        before = dump(snapshot)
        events = catch_up(snapshot, run, steps, messages)
        assert dump(snapshot) == before, "catch_up must not change the snapshot"
        check_wire_order(events, set(snapshot.step_ids) | set(snapshot.message_ids))
        for event in events:
            snapshot.apply(event)
        got = dump(snapshot)
        assert got["run"] == expected["run"], at
        assert got["steps"] == expected["steps"], at
        assert got["messages"] == expected["messages"], at
        assert streamed_text(events_before(transcript, at) + events) == transcript.text, at


def events_before(transcript: Transcript, at: int) -> list[Any]:
    return [parse_event(name, data) for name, data in transcript.events[:at] if name != "done"]


def test_nothing_to_do_when_the_snapshot_already_holds_the_polled_state() -> None:
    transcript = tools_run()
    snapshot = cut(transcript, len(transcript.events))
    assert catch_up(snapshot, *polled(transcript)) == []


def test_text_held_in_part_is_continued_by_a_suffix_delta() -> None:
    transcript = text_run(pieces=("Hello", " there", " friend"))
    at = (
        next(index for index, (name, _) in enumerate(transcript.events) if name == "thread.message.delta") + 2
    )
    snapshot = cut(transcript, at)
    assert snapshot.text_of("msg_run_text") == "Hello there"
    events = catch_up(snapshot, *polled(transcript))
    assert [event.event for event in events] == [
        "thread.message.delta",
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
    ]
    assert events[0].data.delta.content[0].text.value == " friend"


def test_a_missed_message_is_created_empty_then_filled_by_deltas() -> None:
    transcript = text_run(pieces=("One", " two"))
    at = next(index for index, (name, _) in enumerate(transcript.events) if name == "thread.message.created")
    events = catch_up(cut(transcript, at), *polled(transcript))
    names = [event.event for event in events]
    assert names == [
        "thread.message.created",
        "thread.message.in_progress",
        "thread.message.delta",
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
    ]
    created = events[0].data
    assert created.status == "in_progress" and created.content == [] and created.completed_at is None
    assert streamed_text(events) == "One two"


def test_missed_steps_open_before_their_deltas_and_messages_nest_in_their_step() -> None:
    transcript = tools_run()
    events = catch_up(cut(transcript, 4), *polled(transcript))  # thread + run created, queued, in_progress
    names = [(event.event, getattr(event.data, "id", None)) for event in events]
    code, search, answer = (step["id"] for step in transcript.steps)
    assert names[:2] == [("thread.run.step.created", code), ("thread.run.step.in_progress", code)]
    code_delta = events[2].data.delta.step_details.tool_calls[0]
    assert code_delta.id == "call_code" and code_delta.code_interpreter.input.startswith("import math")
    assert code_delta.code_interpreter.outputs[0].logs == "1.4142135623730951\n"
    order = [name for name, _ in names]
    answer_opens = names.index(("thread.run.step.created", answer))
    message_opens = order.index("thread.message.created")
    answer_closes = names.index(("thread.run.step.completed", answer))
    assert answer_opens < message_opens < order.index("thread.message.completed") < answer_closes
    assert names.index(("thread.run.step.completed", search)) < answer_opens
    assert order[-1] == "thread.run.completed"


def test_a_mid_run_poll_then_the_final_one() -> None:
    """Polling twice while the message grows: deltas continue the text, nothing is repeated."""
    snapshot = RunSnapshot()
    snapshot.apply({"event": "thread.run.created", "data": run_object("run_m", "queued")})
    mid_run = Run.model_validate(run_object("run_m", "in_progress", started_at=1))
    partial = Message.model_validate(message_object("msg_m", "run_m", [text_part("Half")]))
    first = catch_up(snapshot, mid_run, [], [partial])
    for event in first:
        snapshot.apply(event)
    assert (
        snapshot.text_of("msg_m") == "Half"
        and snapshot.run is not None
        and snapshot.run.status == "in_progress"
    )
    done = Run.model_validate(run_object("run_m", "completed", started_at=1, completed_at=2))
    whole = Message.model_validate(
        message_object("msg_m", "run_m", [text_part("Half and whole")], status="completed", completed_at=2)
    )
    second = catch_up(snapshot, done, [], [whole])
    for event in second:
        snapshot.apply(event)
    assert streamed_text(first + second) == "Half and whole"
    assert [message.to_dict() for message in snapshot.messages] == [whole.to_dict()]
    assert snapshot.run is not None and snapshot.run.to_dict() == done.to_dict()


def test_text_that_diverged_is_replaced_by_the_polled_message() -> None:
    snapshot = RunSnapshot()
    snapshot.apply({"event": "thread.message.created", "data": message_object("msg_d", "run_d", [])})
    snapshot.apply(
        {
            "event": "thread.message.delta",
            "data": {
                "id": "msg_d",
                "object": "thread.message.delta",
                "delta": {"content": [{"index": 0, "type": "text", "text": {"value": "Draft"}}]},
            },
        }
    )
    final = Message.model_validate(
        message_object("msg_d", "run_d", [text_part("Rewritten")], status="completed")
    )
    events = catch_up(snapshot, Run.model_validate(run_object("run_d", "completed")), [], [final])
    assert [event.event for event in events] == ["thread.message.completed", "thread.run.completed"]
    for event in events:
        snapshot.apply(event)
    assert snapshot.text_of("msg_d") == "Rewritten"


def test_an_unknown_status_gets_the_nearest_event_name() -> None:
    snapshot = RunSnapshot()
    odd = Run.model_validate(run_object("run_x", "thinking_hard"))
    (event,) = catch_up(snapshot, odd, [], [])
    assert event.event == "thread.run.in_progress" and event.data.status == "thinking_hard"
    snapshot.apply(event)
    assert snapshot.run is not None and snapshot.run.status == "thinking_hard"


def test_polled_objects_are_not_modified() -> None:
    transcript = tools_run()
    run, steps, messages = polled(transcript)
    before = copy.deepcopy([run.to_dict(), [s.to_dict() for s in steps], [m.to_dict() for m in messages]])
    catch_up(cut(transcript, 5), run, steps, messages)
    assert [run.to_dict(), [s.to_dict() for s in steps], [m.to_dict() for m in messages]] == before
