"""The card's status badges, header and clocks, in Chromium, from states made from event streams."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from . import streams
from .harness import CardPage
from .states import feed, state_of

pytestmark = pytest.mark.browser

WORDS = {
    "queued": "Queued",
    "in_progress": "In progress",
    "requires_action": "Requires action",
    "cancelling": "Cancelling",
    "cancelled": "Cancelled",
    "failed": "Failed",
    "completed": "Completed",
    "incomplete": "Incomplete",
    "expired": "Expired",
}


@pytest.mark.parametrize("status", streams.RUN_STATUSES)
def test_every_run_status_has_its_badge(card: CardPage, status: str) -> None:
    card.mount(state_of(streams.run_in_status(status)))
    badge = card.page.get_by_role("status").filter(has_text=WORDS[status])
    expect(badge).to_have_attribute("data-status", status)
    expect(badge).to_have_attribute("aria-atomic", "true")
    # The word is read out with its meaning, not as a bare colour.
    expect(badge).to_have_text(f"Run status: {WORDS[status]}")
    assert badge.locator(".rw-i").count() == 1
    expect(card.page.locator(".rw-card")).to_have_attribute("data-status", status)


def test_the_nine_statuses_look_different(card: CardPage) -> None:
    colours, icons = {}, {}
    for status in streams.RUN_STATUSES:
        card.mount(state_of(streams.run_in_status(status)))
        badge = card.page.locator(".rw-badge")
        colours[status] = badge.evaluate("el => getComputedStyle(el).color")
        icons[status] = badge.locator(".rw-i").evaluate(
            "el => getComputedStyle(el).getPropertyValue('--rw-icon')"
        )
        card.page.evaluate("host.unmount()")
    assert len(set(colours.values())) == 9, colours
    assert len(set(icons.values())) == 9, icons


def test_step_statuses_have_icons_and_words(card: CardPage) -> None:
    card.mount(state_of(streams.step_statuses_run()))
    rows = card.page.locator(".rw-step")
    expect(rows).to_have_count(len(streams.STEP_STATUSES))
    words = {
        "in_progress": "In progress",
        "cancelled": "Cancelled",
        "failed": "Failed",
        "completed": "Completed",
        "expired": "Expired",
    }
    icons = set()
    for i, status in enumerate(streams.STEP_STATUSES):
        expect(rows.nth(i)).to_have_attribute("data-status", status)
        mark = rows.nth(i).get_by_role("img", name=words[status], exact=True)
        expect(mark).to_have_attribute("title", words[status])
        icons.add(mark.evaluate("el => getComputedStyle(el).getPropertyValue('--rw-icon')"))
    # Each step's button reads as "<type> <status> <title>" to a screen reader.
    expect(rows.nth(0).locator(".rw-step-head")).to_have_accessible_name(
        re.compile(r"^Function call In progress tool_in_progress\(n=1\) \d+ s$")
    )
    assert len(icons) == len(streams.STEP_STATUSES)


def test_header_shows_ids_model_usage_and_duration(card: CardPage, context: Any) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    script = streams.completed_run()
    card.mount(state_of(script))
    head = card.page.locator(".rw-head")
    expect(head).to_contain_text(script.run["id"])
    expect(head.locator(".rw-model")).to_have_text("gpt-4o-mini")
    expect(head.get_by_test_id("usage")).to_have_text("tokens812 prompt + 434 completion = 1,246")
    # Duration after the run: from start to completion, in seconds (the script's clock).
    seconds = script.run["completed_at"] - script.run["started_at"]
    expect(head.get_by_test_id("duration")).to_have_text(f"{seconds} s")
    expect(head.get_by_test_id("elapsed")).to_have_count(0)
    # No cancel button once the run is over.
    expect(card.page.get_by_test_id("cancel")).to_have_count(0)
    # Each id has a copy button that copies the full id.
    for label, value in (
        ("run id", script.run["id"]),
        ("thread id", script.run["thread_id"]),
        ("assistant id", script.run["assistant_id"]),
    ):
        card.page.get_by_role("button", name=f"Copy the {label}").click()
        expect(card.page.get_by_role("button", name=f"Copy the {label}")).to_have_attribute("data-copied", "")
        assert card.page.evaluate("navigator.clipboard.readText()") == value


def test_running_card_ticks_and_can_be_cancelled(card: CardPage) -> None:
    script, _ = streams.streaming_run()
    fed = feed(script)
    card.mount(fed.state() | {"following": True})  # as when the kernel follows the stream
    elapsed = card.page.get_by_test_id("elapsed")
    first = elapsed.inner_text()
    expect(elapsed).not_to_have_text(first, timeout=3000)  # it ticks once a second
    expect(card.page.locator(".rw-live")).to_be_visible()
    assert card.page.evaluate("host.intervals()") == 1

    card.page.get_by_test_id("cancel").click()
    expect(card.page.get_by_test_id("cancel")).to_be_disabled()
    request = card.ack("cancel", ok=False, error="the run is already completed")
    assert set(request) == {"type", "req_id"}
    expect(card.page.get_by_role("alert")).to_have_text("Could not cancel: the run is already completed")
    expect(card.page.get_by_test_id("cancel")).to_be_enabled()

    # The kernel reports the run stopped: the clock stops and the cancel button goes.
    seen = len(script.events)
    script.status("cancelling").tick(1).status("cancelled")
    fed.take_log()
    for event in script.events[seen:]:
        fed.apply(event)
    card.deliver(fed.take_log())
    fed.close()
    expect(card.page.locator(".rw-badge")).to_have_attribute("data-status", "cancelled")
    expect(card.page.get_by_test_id("cancel")).to_have_count(0)
    card.page.wait_for_function("host.intervals() === 0")  # effects clean up after the render


def test_clock_stops_when_the_card_is_removed(card: CardPage) -> None:
    script, _ = streams.streaming_run()
    card.mount(state_of(script))
    assert card.page.evaluate("host.intervals()") == 1
    card.page.evaluate("host.unmount()")
    card.page.wait_for_function("host.intervals() === 0")  # Preact runs effect cleanups just after
    assert card.page.evaluate("host.model.listenerCount()") == 0
    assert card.page.locator("#root").inner_html() == ""


def test_requires_action_shows_the_expiry_countdown(card: CardPage) -> None:
    script, _ = streams.requires_action_run()
    # Make the deadline relative to the browser's clock: 9 min 30 s from now.
    state = state_of(script)
    now = card.page.evaluate("Math.floor(Date.now() / 1000)")
    state["run"]["expires_at"] = now + 570
    card.mount(state)
    countdown = card.page.get_by_test_id("countdown")
    expect(countdown).to_contain_text("expires in 9:")
    expect(countdown).not_to_have_class("rw-countdown rw-urgent")
    state["run"]["expires_at"] = now + 20
    card.traits({"run": state["run"], "seq": state["seq"]})
    expect(countdown).to_have_class("rw-countdown rw-urgent")
    expect(card.page.get_by_test_id("cancel")).to_be_visible()


def test_a_card_before_the_first_event(card: CardPage) -> None:
    card.mount(
        {
            "protocol": 1,
            "seq": 0,
            "run": None,
            "steps": [],
            "following": True,
            "notice": None,
            "python_tools": [],
            "auto_tools": False,
            "caps": {"text": 100, "json": 100},
        }
    )
    expect(card.page.get_by_test_id("no-run")).to_have_text("Starting the run…")
    script = streams.completed_run()
    card.traits(state_of(script) | {"seq": 1})
    expect(card.page.locator(".rw-badge")).to_have_attribute("data-status", "completed")


def test_notice_from_the_kernel(card: CardPage) -> None:
    script, _ = streams.streaming_run()
    card.mount(
        state_of(script) | {"notice": {"kind": "info", "text": "The stream dropped; polling every 2 s."}}
    )
    expect(card.page.get_by_test_id("notice")).to_have_text("The stream dropped; polling every 2 s.")
    expect(card.page.get_by_test_id("notice")).to_have_attribute("role", "status")
    card.traits({"notice": {"kind": "error", "text": "Lost the run: 404 Not Found."}})
    expect(card.page.get_by_test_id("notice")).to_have_attribute("role", "alert")
    card.traits({"notice": None})
    expect(card.page.get_by_test_id("notice")).to_have_count(0)
