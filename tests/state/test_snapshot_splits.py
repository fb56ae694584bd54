"""Property: however a text or a function's arguments are cut into deltas, the snapshot is the same."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from run_widgets.state import RunSnapshot

from .transcripts import (
    message_delta,
    message_object,
    run_object,
    step_delta,
    step_object,
)

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=60)


def split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(cut, len(text)) for cut in cuts})
    pieces, start = [], 0
    for point in [*points, len(text)]:
        pieces.append(text[start:point])
        start = point
    return pieces


def snapshot_of(text_pieces: list[str], argument_pieces: list[str]) -> dict[str, Any]:
    snapshot = RunSnapshot()
    run = run_object("run_split", "in_progress")
    message = message_object("msg_split", "run_split", [])
    step = step_object("step_split", "run_split", {"type": "tool_calls", "tool_calls": []})
    snapshot.apply({"event": "thread.run.in_progress", "data": run})
    snapshot.apply({"event": "thread.run.step.created", "data": step})
    first_call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "f", "arguments": "", "output": None},
    }
    snapshot.apply({"event": "thread.run.step.delta", "data": step_delta("step_split", first_call)})
    for piece in argument_pieces:
        call = {"index": 0, "type": "function", "function": {"arguments": piece}}
        snapshot.apply({"event": "thread.run.step.delta", "data": step_delta("step_split", call)})
    snapshot.apply({"event": "thread.message.created", "data": message})
    first = {"index": 0, "type": "text", "text": {"value": text_pieces[0], "annotations": []}}
    snapshot.apply({"event": "thread.message.delta", "data": message_delta("msg_split", first)})
    for piece in text_pieces[1:]:
        part = {"index": 0, "type": "text", "text": {"value": piece}}
        snapshot.apply({"event": "thread.message.delta", "data": message_delta("msg_split", part)})
    (only_step,) = snapshot.steps
    (only_message,) = snapshot.messages
    return {
        "step": only_step.to_dict(),
        "message": only_message.to_dict(),
        "text": snapshot.text_of("msg_split"),
    }


@settings(max_examples=150, deadline=None)
@given(
    text=TEXT,
    text_cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=12),
    arguments=TEXT,
    argument_cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=12),
)
def test_any_split_gives_the_same_snapshot(
    text: str, text_cuts: list[int], arguments: str, argument_cuts: list[int]
) -> None:
    whole = snapshot_of([text], [arguments])
    cut = snapshot_of(split(text, text_cuts), split(arguments, argument_cuts))
    assert cut == whole
    assert whole["text"] == text
    assert whole["message"]["content"] == [{"type": "text", "text": {"value": text, "annotations": []}}]
    assert whole["step"]["step_details"]["tool_calls"][0]["function"]["arguments"] == arguments


@settings(max_examples=60, deadline=None)
@given(
    pieces=st.lists(TEXT, min_size=1, max_size=20), reads=st.lists(st.booleans(), min_size=20, max_size=20)
)
def test_reading_in_between_never_changes_the_result(pieces: list[str], reads: list[bool]) -> None:
    """Reading the snapshot mid-stream (as a card does) must not disturb the accumulation."""
    snapshot = RunSnapshot()
    snapshot.apply({"event": "thread.message.created", "data": message_object("msg_r", "run_r", [])})
    for index, piece in enumerate(pieces):
        part: dict[str, Any] = {"index": 0, "type": "text", "text": {"value": piece}}
        if index == 0:
            part["text"]["annotations"] = []
        snapshot.apply({"event": "thread.message.delta", "data": message_delta("msg_r", part)})
        if reads[index]:
            message = snapshot.message("msg_r")
            assert message is not None and message.text == "".join(pieces[: index + 1])
    assert snapshot.text_of("msg_r") == "".join(pieces)
