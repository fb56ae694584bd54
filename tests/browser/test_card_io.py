"""Copy and export of JSON, the kernel-less (saved) card, and the dark theme."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from . import streams
from .harness import CardPage
from .states import feed, state_of

pytestmark = pytest.mark.browser

# JupyterLab's dark theme variables (a subset: what the card reads).
DARK_THEME = """
body { background: #111111;
  --jp-layout-color0: #111111; --jp-layout-color1: #212121; --jp-layout-color2: #424242;
  --jp-ui-font-color0: #ffffff; --jp-ui-font-color1: rgba(255,255,255,0.87);
  --jp-ui-font-color2: rgba(255,255,255,0.54); --jp-ui-font-color3: rgba(255,255,255,0.38);
  --jp-border-color1: #616161; --jp-border-color2: #424242;
  --jp-brand-color1: #1976d2; --jp-error-color1: #d32f2f; --jp-success-color1: #388e3c;
  --jp-warn-color1: #f57c00; --jp-ui-inverse-font-color0: #000000;
  --jp-mirror-editor-property-color: #42a5f5; --jp-mirror-editor-string-color: #ff7070;
  --jp-mirror-editor-number-color: #66bb6a; --jp-mirror-editor-keyword-color: #66bb6a;
}
"""


def test_copy_a_step_and_the_run_as_json(card: CardPage, context: Any) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    fed = feed(streams.completed_run())
    state = fed.state()
    card.mount(state)
    step_id = state["steps"][0]["id"]
    row = card.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    row.locator(".rw-step-head").click()
    row.get_by_test_id("copy-step-json").click()
    request = card.sent("export")[-1]
    assert request["step_id"] == step_id
    full = fed.export(step_id)
    fed.close()
    card.ack("export", json=full)
    expect(row.get_by_test_id("copy-step-json")).to_have_attribute("data-copied", "")
    assert card.page.evaluate("navigator.clipboard.readText()") == full
    # The kernel cannot answer: the card copies its own state of the run and says so.
    card.page.get_by_test_id("copy-run-json").click()
    card.ack("export", ok=False, error="the run is gone from the kernel")
    copied = json.loads(card.page.evaluate("navigator.clipboard.readText()"))
    assert copied == {"run": state["run"], "steps": state["steps"]}
    expect(card.page.get_by_test_id("copy-run-json")).to_have_attribute(
        "title", "Copied: copied the card's capped state (the run is gone from the kernel)"
    )


def test_export_downloads_the_kernels_json(card: CardPage, tmp_path: Path) -> None:
    state = state_of(streams.completed_run())
    card.mount(state)
    card.page.get_by_test_id("export-json").click()
    request = card.sent("export")[-1]
    assert "step_id" not in request
    body = json.dumps(
        {"run": {"id": state["run"]["id"], "full": True}, "steps": [], "messages": []}, indent=2
    )
    with card.page.expect_download() as info:
        card.ack("export", json=body)
    download = info.value
    assert download.suggested_filename == f"{state['run']['id']}.json"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_text() == body


def test_saved_page_renders_without_a_kernel(context: Any, tmp_path: Path, screenshot: Any) -> None:
    """``RunCard.to_html()``: the same bundle, read-only, no network; requests answered by the page."""
    script, _ = streams.requires_action_run()
    fed = feed(script, python_tools=["get_weather"])
    state = fed.state()
    saved = CardPage(context, html=fed.card.to_html())
    page = saved.page
    assert page.get_attribute("#rw-root", "data-mount-error") is None
    expect(page.locator(".rw-badge")).to_have_attribute("data-status", "requires_action")
    expect(page.locator(".rw-chip", has_text="saved view")).to_be_visible()
    # Controls that need a kernel are gone, and the card says why.
    expect(page.get_by_test_id("cancel")).to_have_count(0)
    expect(page.get_by_test_id("submit-all")).to_have_count(0)
    expect(page.get_by_test_id("run-and-submit")).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_test_id("readonly-note")).to_contain_text("not connected to a kernel")
    expect(page.get_by_test_id("field-name")).to_have_text(["get_weather", "get_time"])
    # A still picture: no live marker, no ticking clock.
    expect(page.locator(".rw-live")).to_have_count(0)
    expect(page.get_by_test_id("started")).to_be_visible()
    # Export works: the page answers with the full run saved in it.
    with page.expect_download() as info:
        page.get_by_test_id("export-json").click()
    target = tmp_path / "run.json"
    info.value.save_as(target)
    assert target.read_text() == fed.export()
    assert json.loads(target.read_text())["run"]["id"] == state["run"]["id"]
    screenshot(page.locator(".rw-card"), "saved-view-readonly")
    assert saved.blocked == []
    assert not saved.errors, saved.errors
    fed.close()


def test_saved_page_shows_long_steps_in_full(context: Any) -> None:
    script, step_id = streams.long_text_run()
    fed = feed(script)
    saved = CardPage(context, html=fed.card.to_html())
    row = saved.page.locator(f'.rw-step[data-step-id="{step_id}"]')
    expect(row.locator(".rw-md")).to_contain_text("THE-END")  # the page holds the full step
    expect(row.get_by_test_id("truncated")).to_have_count(0)
    assert not saved.errors, saved.errors
    fed.close()


def test_dark_theme(context: Any, screenshot: Any) -> None:
    card = CardPage(context, body_attrs='data-jp-theme-light="false"', page_style=DARK_THEME)
    state = state_of(streams.completed_run())
    card.mount(state)
    card.page.locator(".rw-step").nth(0).locator(".rw-step-head").click()
    colours = card.page.locator(".rw-card").evaluate(
        """el => { const s = getComputedStyle(el); return [s.backgroundColor, s.color]; }"""
    )
    assert colours[0] == "rgb(33, 33, 33)"  # --jp-layout-color1
    assert colours[1] == "rgba(255, 255, 255, 0.87)"  # --jp-ui-font-color1
    key = card.page.locator(".rw-j-key").first.evaluate("el => getComputedStyle(el).color")
    assert key == "rgb(66, 165, 245)"
    screenshot(card.page.locator(".rw-card"), "dark-theme-completed")
    script, _ = streams.requires_action_run()
    card.page.evaluate("host.unmount()")
    card.mount(state_of(script))
    screenshot(card.page.locator(".rw-card"), "dark-theme-requires-action")
    assert not card.errors, card.errors


def test_outside_jupyterlab_the_card_follows_the_systems_dark_preference(browser: Any) -> None:
    context = browser.new_context(color_scheme="dark")
    try:
        card = CardPage(context)
        card.mount(state_of(streams.completed_run()))
        colours = card.page.locator(".rw-card").evaluate(
            "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.color]; }"
        )
        assert colours == ["rgb(22, 27, 34)", "rgb(230, 237, 243)"]
        assert not card.errors, card.errors
    finally:
        context.close()
