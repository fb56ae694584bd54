"""The card's finer points of use: slow Python tools, empty outputs, arguments the kernel shortened,
step changes told to screen readers, messages that stay open under the reader, and images the model
wrote into its text. States come from the real Python RunCard; the page is the built bundle."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from . import streams
from .harness import CardPage
from .states import feed, state_of, streamed

pytestmark = pytest.mark.browser

# --- slow Python tools ----------------------------------------------------------------------------


def test_slow_python_tools_keep_the_form_locked_until_their_outcome(context: Any) -> None:
    card = CardPage(context, before_load=lambda page: page.clock.install())
    script, ids = streams.requires_action_run()
    card.mount(state_of(script, python_tools=["get_weather"]))
    form = card.page.get_by_test_id("tool-form")
    form.get_by_role("textbox", name="Output of get_time").fill("14:05")
    form.get_by_test_id("run-and-submit").click()
    progress = form.get_by_test_id("form-progress")
    expect(progress.get_by_role("status")).to_contain_text(
        "Running get_weather, then submitting all outputs…"
    )
    # Far past the old 15 s time-out: still locked, still running, and saying why.
    card.page.clock.run_for(40_000)
    expect(form.get_by_test_id("form-slow")).to_contain_text("The form stays locked until it answers")
    expect(progress).to_contain_text("40 s")
    expect(form.get_by_test_id("form-error")).to_have_count(0)
    for control in ("submit-all", "run-and-submit"):
        expect(form.get_by_test_id(control)).to_be_disabled()
    expect(form.get_by_role("textbox", name="Output of get_time")).to_be_disabled()
    # Enter in a field cannot submit either: one request went out, and no submission.
    form.get_by_role("textbox", name="Output of get_time").press("Enter")
    assert len(card.sent("run_tools")) == 1
    assert card.sent("submit_tool_outputs") == []
    # The late outcome shows: the tool's output in its field, the kernel's error, the form usable again.
    card.ack("run_tools", ok=False, outputs={ids[0]: '{"temp_c": 18}'}, error="the run expired meanwhile")
    expect(form.get_by_test_id("form-error")).to_have_text("the run expired meanwhile")
    expect(form.get_by_role("textbox", name="Output of get_weather")).to_have_value('{"temp_c": 18}')
    expect(form.get_by_role("textbox", name="Output of get_time")).to_have_value("14:05")
    expect(progress.get_by_role("status")).to_have_text("")
    expect(form.get_by_test_id("run-and-submit")).to_be_enabled()
    assert not card.errors, card.errors


def test_a_late_successful_run_and_submit_clears_the_form(context: Any) -> None:
    card = CardPage(context, before_load=lambda page: page.clock.install())
    script, ids = streams.requires_action_run()
    card.mount(state_of(script, python_tools=["get_weather", "get_time"]))
    form = card.page.get_by_test_id("tool-form")
    form.get_by_test_id("run-and-submit").click()
    expect(form.get_by_test_id("form-progress-text")).to_have_text(
        "Running get_weather, get_time, then submitting all outputs…"
    )
    card.page.clock.run_for(20_000)
    card.ack("run_tools", outputs={ids[0]: "sunny", ids[1]: "noon"})
    expect(form.get_by_test_id("form-progress-text")).to_have_text("")
    expect(form.get_by_test_id("form-error")).to_have_count(0)
    # Submitted: the drafts are gone (the run moves on and the form with it).
    expect(form.get_by_role("textbox", name="Output of get_weather")).to_have_value("")


# --- empty outputs --------------------------------------------------------------------------------


def test_empty_outputs_need_a_second_deliberate_click(card: CardPage) -> None:
    script, ids = streams.requires_action_run()
    card.mount(state_of(script))
    form = card.page.get_by_test_id("tool-form")
    submit = form.get_by_test_id("submit-all")
    form.get_by_role("textbox", name="Output of get_weather").fill("sunny")
    form.get_by_role("textbox", name="Output of get_time").fill("   ")  # spaces are empty too
    submit.click()
    warning = form.get_by_test_id("empty-warning")
    expect(warning).to_have_text(
        "No output for get_time. Fill it in, or click “Submit with empty outputs” to send it empty."
    )
    expect(warning).to_have_attribute("role", "alert")
    expect(submit).to_have_text("Submit with empty outputs")
    expect(form.get_by_role("textbox", name="Output of get_time")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_role("textbox", name="Output of get_weather")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    assert card.sent("submit_tool_outputs") == []
    # Typing answers the warning: the next click checks again.
    form.get_by_role("textbox", name="Output of get_time").fill("")
    expect(warning).to_have_count(0)
    expect(submit).to_have_text("Submit all")
    submit.click()
    expect(warning).to_be_visible()
    assert card.sent("submit_tool_outputs") == []
    # The second click sends, empty output and all.
    submit.click()
    (request,) = card.sent("submit_tool_outputs")
    assert request["outputs"] == [
        {"tool_call_id": ids[0], "output": "sunny"},
        {"tool_call_id": ids[1], "output": ""},
    ]
    expect(warning).to_have_count(0)


def test_nothing_empty_sends_on_the_first_click(card: CardPage) -> None:
    script, ids = streams.requires_action_run()
    card.mount(state_of(script))
    form = card.page.get_by_test_id("tool-form")
    form.get_by_role("textbox", name="Output of get_weather").fill("sunny")
    form.get_by_role("textbox", name="Output of get_time").fill("noon")
    form.get_by_test_id("submit-all").click()
    (request,) = card.sent("submit_tool_outputs")
    assert request["outputs"] == [
        {"tool_call_id": ids[0], "output": "sunny"},
        {"tool_call_id": ids[1], "output": "noon"},
    ]
    expect(form.get_by_test_id("empty-warning")).to_have_count(0)


def test_run_and_submit_asks_only_about_fields_no_python_tool_answers(card: CardPage) -> None:
    script, ids = streams.requires_action_run()
    card.mount(state_of(script, python_tools=["get_weather"]))
    form = card.page.get_by_test_id("tool-form")
    run_and_submit = form.get_by_test_id("run-and-submit")
    run_and_submit.click()
    expect(form.get_by_test_id("empty-warning")).to_contain_text("No output for get_time.")
    expect(run_and_submit).to_have_text("Run and submit with empty outputs")
    assert card.sent("run_tools") == []
    run_and_submit.click()
    (request,) = card.sent("run_tools")
    assert request["tool_call_ids"] == [ids[0]] and request["submit"] is True
    assert request["drafts"] == {ids[1]: ""}


def test_the_warning_names_twin_calls_by_their_arguments(card: CardPage) -> None:
    s = streams.RunScript(run_id="run_twins")
    s.start()
    step_id, _ = s.function_calls([("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Oslo"})])
    s.require_action(step_id)
    card.mount(state_of(s))
    form = card.page.get_by_test_id("tool-form")
    form.get_by_test_id("submit-all").click()
    expect(form.get_by_test_id("empty-warning")).to_have_text(
        'No outputs for get_weather(city="Paris"), get_weather(city="Oslo"). Fill them in, or click '
        "“Submit with empty outputs” to send them empty."
    )


# --- arguments shortened by the kernel ---------------------------------------------------------------

LONG_ARGS = {"city": "Paris", "notes": "cloudy with sunny spells " * 400}


def test_shortened_arguments_in_the_form_are_not_called_invalid(card: CardPage) -> None:
    s = streams.RunScript(run_id="run_longargs")
    s.start()
    step_id, _ = s.function_calls([("get_weather", LONG_ARGS)])
    s.require_action(step_id)
    state = state_of(s)
    assert state["run"]["required_action"][0]["truncated"] is True
    card.mount(state)
    field = card.page.get_by_test_id("tool-form").locator(".rw-field")
    expect(field.get_by_test_id("args-shortened")).to_have_text(
        "arguments shortened by the kernel; open the step below to see them all"
    )
    expect(field.get_by_test_id("args-invalid")).to_have_count(0)
    # The step itself (waiting for its output): shortened, not invalid.
    step = card.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    step.locator(".rw-step-head").click()
    arguments = step.get_by_test_id("call-arguments")
    expect(arguments.get_by_test_id("json-shortened")).to_contain_text("Shortened by the kernel to its first")
    expect(arguments.get_by_test_id("invalid-json")).to_have_count(0)


def test_shortened_arguments_of_a_finished_step_then_the_full_step(card: CardPage) -> None:
    s = streams.RunScript(run_id="run_longargs2")
    s.start()
    step_id, _ = s.function_calls([("get_weather", LONG_ARGS)], outputs=['{"temp_c": 18}'])
    s.message("Done.")
    s.status("completed")
    fed = feed(s)
    card.mount(fed.state())
    step = card.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    step.locator(".rw-step-head").click()
    arguments = step.get_by_test_id("call-arguments")
    expect(arguments.get_by_test_id("json-shortened")).to_be_visible()
    expect(arguments.get_by_test_id("invalid-json")).to_have_count(0)
    # Opening a finished, capped step asks for the full one; with it, the arguments are whole JSON.
    request = card.ack("detail", step=fed.full_step(step_id))
    assert request["step_id"] == step_id
    expect(arguments.get_by_test_id("json-shortened")).to_have_count(0)
    expect(arguments.get_by_test_id("invalid-json")).to_have_count(0)
    expect(arguments.locator("pre")).to_contain_text('"city": "Paris"')
    fed.close()


def test_arguments_still_streaming_get_no_warning(card: CardPage) -> None:
    s = streams.RunScript(run_id="run_partial")
    s.start()
    step_id, _ = s.function_calls([("get_weather", '{"city": "Pa')])  # in progress, arguments half-way
    card.mount(state_of(s))
    step = card.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    step.locator(".rw-step-head").click()
    arguments = step.get_by_test_id("call-arguments")
    expect(arguments.locator("pre")).to_have_text('{"city": "Pa')
    expect(arguments.get_by_test_id("invalid-json")).to_have_count(0)
    expect(arguments.get_by_test_id("json-shortened")).to_have_count(0)


def test_invalid_arguments_of_a_finished_step_still_warn(card: CardPage) -> None:
    card.mount(state_of(streams.invalid_json_run()))
    step = card.page.locator(".rw-step").first
    step.locator(".rw-step-head").click()
    expect(step.get_by_test_id("call-arguments").get_by_test_id("invalid-json")).to_contain_text(
        "Not valid JSON"
    )


# --- step changes told to screen readers ---------------------------------------------------------------

RECORD_ANNOUNCEMENTS = """() => {
  const region = document.querySelector('[data-testid="step-announcer"]');
  window.__said = [];
  new MutationObserver(() => window.__said.push(region.textContent)).observe(
    region, { childList: true, characterData: true, subtree: true });
  return region.getAttribute('aria-live');
}"""


def _tool_then_message() -> streams.RunScript:
    s = streams.RunScript(run_id="run_announce")
    s.start()
    s.tick(1)
    s.function_calls([("get_weather", {"city": "Paris"})], outputs=['{"temp_c": 18}'])
    s.tick(1)
    s.message("It is sunny in Paris.", chunk_words=2)
    s.status("completed")
    return s


def test_step_changes_are_announced_politely(card: CardPage) -> None:
    s = _tool_then_message()
    # The page opens while the function call runs (its step created, not done).
    split = next(i for i, e in enumerate(s.events) if e["event"] == "thread.run.step.in_progress") + 1
    state, patches, fed = streamed(s, split)
    card.mount(state)
    assert card.page.evaluate(RECORD_ANNOUNCEMENTS) == "polite"
    expect(card.page.get_by_test_id("step-announcer")).to_have_attribute("role", "status")
    for patch in patches:
        card.custom(patch)
    card.page.wait_for_function(
        "() => window.__said.join(' ').includes('Step 2, message: completed.')", timeout=10_000
    )
    said = " ".join(card.page.evaluate("window.__said"))
    assert "Step 1, get_weather: completed." in said
    # Nothing about the step already there when the card appeared, and no step read out twice as done.
    assert said.count("Step 1, get_weather: completed.") == 1
    assert "in progress" not in said.split("Step 1, get_weather: completed.")[0]
    fed.close()


def test_a_burst_of_step_changes_is_one_summary(card: CardPage) -> None:
    s = streams.many_steps_run(12)
    s.status("completed")
    split = 4
    state, _, fed = streamed(s, split)
    card.mount(state)
    card.page.evaluate(RECORD_ANNOUNCEMENTS)
    # Twelve steps arrive at once (a resync's snapshot): one announcement, not twelve.
    card.custom(fed.snapshot_message())
    card.page.wait_for_function("() => window.__said.length > 0", timeout=10_000)
    said = card.page.evaluate("window.__said")
    assert len(said) == 1, said
    assert said[0] == "12 steps changed: 12 completed. Latest: Step 12, message: completed."
    fed.close()


# --- messages stay open under the reader -------------------------------------------------------------


def _two_messages() -> streams.RunScript:
    s = streams.RunScript(run_id="run_reading")
    s.start()
    s.message("First, the forecast: sunny all week.", chunk_words=3)
    s.tick(1)
    s.function_calls([("get_weather", {"city": "Paris"})], outputs=['{"temp_c": 18}'])
    s.tick(1)
    s.message("Then the details, word by word.", chunk_words=2)
    s.status("completed")
    return s


def test_a_message_open_by_default_stays_open_when_the_next_one_starts(card: CardPage) -> None:
    s = _two_messages()
    second_created = [i for i, e in enumerate(s.events) if e["event"] == "thread.run.step.created"][2]
    state, patches, fed = streamed(s, second_created)
    card.mount(state)
    rows = card.page.locator(".rw-step")
    first = rows.nth(0).locator(".rw-step-head")
    expect(first).to_have_attribute("aria-expanded", "true")  # the latest message, open by default
    for patch in patches:
        card.custom(patch)
    expect(rows).to_have_count(3)
    expect(rows.nth(2).locator(".rw-step-head")).to_have_attribute("aria-expanded", "true")
    # The one being read did not fold away.
    expect(first).to_have_attribute("aria-expanded", "true")
    expect(rows.nth(0).locator(".rw-md")).to_contain_text("First, the forecast")
    # Kept in the card's state: a new view of the same card shows it open too.
    card.page.evaluate("host.unrender()")
    card.page.evaluate("host.render()")
    expect(card.page.locator(".rw-step").nth(0).locator(".rw-step-head")).to_have_attribute(
        "aria-expanded", "true"
    )
    fed.close()


def test_a_message_the_user_closed_stays_closed(card: CardPage) -> None:
    s = _two_messages()
    second_created = [i for i, e in enumerate(s.events) if e["event"] == "thread.run.step.created"][2]
    state, patches, fed = streamed(s, second_created)
    card.mount(state)
    first = card.page.locator(".rw-step").nth(0).locator(".rw-step-head")
    first.click()
    expect(first).to_have_attribute("aria-expanded", "false")
    for patch in patches:
        card.custom(patch)
    expect(card.page.locator(".rw-step")).to_have_count(3)
    expect(first).to_have_attribute("aria-expanded", "false")
    fed.close()


def test_a_saved_long_run_opens_only_its_latest_message(card: CardPage) -> None:
    s = streams.many_steps_run(1000)
    card.mount(state_of(s))
    expect(card.page.locator(".rw-step-head[aria-expanded=true]")).to_have_count(1)
    expect(card.page.locator(".rw-step").last.locator(".rw-step-head")).to_have_attribute(
        "aria-expanded", "true"
    )


# --- images the model wrote into its text --------------------------------------------------------------

FAKE_DIALOG_PNG = streams.PNG_DATA_URL


def test_a_data_url_image_in_markdown_shows_only_on_a_click(card: CardPage) -> None:
    text = (
        f"Scan this to log in: ![Sign in to Jupyter]({FAKE_DIALOG_PNG})\n\n"
        f'<img src="{FAKE_DIALOG_PNG}" onerror="window.__pwned=1">\n\n'
        "![svg](data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=)"
    )
    s = streams.RunScript(run_id="run_dataimg")
    s.start()
    s.message(text, chunk_words=4)
    s.status("completed")
    card.mount(state_of(s))
    md = card.page.locator(".rw-md")
    expect(md).to_contain_text("Scan this to log in")
    expect(md.locator("img")).to_have_count(0)
    button = md.locator("button.rw-remote-img")
    expect(button).to_have_count(1)
    expect(button).to_have_text("Show image “Sign in to Jupyter” written into the text (70 B)")
    # The raw HTML tag is text; the SVG is only named.
    expect(md).to_contain_text('<img src="data:image/png')
    expect(md.locator(".rw-img-note")).to_have_text("[image: svg]")
    button.click()
    image = md.locator("img")
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("src", FAKE_DIALOG_PNG)
    expect(image).to_have_attribute("alt", "Sign in to Jupyter")
    assert card.page.evaluate("window.__pwned") is None
    assert card.blocked == []
    assert json.dumps(card.sent()) == "[]"
