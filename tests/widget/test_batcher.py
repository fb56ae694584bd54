"""The update batcher alone, on a manual clock: its spacing, its ceiling, and urgent flushes."""

from __future__ import annotations

import itertools

from run_widgets.widget.batcher import UpdateBatcher

from .wire import ManualClock


def sending(clock: ManualClock, times: list[float]) -> tuple[UpdateBatcher, list[float]]:
    """A batcher whose flush sends one message (as a card's patch does), recording when."""

    def flush() -> None:
        times.append(clock.now())
        batcher.sent()

    batcher = UpdateBatcher(flush, clock)
    return batcher, times


def most_in_a_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


def test_a_flood_of_changes_gives_at_most_twenty_flushes_a_second() -> None:
    clock = ManualClock()
    batcher, flushes = sending(clock, [])
    for _ in range(5000):  # a change every millisecond for 5 s
        batcher.changed()
        clock.advance(0.001)
    clock.settle()
    assert 95 <= len(flushes) <= 101
    assert most_in_a_second(flushes) <= 20
    gaps = [b - a for a, b in itertools.pairwise(flushes)]
    assert min(gaps) >= 0.05 - 1e-9


def test_urgent_flushes_skip_the_interval_but_never_the_budget_of_the_second() -> None:
    clock = ManualClock()
    flushes: list[tuple[float, str]] = []
    kind = {"next": "regular"}

    def flush() -> None:
        flushes.append((clock.now(), kind["next"]))
        kind["next"] = "regular"
        batcher.sent()

    batcher = UpdateBatcher(flush, clock)
    urgent_at: list[float] = []
    for i in range(5000):
        if i % 250 == 125:  # a status change every 250 ms
            kind["next"] = "urgent"
            urgent_at.append(clock.now())
            batcher.urgent()
            clock.advance(0)
        batcher.changed()
        clock.advance(0.001)
    clock.settle()
    urgent = [t for t, k in flushes if k == "urgent"]
    assert len(urgent) == len(urgent_at)
    delays = [t - asked for t, asked in zip(urgent, urgent_at, strict=True)]
    # mid-stream the second's budget is full, so a status may wait for the next free slot: a few
    # intervals at most, since regular flushes keep the slots spread out
    assert all(0 <= d <= 0.15 for d in delays)
    assert max(delays) > 0  # the budget did bind: this is not the quiet case
    assert most_in_a_second([t for t, _ in flushes]) <= 20


def test_an_urgent_flush_on_a_quiet_card_goes_out_at_once() -> None:
    clock = ManualClock()
    batcher, flushes = sending(clock, [])
    batcher.changed()
    clock.advance(0)
    batcher.urgent()  # right after a flush: the interval does not hold a status back
    clock.advance(0)
    assert flushes == [0.0, 0.0]


def test_a_quiet_card_sends_nothing_and_a_single_change_goes_out_without_delay() -> None:
    clock = ManualClock()
    batcher, flushes = sending(clock, [])
    clock.advance(10)
    assert flushes == []
    batcher.changed()
    clock.advance(0)
    assert flushes == [10.0]  # the first change after a quiet spell is not held back
    batcher.changed()
    clock.advance(0.01)
    assert flushes == [10.0]  # the next one waits for the interval
    clock.advance(0.05)
    assert flushes == [10.0, 10.05]


def test_messages_sent_outside_flushes_take_slots_and_the_end_waits_for_room() -> None:
    clock = ManualClock()
    batcher, flushes = sending(clock, [])
    batcher.sent()  # say the card's `following` trait went out as the stream began
    for _ in range(2000):  # then a change every millisecond for 2 s
        batcher.changed()
        clock.advance(0.001)
    ended: list[float] = []

    def end() -> None:  # the end's checkpoint
        ended.append(clock.now())
        batcher.sent()

    batcher.when_free(end)
    clock.settle()
    assert len(ended) == 1
    assert most_in_a_second([0.0, *flushes, *ended]) <= 20


def test_the_end_waits_for_room_when_the_second_is_full() -> None:
    clock = ManualClock()
    batcher = UpdateBatcher(lambda: None, clock)
    for _ in range(20):  # twenty answers to the front end in 20 ms
        batcher.sent()
        clock.advance(0.001)
    ended: list[float] = []
    batcher.when_free(lambda: ended.append(clock.now()))
    clock.advance(0.5)
    assert ended == []  # held back: the second already had its twenty
    clock.advance(0.5)
    assert ended == [1.0]  # as soon as the first of them left the window
