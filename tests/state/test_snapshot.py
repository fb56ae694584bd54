"""The reducer on whole streams: the snapshot ends equal to what GET returns for the same ids."""

from __future__ import annotations

import json
from typing import Any

import pytest

from run_widgets.models import Message, Run, RunStep, parse_event
from run_widgets.state import RunSnapshot

from .recorder import SCENARIOS, load_recorded, recorder
from .transcripts import Transcript, all_transcripts, text_run, tool_call_run, tool_outputs_stream


def applied(*transcripts: Transcript) -> RunSnapshot:
    snapshot = RunSnapshot()
    for transcript in transcripts:
        for name, data in transcript.events:
            snapshot.apply({"event": name, "data": data})
    return snapshot


def assert_state(snapshot: RunSnapshot, transcript: Transcript) -> None:
    assert snapshot.run is not None
    assert snapshot.run.to_dict() == transcript.run
    assert [step.to_dict() for step in snapshot.steps] == transcript.steps
    assert [message.to_dict() for message in snapshot.messages] == transcript.messages
    if transcript.thread is not None:
        assert snapshot.thread is not None and snapshot.thread.to_dict() == transcript.thread


@pytest.mark.parametrize("transcript", all_transcripts(), ids=lambda t: t.name)
def test_a_whole_stream_ends_equal_to_the_final_objects(transcript: Transcript) -> None:
    assert_state(applied(transcript), transcript)


@pytest.mark.parametrize("transcript", all_transcripts(), ids=lambda t: t.name)
def test_typed_events_and_dicts_give_the_same_snapshot(transcript: Transcript) -> None:
    typed = RunSnapshot()
    for name, data in transcript.events:
        typed.apply(parse_event(name, data))
    assert_state(typed, transcript)


def test_a_paused_tool_call_step_equals_get_without_delta_indexes() -> None:
    """No full object follows the argument deltas before requires_action: the deltas alone must match GET."""
    transcript = tool_call_run()
    snapshot = applied(transcript)
    (step,) = snapshot.steps
    assert step.to_dict() == transcript.steps[0]
    assert "index" not in str(step.to_dict())
    assert snapshot.run is not None and snapshot.run.status == "requires_action"


def test_a_run_that_pauses_and_resumes_keeps_every_step() -> None:
    first, second = tool_call_run(), tool_outputs_stream()
    snapshot = applied(first, second)
    assert_state(snapshot, second)


def test_reading_between_deltas_does_not_lose_text() -> None:
    transcript = text_run(pieces=("a", "b", "c", "d"))
    snapshot = RunSnapshot()
    seen = []
    for name, data in transcript.events:
        snapshot.apply({"event": name, "data": data})
        if snapshot.message_ids:
            message = snapshot.message(snapshot.message_ids[0])
            assert message is not None
            seen.append(message.text)
            assert snapshot.text_of(message.id) == message.text
    assert "abcd" in seen and "ab" in seen
    assert_state(snapshot, transcript)


def test_text_of_is_the_text_so_far() -> None:
    transcript = text_run(pieces=("Hel", "lo", " world"))
    snapshot = RunSnapshot()
    message_id = "msg_run_text"
    texts = []
    for name, data in transcript.events:
        snapshot.apply({"event": name, "data": data})
        texts.append(snapshot.text_of(message_id))
    assert [text for text in texts if text][:3] == ["Hel", "Hello", "Hello world"]
    assert snapshot.text_of("msg_unknown") == ""


def test_take_changes_names_what_changed_once() -> None:
    transcript = text_run()
    snapshot = RunSnapshot()
    for name, data in transcript.events[:3]:
        snapshot.apply({"event": name, "data": data})
    changes = snapshot.take_changes()
    assert changes.run and not changes.steps and not changes.messages
    assert not snapshot.take_changes()
    for name, data in transcript.events[3:9]:
        snapshot.apply({"event": name, "data": data})
    changes = snapshot.take_changes()
    assert changes.steps == ["step_run_text"] and changes.messages == ["msg_run_text"] and not changes.run


def test_a_delta_before_its_created_event_is_an_error() -> None:
    transcript = text_run()
    snapshot = RunSnapshot()
    delta = next(data for name, data in transcript.events if name == "thread.message.delta")
    with pytest.raises(RuntimeError, match=r"before thread\.message\.created"):
        snapshot.apply({"event": "thread.message.delta", "data": delta})


def test_polled_objects_replace_what_the_stream_built() -> None:
    transcript = text_run()
    snapshot = applied(Transcript("partial", transcript.events[:9], transcript.run))
    snapshot.apply_object(Run.model_validate(transcript.run))
    snapshot.apply_object(RunStep.model_validate(transcript.steps[0]))
    snapshot.apply_object(Message.model_validate(transcript.messages[0]))
    assert_state(snapshot, transcript)
    with pytest.raises(TypeError, match="cannot apply"):
        snapshot.apply_object("run")  # type: ignore[arg-type]


def test_unknown_error_and_done_events_change_nothing() -> None:
    snapshot = RunSnapshot()
    snapshot.apply({"event": "thread.future.thing", "data": {"x": 1}})
    snapshot.apply({"event": "error", "data": {"message": "boom", "type": "server_error"}})
    snapshot.apply({"event": "done", "data": "[DONE]"})
    assert snapshot.run is None and snapshot.steps == [] and snapshot.messages == []
    assert snapshot.events_applied == 3


def test_deltas_are_appended_without_copying_what_came_before() -> None:
    """Linear time: 5,000 deltas leave 5,000 pieces, joined once when read, never once per delta."""
    snapshot = RunSnapshot()
    snapshot.apply({"event": "thread.message.created", "data": text_run().messages[0] | {"content": []}})
    message_id = text_run().messages[0]["id"]
    first = {"index": 0, "type": "text", "text": {"value": "x", "annotations": []}}
    snapshot.apply(
        {
            "event": "thread.message.delta",
            "data": {"id": message_id, "object": "thread.message.delta", "delta": {"content": [first]}},
        }
    )
    for _ in range(4_999):
        piece = {"index": 0, "type": "text", "text": {"value": "x"}}
        snapshot.apply(
            {
                "event": "thread.message.delta",
                "data": {"id": message_id, "object": "thread.message.delta", "delta": {"content": [piece]}},
            }
        )
    entry = snapshot._messages[message_id]
    assert entry.buffers is not None
    (buffer,) = entry.buffers.values()
    assert len(buffer._parts) == 5_000
    assert snapshot.text_of(message_id) == "x" * 5_000
    assert len(buffer._parts) == 1  # joined once, and kept joined


# --- recorded streams: real SSE from the embedded server, and what GET returned after each ------------


def assert_equals_get(snapshot: RunSnapshot, after: dict[str, Any], where: str) -> None:
    assert snapshot.run is not None, where
    assert snapshot.run.to_dict() == after["run"], where
    assert [step.to_dict() for step in snapshot.steps] == after["steps"], where
    assert [message.to_dict() for message in snapshot.messages] == after["messages"], where
    if "thread" in after:
        assert snapshot.thread is not None and snapshot.thread.to_dict() == after["thread"], where


def replay(recording: dict[str, Any], *, typed: bool) -> None:
    """Apply each recorded stream in turn; after each, the snapshot must equal what GET returned.

    Before a message's closing event (which carries the whole message), the text the deltas built
    must already be that message's text.
    """
    snapshot = RunSnapshot()
    for number, stream in enumerate(recording["streams"], start=1):
        for frame in stream["events"]:
            name, data = frame["event"], frame["data"]
            if name in ("thread.message.completed", "thread.message.incomplete"):
                final = "".join(p["text"]["value"] for p in data["content"] if p["type"] == "text")
                assert snapshot.text_of(data["id"]) == final, f"{recording['name']}: {data['id']} deltas"
            snapshot.apply(
                parse_event(name, data if isinstance(data, str) else json.dumps(data)) if typed else frame
            )
        assert_equals_get(snapshot, stream["after"], f"{recording['name']}, after stream {number}")


RECORDINGS = load_recorded()


def test_the_recordings_cover_every_end_and_step_type() -> None:
    runs = [stream["after"]["run"] for recording in RECORDINGS for stream in recording["streams"]]
    statuses = {run["status"] for run in runs}
    assert {"completed", "requires_action", "failed", "cancelled", "incomplete", "expired"} <= statuses
    steps = [s for r in RECORDINGS for stream in r["streams"] for s in stream["after"]["steps"]]
    calls = {c["type"] for s in steps if s["type"] == "tool_calls" for c in s["step_details"]["tool_calls"]}
    assert calls == {"function", "code_interpreter", "file_search"}
    assert any(s["type"] == "message_creation" for s in steps)
    names = {frame["event"] for r in RECORDINGS for stream in r["streams"] for frame in stream["events"]}
    assert {"thread.created", "thread.run.step.delta", "thread.message.delta", "done"} <= names


@pytest.mark.parametrize("recording", RECORDINGS, ids=lambda r: r["name"])
@pytest.mark.parametrize("typed", [False, True], ids=["dicts", "typed"])
def test_a_recorded_stream_ends_equal_to_what_get_returned(recording: dict[str, Any], typed: bool) -> None:
    replay(recording, typed=typed)


def test_streams_recorded_now_end_equal_to_what_get_returns_now() -> None:
    """The live variant: the server of this tree, recorded and compared in one go."""
    with recorder() as live:
        for scenario in SCENARIOS:
            replay(live.record(scenario), typed=False)
