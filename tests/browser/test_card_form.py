"""The tool-output form: one field per pending call, the submit payload, failures that keep the input,
a kernel that never answers, drafts that survive re-renders, and Python tools run by the kernel."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from . import streams
from .harness import CardPage
from .states import Feed, feed, state_of

pytestmark = pytest.mark.browser


def _form_state(**options: Any) -> tuple[dict[str, Any], list[str], streams.RunScript]:
    script, ids = streams.requires_action_run()
    return state_of(script, **options), ids, script


def _form_feed(**options: Any) -> tuple[Feed, list[str], streams.RunScript]:
    script, ids = streams.requires_action_run()
    return feed(script, **options), ids, script


def test_one_field_per_pending_call_with_name_and_arguments(card: CardPage, screenshot: Any) -> None:
    state, ids, _ = _form_state()
    card.mount(state)
    form = card.page.get_by_test_id("tool-form")
    expect(form).to_be_visible()
    expect(form.locator(".rw-form-title")).to_have_text("The run is waiting for 2 tool outputs")
    fields = form.locator(".rw-field")
    expect(fields).to_have_count(2)
    assert fields.evaluate_all("fs => fs.map(f => f.dataset.toolCallId)") == ids
    expect(fields.nth(0).get_by_test_id("field-name")).to_have_text("get_weather")
    expect(fields.nth(0).get_by_test_id("field-args")).to_have_text('(city="Paris")')
    expect(fields.nth(1).get_by_test_id("field-name")).to_have_text("get_time")
    # Each textarea is labelled by its call, and described by the arguments.
    first = form.get_by_role("textbox", name="Output of get_weather")
    expect(first).to_have_attribute(
        "aria-describedby", fields.nth(0).get_by_test_id("field-args").get_attribute("id") or ""
    )
    first.fill('{"temp_c": 18}')
    screenshot(card.page.locator(".rw-card"), "requires-action-form")


def test_submit_all_sends_every_output_and_follows_on(card: CardPage) -> None:
    fed, ids, script = _form_feed()
    state = fed.state()
    card.mount(state)
    form = card.page.get_by_test_id("tool-form")
    form.get_by_role("textbox", name="Output of get_weather").fill('{"temp_c": 18, "sky": "sunny"}')
    form.get_by_role("textbox", name="Output of get_time").fill("14:05")
    form.get_by_test_id("submit-all").click()
    # In flight: everything disabled, the button says so.
    expect(form.get_by_test_id("submit-all")).to_have_text("Submitting…")
    expect(form.get_by_test_id("submit-all")).to_be_disabled()
    expect(form.get_by_role("textbox", name="Output of get_weather")).to_be_disabled()
    expect(form).to_have_attribute("aria-busy", "true")
    submits = card.sent("submit_tool_outputs")
    assert len(submits) == 1
    request = submits[0]
    assert set(request) == {"type", "req_id", "outputs"}
    assert request["outputs"] == [
        {"tool_call_id": ids[0], "output": '{"temp_c": 18, "sky": "sunny"}'},
        {"tool_call_id": ids[1], "output": "14:05"},
    ]
    card.ack("submit_tool_outputs")
    expect(form.get_by_test_id("submit-all")).to_have_text("Submit all")
    # The kernel follows the run on: the same card shows it running again, the form goes away.
    step_id = next(s["id"] for s in state["steps"] if s["type"] == "tool_calls")
    seen = len(script.events)
    script.submit_outputs(step_id, ['{"temp_c": 18, "sky": "sunny"}', "14:05"])
    fed.take_log()
    for event in script.events[seen:]:
        fed.apply(event)
    card.deliver(fed.take_log())
    expect(card.page.get_by_test_id("tool-form")).to_have_count(0)
    expect(card.page.locator(".rw-badge")).to_have_attribute("data-status", "in_progress")
    fed.close()


def test_a_failed_submit_shows_the_error_and_keeps_the_input(card: CardPage, screenshot: Any) -> None:
    state, _, _ = _form_state()
    card.mount(state)
    form = card.page.get_by_test_id("tool-form")
    weather = form.get_by_role("textbox", name="Output of get_weather")
    weather.fill("sunny, 18 °C")
    form.get_by_role("textbox", name="Output of get_time").fill("14:05")
    form.get_by_test_id("submit-all").click()
    card.ack("submit_tool_outputs", ok=False, error="the run expired: its outputs were due at 14:00")
    expect(form.get_by_test_id("form-error")).to_have_text("the run expired: its outputs were due at 14:00")
    expect(form.get_by_test_id("form-error")).to_have_attribute("role", "alert")
    expect(weather).to_have_value("sunny, 18 °C")
    expect(weather).to_be_enabled()
    expect(form.get_by_test_id("submit-all")).to_be_enabled()
    screenshot(card.page.locator(".rw-card"), "requires-action-failed-submit")
    # A patch while the error shows keeps the input too.
    card.custom({"type": "patch", "seq": state["seq"] + 1, "run": state["run"]})
    expect(weather).to_have_value("sunny, 18 °C")
    # Trying again sends what is in the fields now.
    form.get_by_test_id("submit-all").click()
    assert card.sent("submit_tool_outputs")[-1]["outputs"][0]["output"] == "sunny, 18 °C"


def test_a_submission_waits_for_its_answer_however_late(context: Any) -> None:
    """A busy kernel (a cell running) answers late: the form stays locked, says why, and shows the
    outcome when it comes. Unlocking on a time-out would let the user submit twice."""
    # A fake clock, installed before the page loads: 16 s pass in no time.
    card = CardPage(context, before_load=lambda page: page.clock.install())
    state, _, _ = _form_state()
    card.mount(state)
    form = card.page.get_by_test_id("tool-form")
    form.get_by_role("textbox", name="Output of get_weather").fill("18 °C")
    form.get_by_role("textbox", name="Output of get_time").fill("14:05")
    form.get_by_test_id("submit-all").click()
    expect(form.get_by_test_id("form-progress-text")).to_have_text("Submitting the outputs…")
    card.page.clock.run_for(16_000)
    expect(form.get_by_test_id("form-slow")).to_contain_text("The kernel has not answered yet")
    expect(form.get_by_test_id("form-error")).to_have_count(0)
    expect(form.get_by_test_id("submit-all")).to_be_disabled()
    expect(form.get_by_role("textbox", name="Output of get_weather")).to_have_value("18 °C")
    assert len(card.sent("submit_tool_outputs")) == 1
    # The late answer is taken: here a refusal, shown with everything typed still there.
    card.ack("submit_tool_outputs", ok=False, error="the run expired: its outputs were due at 14:00")
    expect(form.get_by_test_id("form-error")).to_have_text("the run expired: its outputs were due at 14:00")
    expect(form.get_by_test_id("form-slow")).to_have_count(0)
    expect(form.get_by_role("textbox", name="Output of get_weather")).to_have_value("18 °C")
    expect(form.get_by_test_id("submit-all")).to_be_enabled()
    assert not card.errors, card.errors


def test_drafts_survive_a_re_render_of_the_view(card: CardPage) -> None:
    state, _, _ = _form_state()
    card.mount(state)
    card.page.get_by_role("textbox", name="Output of get_time").fill("noon")
    # The notebook re-creates the view (scrolling back, update_display): the model's store remains.
    card.page.evaluate("host.unrender()")
    expect(card.page.locator(".rw-card")).to_have_count(0)
    card.page.evaluate("host.render()")
    expect(card.page.get_by_role("textbox", name="Output of get_time")).to_have_value("noon")
    # Drafts never go into the traits.
    assert card.page.evaluate("host.model.saved.length") == 0


def test_focus_stays_in_the_field_while_patches_arrive(card: CardPage) -> None:
    state, _, _ = _form_state()
    card.mount(state)
    field = card.page.get_by_role("textbox", name="Output of get_weather")
    field.click()
    field.type("sun")
    for seq in range(1, 4):
        card.custom(
            {"type": "patch", "seq": state["seq"] + seq, "run": state["run"], "steps": state["steps"]}
        )
    field.type("ny")
    expect(field).to_be_focused()
    expect(field).to_have_value("sunny")


def test_python_tools_run_in_the_kernel(card: CardPage) -> None:
    state, ids, _ = _form_state(python_tools=["get_weather"])
    card.mount(state)
    form = card.page.get_by_test_id("tool-form")
    weather = form.locator(f'.rw-field[data-tool-call-id="{ids[0]}"]')
    expect(weather.locator(".rw-chip")).to_have_text("Python")
    expect(form.locator(f'.rw-field[data-tool-call-id="{ids[1]}"]').get_by_test_id("run-tool")).to_have_count(
        0
    )
    # "Run": the kernel computes the output and the field shows it; nothing is submitted.
    weather.get_by_test_id("run-tool").click()
    request = card.ack("run_tools", outputs={ids[0]: '{"temp_c": 18}'})
    assert request["tool_call_ids"] == [ids[0]] and request["submit"] is False
    expect(form.get_by_role("textbox", name="Output of get_weather")).to_have_value('{"temp_c": 18}')
    # "Run and submit": the Python calls run, the others go with what the user typed.
    form.get_by_role("textbox", name="Output of get_time").fill("14:05")
    form.get_by_test_id("run-and-submit").click()
    expect(form.get_by_test_id("run-and-submit")).to_have_text("Running…")
    request = card.sent("run_tools")[-1]
    assert request == {
        "type": "run_tools",
        "req_id": request["req_id"],
        "tool_call_ids": [ids[0]],
        "submit": True,
        "drafts": {ids[1]: "14:05"},
    }
    card.ack("run_tools", ok=False, error="get_weather raised KeyError: 'city'")
    expect(form.get_by_test_id("form-error")).to_have_text("get_weather raised KeyError: 'city'")
    expect(form.get_by_role("textbox", name="Output of get_time")).to_have_value("14:05")


def test_automatic_python_tools_are_announced(card: CardPage) -> None:
    state, _, _ = _form_state(python_tools=["get_weather", "get_time"], auto_tools=True)
    card.mount(state)
    form = card.page.get_by_test_id("tool-form")
    expect(form.locator(".rw-auto-note")).to_have_text("Python tools run and submit automatically.")
    expect(form.locator(".rw-chip").first).to_have_text("Python · auto")
    assert json.loads(json.dumps(card.sent())) == []  # the kernel does it; the page asks nothing
