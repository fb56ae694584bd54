"""Steps on the card: order, titles, the time axis, details of every step type, live patches."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from . import streams
from .harness import CardPage
from .states import feed, state_of, streamed

pytestmark = pytest.mark.browser


def test_steps_in_order_with_titles_types_and_bars(card: CardPage, screenshot: Any) -> None:
    script = streams.completed_run()
    state = state_of(script)
    card.mount(state)
    rows = card.page.locator(".rw-step")
    expect(rows).to_have_count(4)
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.stepId)") == [s["id"] for s in state["steps"]]
    titles = card.page.locator(".rw-step-title")
    expect(titles.nth(0)).to_have_text('get_weather(city="Paris", unit="celsius")')
    expect(titles.nth(1)).to_have_text("code_interpreter: import statistics")
    expect(titles.nth(2)).to_have_text("file_search (2 results)")
    # A message's title: its first words on one line (the kernel's wording; markdown marks may go).
    expect(titles.nth(3)).to_have_text(
        re.compile(r"^It is (\*\*)?18 °C(\*\*)? and sunny in Paris right now\. [^\n]*…$")
    )
    types = rows.evaluate_all("rows => rows.map(r => r.querySelector('.rw-type').getAttribute('aria-label'))")
    assert types == ["Function call", "Code interpreter", "File search", "Message"]

    # Bars sit on one axis: each starts where its step started, in order, inside the track.
    boxes = rows.evaluate_all(
        """rows => rows.map(r => {
            const t = r.querySelector('.rw-track').getBoundingClientRect();
            const b = r.querySelector('.rw-bar').getBoundingClientRect();
            return [(b.left - t.left) / t.width, b.width / t.width];
        })"""
    )
    span = script.run["completed_at"] - script.run["created_at"]
    for (left, width), step in zip(boxes, state["steps"], strict=True):
        assert left == pytest.approx((step["created_at"] - script.run["created_at"]) / span, abs=0.01)
        assert width == pytest.approx((step["completed_at"] - step["created_at"]) / span, abs=0.02)
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)
    expect(card.page.locator(".rw-axis")).to_have_text(f"0 s{span} s")
    # The latest message is open by default; the others are not.
    expect(rows.locator(".rw-step-head[aria-expanded=true]")).to_have_count(1)
    expect(rows.nth(3).locator(".rw-md")).to_contain_text("It is 18 °C and sunny in Paris right now.")
    rows.nth(0).locator(".rw-step-head").click()
    screenshot(card.page.locator(".rw-card"), "completed-tool-call-expanded")


def test_steps_without_timestamps_have_no_bar(card: CardPage) -> None:
    state = state_of(streams.completed_run())
    for step in state["steps"][:2]:
        step["created_at"] = None
    card.mount(state)
    rows = card.page.locator(".rw-step")
    expect(rows.nth(0).locator(".rw-bar")).to_have_count(0)
    expect(rows.nth(1).locator(".rw-bar")).to_have_count(0)
    expect(rows.nth(2).locator(".rw-bar")).to_have_count(1)


def test_expand_and_collapse_mount_details_on_demand(card: CardPage) -> None:
    card.mount(state_of(streams.completed_run()))
    rows = card.page.locator(".rw-step")
    head = rows.nth(0).locator(".rw-step-head")
    expect(head).to_have_attribute("aria-expanded", "false")
    expect(card.page.locator(".rw-step-body")).to_have_count(1)  # only the open message
    head.click()
    expect(head).to_have_attribute("aria-expanded", "true")
    body = rows.nth(0).locator(".rw-step-body")
    expect(body).to_have_attribute("role", "region")
    assert head.get_attribute("aria-controls") == body.get_attribute("id")
    head.press("Enter")  # a real button: the keyboard works
    expect(head).to_have_attribute("aria-expanded", "false")
    expect(rows.nth(0).locator(".rw-step-body")).to_have_count(0)
    # The default-open message can be closed too.
    rows.nth(3).locator(".rw-step-head").click()
    expect(card.page.locator(".rw-step-body")).to_have_count(0)


def test_function_call_arguments_and_output_as_json_with_raw_toggle(card: CardPage) -> None:
    card.mount(state_of(streams.completed_run()))
    card.page.locator(".rw-step").nth(0).locator(".rw-step-head").click()
    call = card.page.locator(".rw-call[data-call-type=function]")
    expect(call.get_by_test_id("call-name")).to_have_text("get_weather")
    arguments = call.get_by_test_id("call-arguments")
    expect(arguments.locator("pre")).to_have_text('{\n  "city": "Paris",\n  "unit": "celsius"\n}')
    expect(arguments.locator(".rw-j-key")).to_have_count(2)
    arguments.get_by_role("button", name="raw").click()
    expect(arguments.locator("pre")).to_have_text('{"city": "Paris", "unit": "celsius"}')
    expect(arguments.get_by_role("button", name="pretty")).to_have_attribute("aria-pressed", "true")
    output = call.get_by_test_id("call-output")
    expect(output.locator("pre")).to_have_text('{\n  "temp_c": 18,\n  "sky": "sunny",\n  "wind_kmh": 9\n}')


def test_invalid_json_is_shown_raw_with_a_note(card: CardPage) -> None:
    card.mount(state_of(streams.invalid_json_run()))
    card.page.locator(".rw-step").nth(0).locator(".rw-step-head").click()
    arguments = card.page.get_by_test_id("call-arguments")
    expect(arguments.get_by_test_id("invalid-json")).to_contain_text("Not valid JSON")
    expect(arguments.locator("pre")).to_have_text('{"city": "Paris",')
    expect(arguments.get_by_role("button", name="raw")).to_have_count(0)
    # A plain-text output is just text: no warning.
    output = card.page.get_by_test_id("call-output")
    expect(output.locator("pre")).to_have_text("not json at all")
    expect(output.get_by_test_id("invalid-json")).to_have_count(0)


def test_code_interpreter_input_logs_and_images(card: CardPage) -> None:
    state = state_of(streams.completed_run())
    # The kernel could fetch the image: it sends it inline.
    state["steps"][1]["tool_calls"][0]["images"] = [
        {"file_id": "file-plot01", "data_url": streams.PNG_DATA_URL},
        {"file_id": "file-other"},
    ]
    card.mount(state)
    card.page.locator(".rw-step").nth(1).locator(".rw-step-head").click()
    expect(card.page.get_by_test_id("code-input")).to_have_text(
        "import statistics\nhighs = [19, 21, 20]\nprint(statistics.mean(highs))"
    )
    expect(card.page.get_by_test_id("code-logs")).to_have_text("20.0\n")
    images = card.page.get_by_test_id("code-images")
    expect(images.locator("img")).to_have_count(1)
    assert images.locator("img").evaluate("img => img.complete && img.naturalWidth") == 1
    expect(images.locator(".rw-file-chip")).to_have_text("file-other")


def test_file_search_results_with_scores(card: CardPage) -> None:
    card.mount(state_of(streams.completed_run()))
    card.page.locator(".rw-step").nth(2).locator(".rw-step-head").click()
    table = card.page.get_by_test_id("search-results")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("paris-climate.pdf")
    expect(rows.nth(0).locator(".rw-score-num")).to_have_text("0.912")
    expect(rows.nth(1).locator(".rw-score-num")).to_have_text("0.633")
    expect(rows.nth(0).locator("td").nth(2)).to_have_text(
        "Paris has an oceanic climate: mild summers, cool winters."
    )
    fill = rows.nth(0).locator(".rw-score-fill").evaluate("el => el.style.width")
    assert fill == "91.2%"
    expect(card.page.locator(".rw-call[data-call-type=file_search] .rw-note")).to_contain_text(
        "score_threshold: 0.4"
    )


def test_failed_run_error_block_names_and_opens_the_failing_step(card: CardPage, screenshot: Any) -> None:
    script, failing = streams.failed_run()
    card.mount(state_of(script))
    error = card.page.get_by_test_id("run-error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("Run failed")
    expect(error.locator(".rw-error-code")).to_have_text("server_error")
    expect(error).to_contain_text("The run failed while calling get_weather.")
    expect(error.get_by_test_id("failing-step")).to_have_text('get_weather(city="Atlantis")')
    row = card.page.locator(f'.rw-step[data-step-id="{failing}"]')
    # The failing step is open by default, with its own error.
    expect(row.locator(".rw-step-head")).to_have_attribute("aria-expanded", "true")
    expect(row.get_by_test_id("step-error")).to_contain_text("The tool server returned 502 Bad Gateway.")
    screenshot(card.page.locator(".rw-card"), "failed-error-block")
    row.locator(".rw-step-head").click()
    expect(row.locator(".rw-step-body")).to_have_count(0)
    error.get_by_test_id("failing-step").click()
    expect(row.locator(".rw-step-head")).to_have_attribute("aria-expanded", "true")
    expect(row.locator(".rw-step-head")).to_be_focused()


def test_expired_run_says_why(card: CardPage) -> None:
    card.mount(state_of(streams.run_in_status("expired")))
    error = card.page.get_by_test_id("run-error")
    expect(error).to_contain_text("Run expired")
    expect(error).to_contain_text("Its tool outputs were not submitted before it expired.")
    expect(card.page.get_by_test_id("tool-form")).to_have_count(0)


def test_incomplete_run_says_why(card: CardPage) -> None:
    card.mount(state_of(streams.run_in_status("incomplete")))
    error = card.page.get_by_test_id("run-error")
    expect(error).to_contain_text("Run incomplete")
    expect(error).to_contain_text("Stopped early: the answer reached max_completion_tokens.")
    expect(card.page.locator(".rw-message .rw-note-warn")).to_have_text("Message incomplete: max tokens")


def test_streamed_text_appears_word_by_word_and_keeps_the_page_state(card: CardPage, screenshot: Any) -> None:
    script, step_id = streams.streaming_run(words_done=30, text=streams.PROSE_TEXT)
    events = script.events
    first_delta = next(i for i, e in enumerate(events) if e["event"] == "thread.message.delta")
    state, patches, _ = streamed(events, first_delta + 1)
    assert len(patches) >= 10
    card.mount(state)
    page = card.page
    # Open the function step, scroll a little, focus its copy button: patches must not disturb that.
    page.locator(".rw-step").nth(0).locator(".rw-step-head").click()
    page.locator(".rw-step").nth(0).get_by_test_id("copy-step-json").focus()
    page.evaluate("document.querySelector('.rw-md').dataset.marker = 'same-node'")
    texts = []
    for patch in patches:
        card.custom(patch)
        texts.append(page.locator(f'.rw-step[data-step-id="{step_id}"] .rw-md').inner_text())
    # Text grows a word at a time.
    assert texts == sorted(texts, key=len)
    assert len({len(t.split()) for t in texts}) == len(texts)
    assert texts[-1] == " ".join(streams.PROSE_TEXT.split(" ")[:30])
    expect(page.locator(".rw-md")).to_have_attribute("data-marker", "same-node")
    expect(page.locator(".rw-step").nth(0).locator(".rw-step-head")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(page.locator(".rw-step").nth(0).get_by_test_id("copy-step-json")).to_be_focused()
    expect(page.locator(".rw-md.rw-streaming")).to_have_count(1)
    screenshot(page.locator(".rw-card"), "running-streaming-text")


def test_a_gap_in_patches_asks_for_a_snapshot(card: CardPage) -> None:
    script, _ = streams.streaming_run(words_done=20, text=streams.PROSE_TEXT)
    events = script.events
    first_delta = next(i for i, e in enumerate(events) if e["event"] == "thread.message.delta")
    # The kernel streams the first half; the page loses one patch of it.
    state, patches, fed = streamed(events[: first_delta + 10], first_delta + 1)
    card.mount(state)
    card.custom(patches[0])
    card.custom(patches[2])  # patches[1] was lost
    assert len(card.sent("resync")) == 1
    card.custom(patches[3])  # still waiting: no second resync, nothing folded
    assert len(card.sent("resync")) == 1
    snapshot = fed.snapshot_message()
    card.custom(snapshot)
    card.ack("resync")
    words = " ".join(streams.PROSE_TEXT.split(" ")[:10])
    expect(card.page.locator(".rw-md")).to_have_text(words)
    # Later patches continue from the snapshot's seq.
    fed.sent.clear()
    for event in events[first_delta + 10 :]:
        fed.apply(event)
    assert fed.patches[0]["seq"] == snapshot["seq"] + 1
    for patch in fed.patches:
        card.custom(patch)
    expect(card.page.locator(".rw-md")).to_have_text(" ".join(streams.PROSE_TEXT.split(" ")[:20]))
    assert len(card.sent("resync")) == 1
    fed.close()


def test_trait_checkpoints_replace_older_state_only(card: CardPage) -> None:
    script, _ = streams.streaming_run()
    state = state_of(script)
    card.mount(state | {"seq": 7})
    older = state_of(streams.run_in_status("failed")) | {"seq": 6}
    card.traits({"run": older["run"], "steps": older["steps"], "seq": 6})
    expect(card.page.locator(".rw-badge")).to_have_attribute("data-status", "in_progress")
    card.traits({"run": older["run"], "steps": older["steps"], "seq": 8})
    expect(card.page.locator(".rw-badge")).to_have_attribute("data-status", "failed")


def test_patches_arrive_before_any_view_and_are_kept(card: CardPage) -> None:
    script, step_id = streams.streaming_run(words_done=8)
    first_delta = next(i for i, e in enumerate(script.events) if e["event"] == "thread.message.delta")
    state, patches, _ = streamed(script, first_delta + 1)
    card.mount(state)
    card.page.evaluate("host.unrender()")
    for patch in patches:
        card.custom(patch)
    card.page.evaluate("host.render()")
    expect(card.page.locator(f'.rw-step[data-step-id="{step_id}"] .rw-md')).to_have_text(
        " ".join(streams.WEATHER_TEXT.split(" ")[:8]).replace("**", "")
    )


def test_a_thousand_steps_render_and_a_patch_touches_one_row(card: CardPage) -> None:
    script = streams.many_steps_run(1000)
    fed = feed(script)
    state = fed.state()
    fed.close()
    assert len(state["steps"]) == 1000
    card.mount(state)
    # The first blocks render at once, and so does the block holding the open (latest) message,
    # far down the list; the others follow while the browser is idle, in placeholders of their size.
    last_message = next(s for s in reversed(state["steps"]) if s["type"] == "message_creation")
    assert card.page.locator(f'.rw-step[data-step-id="{last_message["id"]}"] .rw-md').count() == 1
    rows = card.page.locator(".rw-step")
    expect(rows).to_have_count(1000)
    expect(card.page.locator(".rw-step-placeholder")).to_have_count(0)
    expect(card.page.locator(".rw-steps-wrap")).to_have_class("rw-steps-wrap rw-steps-many")
    # Only the open (latest) message has its details mounted.
    expect(card.page.locator(".rw-step-body")).to_have_count(1)
    # One step changes: only its row's DOM changes.
    target = state["steps"][500]
    changed = dict(target, title='lookup(i=500, q="changed")')
    card.page.evaluate(
        """() => {
            window.__touched = new Set();
            window.__observer = new MutationObserver(records => {
                for (const r of records) {
                    const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
                    const row = node && node.closest('.rw-step');
                    window.__touched.add(row ? row.dataset.stepId : 'outside:' + (node && node.className));
                }
            });
            window.__observer.observe(document.querySelector('.rw-steps'), {subtree: true, childList: true, characterData: true, attributes: true});
        }"""
    )
    card.custom({"type": "patch", "seq": state["seq"] + 1, "steps": [changed]})
    touched = card.page.evaluate("() => { window.__observer.disconnect(); return [...window.__touched]; }")
    assert touched == [target["id"]]
    expect(rows.nth(500).locator(".rw-step-title")).to_have_text('lookup(i=500, q="changed")')
    # Scroll position in the long list survives a patch.
    card.page.locator(".rw-steps-wrap").evaluate("el => { el.scrollTop = 4000; }")
    card.custom({"type": "patch", "seq": state["seq"] + 2, "steps": [dict(changed, title="again")]})
    assert card.page.locator(".rw-steps-wrap").evaluate("el => el.scrollTop") == 4000


def test_truncated_step_fetches_the_full_text_on_expand(card: CardPage) -> None:
    script, step_id = streams.long_text_run()
    fed = feed(script)
    state = fed.state()
    step = state["steps"][0]
    assert step["truncated"] and len(step["message"]["text"]) <= state["caps"]["text"] + 1
    card.mount(state)
    row = card.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    # It is the latest message, so open by default: it asks for the full step at once.
    detail = card.sent("detail")
    assert [d["step_id"] for d in detail] == [step_id]
    expect(row.get_by_test_id("truncated")).to_have_text("Loading the full step…")
    full = fed.full_step(step_id)
    fed.close()
    card.ack("detail", step=full)
    expect(row.locator(".rw-md")).to_contain_text("THE-END")
    expect(row.get_by_test_id("truncated")).to_have_count(0)
    # Closing and opening again does not fetch again.
    row.locator(".rw-step-head").click()
    row.locator(".rw-step-head").click()
    expect(row.locator(".rw-md")).to_contain_text("THE-END")
    assert len(card.sent("detail")) == 1


def test_detail_failure_offers_a_retry(card: CardPage) -> None:
    script, step_id = streams.long_text_run()
    state = state_of(script)
    card.mount(state)
    card.ack("detail", ok=False, error="the step is no longer in the kernel's memory")
    row = card.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    expect(row.get_by_test_id("truncated")).to_contain_text(
        "Could not load the full step: the step is no longer"
    )
    row.get_by_role("button", name="Load the full step").click()
    assert len(card.sent("detail")) == 2
    request = card.sent("detail")[-1]
    assert json.loads(json.dumps(request))["step_id"] == step_id


def test_a_capped_step_is_fetched_only_when_opened(card: CardPage) -> None:
    script, step_id = streams.long_output_run()
    fed = feed(script)
    state = fed.state()
    assert next(s for s in state["steps"] if s["id"] == step_id)["truncated"]
    card.mount(state)
    assert card.sent("detail") == []  # collapsed: nothing asked
    row = card.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    row.locator(".rw-step-head").click()
    assert [d["step_id"] for d in card.sent("detail")] == [step_id]
    card.ack("detail", step=fed.full_step(step_id))
    fed.close()
    expect(row.get_by_test_id("call-output").locator("pre")).to_contain_text('"end": "THE-END"')


def test_unknown_tool_call_types_show_their_raw_json(card: CardPage) -> None:
    script = streams.RunScript(run_id="run_newtool")
    script.start()
    step_id = script.other_tool("web_search", {"query": "paris weather", "results": 3})
    script.status("completed")
    card.mount(state_of(script))
    row = card.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    expect(row.locator(".rw-type")).to_have_attribute("aria-label", "Tool call")
    row.locator(".rw-step-head").click()
    call = row.locator(".rw-call[data-call-type=web_search]")
    expect(call.get_by_test_id("call-name")).to_have_text("web_search")
    expect(call.locator("pre")).to_contain_text('"query": "paris weather"')


def test_a_long_running_list_follows_new_steps_only_from_its_end(card: CardPage) -> None:
    script = streams.many_steps_run(60)
    fed = feed(script)
    card.mount(fed.state())
    wrap = card.page.locator(".rw-steps-wrap")
    assert wrap.evaluate("el => el.scrollTop") == 0  # it opens at the top

    def add_step() -> None:
        seen = len(script.events)
        script.tick(1)
        script.function_calls([("lookup", {"i": 999})], outputs=["{}"])
        fed.take_log()
        for event in script.events[seen:]:
            fed.apply(event)
        card.deliver(fed.take_log())

    add_step()
    assert wrap.evaluate("el => el.scrollTop") == 0  # not at the end: left alone
    # The reader scrolls to the end with the wheel (rows grow to their real height as they show,
    # so the end moves a little: they wheel on until it stops).
    wrap.hover()
    at_end = "() => { const el = document.querySelector('.rw-steps-wrap'); return el.scrollHeight - el.scrollTop - el.clientHeight < 2; }"
    for _ in range(5):
        card.page.mouse.wheel(0, 3000)
        card.page.wait_for_function(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"
        )
        if card.page.evaluate(at_end):
            break
    assert card.page.evaluate(at_end)
    add_step()
    expect(card.page.locator(".rw-step").last).to_be_in_viewport()
    card.page.wait_for_function(at_end)
    fed.close()
