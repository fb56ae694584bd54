"""Live texts: a running step's texts travel as ``appends`` (docs/card-protocol.md, "Live texts").

A RunCard on a manual clock streams long texts; the replayed front-end store (``store.Store``) must show
exactly the kernel's text after every message, past the cap, while the message count stays within the
batcher's bound, the bytes stay proportional to the text, and the traits stay capped.
"""

from __future__ import annotations

import json
from typing import Any

from run_widgets.widget import RunCard, limits

from .store import Store, part_text
from .streams import Script
from .wire import ManualClock, Wire

TEXT_LENGTH = 20_000


def pieces_of(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def long_text(length: int) -> str:
    words = (f"word{i} " for i in range(length))
    return "".join(words)[:length]


def stamp(wire: Wire, clock: ManualClock, card: RunCard, message_id: str) -> list[tuple[float, str]]:
    """Record, for every message the card sends from now on, the clock and the kernel's text then."""
    seen: list[tuple[float, str]] = []
    record = wire.record

    def stamped(msg_type: str, data: Any) -> None:
        record(msg_type, data)
        seen.append((clock.now(), card.snapshot.text_of(message_id)))

    wire.record = stamped  # type: ignore[method-assign]
    return seen


def most_in_a_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


def test_a_long_message_streams_exactly_within_the_rate_in_bytes_proportional_to_it(
    card: RunCard, wire: Wire, clock: ManualClock
) -> None:
    text = long_text(TEXT_LENGTH)
    script = Script()
    events = script.text_run(pieces_of(text, 5))  # 4,000 deltas, one a millisecond
    message_id = next(e["data"]["id"] for e in events if e["event"] == "thread.message.created")
    step_id = next(e["data"]["id"] for e in events if e["event"] == "thread.run.step.created")
    stamps = stamp(wire, clock, card, message_id)
    for event in events:
        card.apply(event)
        clock.advance(0.001)
    clock.settle()

    messages = wire.sent[-len(stamps) :]
    assert messages == wire.messages  # every message after the widget opened
    # The rate, by the batcher's clock: at most 20 patches in any second; the run's end (a status
    # change, sent at once as a checkpoint) is the only message on top of them.
    patch_times = [t for (t, _), m in zip(stamps, messages, strict=True) if m.method == "custom"]
    assert most_in_a_second(patch_times) <= 20
    assert most_in_a_second([t for t, _ in stamps]) <= 20 + 1
    assert [m.method for m in messages].count("update") == 1
    # After every message the front end shows exactly the kernel's text at that moment.
    store = Store()
    for sent in wire.sent[: -len(stamps)]:
        store.take(sent)  # the widget opening, with the first traits
    checked = 0
    for sent, (_, kernel_text) in zip(messages, stamps, strict=True):
        store.take(sent)
        if step_id in store.steps and sent.method == "custom":
            assert store.text(step_id) == kernel_text
            checked += 1
    assert checked > 70
    assert store.live_gaps == [] and store.gaps == 0
    # The end is a checkpoint (traits): the last deltas of its flush are in the full step (`detail`),
    # and until then the store keeps the live text it has, not the capped view's.
    shown = store.text(step_id)
    assert shown is not None and len(shown) > len(text) - 300 and text.startswith(shown)

    patches = wire.custom("patch")
    appends = [a for p in patches for a in p.get("appends", [])]
    assert {a["part"] for a in appends} == {"/message/text"}
    assert len(appends) > 50  # the text kept coming past the cap, patch after patch
    assert sum(len(a["text"]) for a in appends) <= len(text)  # no character sent twice by appends
    # Bytes: proportional to the text (the whole conversation, final checkpoint included).
    assert wire.bytes < 3 * len(text), wire.bytes
    # The synced views stay capped: in every patch, and in the traits at the end.
    for patch in patches:
        for step in patch.get("steps", []):
            assert len(step["message"]["text"] if step["message"] else "") <= limits.TEXT_CAP
    assert card.steps[0]["message"]["text"] == text[: limits.TEXT_CAP]
    assert card.steps[0]["truncated"]


def test_past_the_cap_patches_carry_appends_not_the_capped_view_again(
    card: RunCard, wire: Wire, clock: ManualClock
) -> None:
    """The cost of a delta past the cap is its own text, not the step's 4,000 characters again."""
    text = long_text(TEXT_LENGTH)
    script = Script()
    events = script.start() + script.message_step(pieces_of(text, 50))[:-2]  # still running
    for event in events:
        card.apply(event)
        clock.advance(0.05)  # one patch per delta
    late = [
        p for p in wire.custom("patch") if p.get("appends") and p["appends"][0]["at"] > 2 * limits.TEXT_CAP
    ]
    assert len(late) > 100
    for patch in late:
        assert set(patch) == {"type", "seq", "appends"}
        assert len(json.dumps(patch)) < 200


def test_a_page_joining_mid_stream_finds_a_gap_and_the_full_step_lets_it_go_on(
    card: RunCard, wire: Wire, clock: ManualClock
) -> None:
    text = long_text(TEXT_LENGTH)
    script = Script()
    events = script.text_run(pieces_of(text, 7))
    message_id = next(e["data"]["id"] for e in events if e["event"] == "thread.message.created")
    step_id = next(e["data"]["id"] for e in events if e["event"] == "thread.run.step.created")
    middle = len(events) // 2
    for event in events[:middle]:
        card.apply(event)
        clock.advance(0.001)
    card.flush()  # a checkpoint mid-stream: the traits a page opening now gets
    assert (
        card.steps[0]["message"]["text"] == text[: limits.TEXT_CAP]
        and card.steps[0]["status"] == "in_progress"
    )
    joined = Store()
    joined.take_traits({key: getattr(card, key) for key in ("seq", "run", "steps")})
    wire.clear()
    card.apply(events[middle])
    clock.advance(0.1)
    for sent in wire.messages:
        joined.take(sent)
    # Its view ends at the cap; the append starts where the patches left off: a gap.
    assert joined.live_gaps == [(step_id, "/message/text")]
    # The full step (what `detail` answers), then the appends that follow, fit on it exactly.
    full = card._views.detail(step_id)
    assert full is not None and not full["truncated"]
    joined.live[(step_id, "/message/text")] = part_text(dict(full), "/message/text") or ""
    wire.clear()
    for event in events[middle + 1 :]:
        card.apply(event)
        clock.advance(0.001)
        for sent in wire.messages:
            joined.take(sent)
            if sent.method == "custom" and joined.steps[step_id]["status"] == "in_progress":
                assert joined.text(step_id) == card.snapshot.text_of(message_id)
        wire.clear()
    assert len(joined.live_gaps) == 1


def test_function_arguments_and_code_stream_past_the_cap(
    card: RunCard, wire: Wire, clock: ManualClock
) -> None:
    arguments = json.dumps({"rows": [{"day": i, "note": "mild and dry"} for i in range(400)]})
    code = "".join(f"print({i})\n" for i in range(800))
    script = Script()
    details: dict[str, Any] = {"type": "tool_calls", "tool_calls": []}
    events = [
        *script.start(),
        script.step("step_tools", "tool_calls", "in_progress", details),
    ]

    def delta(call: dict[str, Any]) -> dict[str, Any]:
        return {
            "event": "thread.run.step.delta",
            "data": {
                "id": "step_tools",
                "object": "thread.run.step.delta",
                "delta": {"step_details": {"type": "tool_calls", "tool_calls": [call]}},
            },
        }

    events.append(
        delta({"index": 0, "id": "call_f", "type": "function", "function": {"name": "f", "arguments": ""}})
    )
    events += [
        delta({"index": 0, "type": "function", "function": {"arguments": p}})
        for p in pieces_of(arguments, 40)
    ]
    events.append(
        delta(
            {
                "index": 1,
                "id": "call_c",
                "type": "code_interpreter",
                "code_interpreter": {"input": "", "outputs": []},
            }
        )
    )
    events += [
        delta({"index": 1, "type": "code_interpreter", "code_interpreter": {"input": p}})
        for p in pieces_of(code, 40)
    ]
    for event in events:
        card.apply(event)
        clock.advance(0.001)
    clock.advance(0.1)
    assert len(arguments) > limits.TEXT_CAP and len(code) > limits.TEXT_CAP
    store = Store().replay(wire)
    assert store.live_gaps == []
    assert store.text("step_tools", "/tool_calls/0/arguments") == arguments
    assert store.text("step_tools", "/tool_calls/1/input") == code
    parts = {a["part"] for p in wire.custom("patch") for a in p.get("appends", [])}
    assert parts == {"/tool_calls/0/arguments", "/tool_calls/1/input"}
    calls = card._views.step_views[0]["tool_calls"] or []
    assert [len(c.get("arguments") or c.get("input")) for c in calls] == [limits.TEXT_CAP, limits.TEXT_CAP]


def test_a_rewritten_text_is_sent_whole_from_the_start(card: RunCard, wire: Wire, clock: ManualClock) -> None:
    """A polled message whose text is not the old one grown (a server rewrote it) starts again at 0."""
    script = Script()
    first = long_text(6_000)
    events = script.start() + script.message_step(pieces_of(first, 100), message_id="msg_x")[:-2]
    for event in events:
        card.apply(event)
        clock.advance(0.01)
    clock.advance(0.1)
    rewritten = "Another answer. " + first
    card.apply_object(script.message("msg_x", "in_progress", rewritten)["data"])
    clock.advance(0.1)
    last = wire.custom("patch")[-1]
    assert [(a["at"], a["text"]) for a in last["appends"]] == [(0, rewritten)]
    store = Store().replay(wire)
    step_id = store.order[0]
    assert store.text(step_id) == rewritten and store.live_gaps == []
