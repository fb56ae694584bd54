"""How the card talks to its front end: bounded patches, immediate status changes, exact final state.

Time is a manual clock: the card's flushes run when the test moves it, so message counts are checked
against elapsed (fake) time without any timed assertion.
"""

from __future__ import annotations

import json
from typing import Any

from run_widgets.widget import RunCard
from run_widgets.widget.viewstate import ViewState

from .store import Store
from .streams import Script, weather_calls
from .wire import ManualClock, Wire


def feed(card: RunCard, clock: ManualClock, events: list[dict[str, Any]], gap: float = 0.001) -> None:
    for event in events:
        card.apply(event)
        clock.advance(gap)


def fresh_views(events: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The views a brand-new state would build from the same events (the exact truth)."""
    state = ViewState()
    for event in events:
        state.apply(event)
    state.refresh()
    return state.run_view, state.step_views  # type: ignore[return-value]


def test_a_text_run_ends_exact_in_traits_and_in_the_replayed_store(
    card: RunCard, wire: Wire, clock: ManualClock
) -> None:
    events = Script().text_run([f"word{i} " for i in range(200)])
    feed(card, clock, events)
    clock.settle()

    run, steps = fresh_views(events)
    assert card.run == run and card.steps == steps
    assert card.run is not None and card.run["status"] == "completed"
    assert card.steps[0]["message"]["text"] == "".join(f"word{i} " for i in range(200))

    store = Store().replay(wire)
    assert store.gaps == 0
    assert store.run == run and store.step_list == steps
    seqs = [p["seq"] for p in wire.custom("patch")]
    assert seqs == list(range(1, len(seqs) + 1))
    assert card.seq >= seqs[-1]


def test_text_shows_as_it_streams(card: RunCard, wire: Wire, clock: ManualClock) -> None:
    """Deltas spread over time reach the front end while the message is still in progress."""
    script = Script()
    feed(card, clock, script.start() + script.message_step(["one ", "two ", "three "])[:5], gap=0.1)
    texts = [s["message"]["text"] for p in wire.custom("patch") for s in p.get("steps", []) if s["message"]]
    assert texts[-1] == "one "
    feed(card, clock, script.message_step(["x"])[:0], gap=0.1)  # nothing: no new message
    card.apply(
        {
            "event": "thread.message.delta",
            "data": {
                "id": "msg_0002",
                "object": "thread.message.delta",
                "delta": {"content": [{"index": 0, "type": "text", "text": {"value": "two "}}]},
            },
        }
    )
    clock.advance(0.1)
    texts = [s["message"]["text"] for p in wire.custom("patch") for s in p.get("steps", []) if s["message"]]
    assert texts[-1] == "one two "


def test_a_status_change_goes_out_without_waiting(card: RunCard, wire: Wire, clock: ManualClock) -> None:
    script = Script()
    card.apply(script.run("queued", event="created"))
    clock.advance(0)  # run what is due now; time does not move
    card.apply(script.run("in_progress"))
    clock.advance(0)
    statuses = [p["run"]["status"] for p in wire.custom("patch") if "run" in p]
    assert statuses == ["queued", "in_progress"]


def test_ten_thousand_fast_deltas_cost_a_bounded_number_of_messages(
    card: RunCard, wire: Wire, clock: ManualClock
) -> None:
    script = Script()
    pieces = [f"w{i} " for i in range(10_000)]
    events = script.text_run(pieces)
    gap = 0.0002  # 5,000 events per (fake) second
    feed(card, clock, events, gap=gap)
    clock.settle()
    elapsed = len(events) * gap
    status_changes = 4  # queued, in_progress, completed (+ created == queued: no change)
    assert len(wire.messages) <= elapsed * 20 + status_changes + 2, len(wire.messages)
    run, steps = fresh_views(events)
    assert card.run == run and card.steps == steps
    assert Store().replay(wire).step_list == steps


def test_patches_flow_at_the_allowed_rate_while_text_grows(
    card: RunCard, wire: Wire, clock: ManualClock
) -> None:
    """3,000 one-character deltas over 3 (fake) seconds: about 20 patches a second, never more."""
    feed(card, clock, Script().text_run(["x"] * 3000), gap=0.001)
    clock.settle()
    elapsed = 3.0
    patches = wire.custom("patch")
    assert elapsed * 20 * 0.8 <= len(patches) <= elapsed * 20 + 5
    # The text the front end shows grew patch after patch (as views, then as appends).
    store, shown = Store(), []
    for sent in wire.sent:
        store.take(sent)
        if sent.msg_type == "comm_msg" and store.steps:
            shown.append(len(store.text(store.order[0]) or ""))
    assert shown == sorted(shown) and len(set(shown)) > 50 and shown[-1] == 3000


def test_a_pause_checkpoints_the_traits(card: RunCard, wire: Wire, clock: ManualClock) -> None:
    events = Script().tool_calls_until_action(weather_calls())
    feed(card, clock, events, gap=0)
    clock.settle()
    run, steps = fresh_views(events)
    assert card.run == run and card.steps == steps
    assert card.run is not None and card.run["status"] == "requires_action"
    assert [c["name"] for c in card.run["required_action"]] == ["get_weather", "get_time"]
    update = wire.updates()[-1]
    assert {"run", "steps", "seq"} <= set(update)
    assert update["seq"] == card.seq


def test_the_whole_tool_round_trip_folds_in_order(card: RunCard, wire: Wire, clock: ManualClock) -> None:
    script = Script()
    events = script.tool_calls_until_action(weather_calls())[:-1]
    events += script.after_outputs({"call_1": "sunny", "call_2": "12:00"}, ["It is ", "sunny."])
    feed(card, clock, events)
    clock.settle()
    run, steps = fresh_views(events)
    assert card.run == run and card.steps == steps
    assert [s["type"] for s in card.steps] == ["tool_calls", "message_creation"]
    assert [c["output"] for c in card.steps[0]["tool_calls"]] == ["sunny", "12:00"]
    assert Store().replay(wire).step_list == steps


def test_a_thousand_steps(card: RunCard, wire: Wire, clock: ManualClock) -> None:
    script = Script()
    events = script.start()
    for i in range(1000):
        events += script.message_step([f"step {i} says hi"])
    events.append(script.run("completed"))
    feed(card, clock, events, gap=0.0005)
    clock.settle()
    assert len(card.steps) == 1000
    assert card.steps[999]["title"] == "step 999 says hi"
    store = Store().replay(wire)
    assert store.gaps == 0 and [s["id"] for s in store.step_list] == [s["id"] for s in card.steps]
    assert len(wire.messages) <= len(events) * 0.0005 * 20 + 5


def test_an_error_event_becomes_a_notice(card: RunCard, wire: Wire, clock: ManualClock) -> None:
    card.apply(
        {
            "event": "error",
            "data": {"error": {"message": "rate limited, retry later", "type": "server_error"}},
        }
    )
    clock.settle()
    assert card.notice == {"kind": "error", "text": "The server reported an error: rate limited, retry later"}


def test_repr(card: RunCard, clock: ManualClock) -> None:
    assert repr(card) == "<RunCard (no run yet)>"
    feed(card, clock, Script().text_run(["hi"]))
    assert repr(card) == "<RunCard run_1 completed 1 step>"


def test_a_card_made_from_a_run_starts_exact(wire: Wire) -> None:
    run = Script().run("requires_action", required_action={
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {"tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
    })["data"]  # fmt: skip
    card = RunCard(run, _scheduler=ManualClock())
    try:
        assert card.run is not None and card.run["status"] == "requires_action" and card.seq == 1
        assert card.run["required_action"][0]["name"] == "f"
        assert card.current_run is not None and card.current_run.id == "run_1"
    finally:
        card.close()


def test_unknown_events_change_nothing(card: RunCard, wire: Wire, clock: ManualClock) -> None:
    feed(card, clock, Script().text_run(["known"]))
    clock.settle()
    before = (card.run, card.steps, len(wire.messages))
    feed(
        card,
        clock,
        [{"event": "thread.run.step.sparkled", "data": {"id": "x"}}, {"event": "ping", "data": {}}],
    )
    clock.settle()
    assert (card.run, card.steps, len(wire.messages)) == before


def test_long_runs_get_smaller_caps_so_the_state_stays_small(
    card: RunCard, wire: Wire, clock: ManualClock
) -> None:
    """1,000 steps of 5,000 characters each: every view is re-capped as the run grows past a tier."""
    script = Script()
    events = script.start()
    for i in range(1000):
        events += script.message_step([f"step {i}: " + "y" * 5000])
    events.append(script.run("completed"))
    feed(card, clock, events, gap=0.001)
    clock.settle()
    assert card.caps == {"text": 300, "json": 300}
    assert all(len(s["message"]["text"]) == 300 and s["truncated"] for s in card.steps)
    size = len(json.dumps({"run": card.run, "steps": card.steps}))
    assert size < 1_000_000, size
    store = Store().replay(wire)
    assert store.gaps == 0 and store.step_list == card.steps
    caps_seen = [u["caps"]["text"] for u in wire.updates() if "caps" in u]
    assert caps_seen == [1000, 300]
    assert max(s.size for s in wire.messages) < 1_000_000


def test_static_renderings_mid_run_do_not_swallow_a_patch(
    card: RunCard, wire: Wire, clock: ManualClock
) -> None:
    """Displaying the card (or exporting it) while changes are pending leaves them for the next patch."""
    script = Script()
    feed(card, clock, script.start() + script.message_step(["one ", "two "])[:5])
    card.apply(script.message_step(["three"], step_id="step_0001", message_id="msg_0002")[4])
    card.static_html()
    card.to_html()
    card._repr_mimebundle_()
    clock.settle()
    store = Store().replay(wire)
    assert store.gaps == 0
    assert store.step_list[0]["message"]["text"] == "one three"
