"""Model and tool text is untrusted: it must stay inert in the card (no script, no handler, no remote
load without a click, links only http(s) in a new tab without opener or referrer)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from . import streams
from .harness import CardPage
from .states import state_of

pytestmark = pytest.mark.browser


def _open_everything(card: CardPage) -> None:
    for head in card.page.locator(".rw-step-head").all():
        if head.get_attribute("aria-expanded") == "false":
            head.click()


def test_hostile_text_stays_inert(card: CardPage, screenshot: Any) -> None:
    card.mount(state_of(streams.hostile_run()))
    _open_everything(card)
    page = card.page
    root = page.locator("#root")
    # Give any handler a chance to run, then check nothing did.
    page.mouse.move(300, 300)
    card.settle()
    assert page.evaluate("window.__pwned") is None
    for selector in (
        "script",
        "iframe",
        "style",
        "[onerror]",
        "[onclick]",
        "[onmouseover]",
        "object",
        "embed",
    ):
        assert root.locator(selector).count() == 0, selector
    # Untrusted regions carry no inline style either (the card's own bars do, from numbers).
    assert root.locator(":is(.rw-md, .rw-call, .rw-form) [style]").count() == 0
    # No image from the network (the hostile <img src=x> is text; remote markdown images are buttons).
    assert root.locator("img").count() == 0
    assert card.blocked == []


def test_tool_names_and_arguments_are_text(card: CardPage) -> None:
    card.mount(state_of(streams.hostile_run()))
    _open_everything(card)
    names = card.page.get_by_test_id("call-name")
    expect(names.first).to_have_text(streams.HOSTILE_TOOL_NAME)
    expect(card.page.get_by_test_id("field-name")).to_have_text(streams.HOSTILE_TOOL_NAME)
    expect(card.page.locator(".rw-step-title").first).to_contain_text(streams.HOSTILE_TOOL_NAME)
    expect(card.page.get_by_test_id("call-arguments").first.locator("pre")).to_contain_text(
        "<script>window.__pwned='args'</script>"
    )
    expect(card.page.get_by_test_id("call-output").first.locator("pre")).to_have_text(
        "<img src=x onerror=\"window.__pwned='output'\">"
    )


def test_markdown_links_only_http_in_a_new_tab(card: CardPage) -> None:
    card.mount(state_of(streams.hostile_run()))
    markdown = card.page.locator(".rw-md").first
    links = markdown.locator("a")
    hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs == ["https://example.com/docs"]
    expect(links.first).to_have_attribute("target", "_blank")
    expect(links.first).to_have_attribute("rel", "noopener noreferrer")
    # The javascript: and data: links keep their words, as plain text.
    expect(markdown.locator(".rw-dead-link")).to_have_count(2)
    expect(markdown.locator(".rw-dead-link").first).to_have_text("click me")
    # Raw HTML shows as the text it is.
    expect(markdown).to_contain_text("Hello <img src=x onerror=\"window.__pwned='img'\"> and <script>")
    expect(markdown).to_contain_text('<a href="https://evil.example"')
    expect(markdown.locator("pre code")).to_have_text("<b>code stays text</b>\n")


def test_remote_images_load_only_on_click(card: CardPage) -> None:
    card.mount(state_of(streams.hostile_run()))
    button = card.page.locator(".rw-md .rw-remote-img")
    expect(button).to_have_text("Load image “remote chart” from tracker.example.net")
    assert card.blocked == []
    url = "https://tracker.example.net/pixel.png"
    card.expected_failures.add(url)
    with card.page.expect_event("requestfailed", lambda request: request.url == url):
        button.click()
    image = card.page.locator(".rw-md img.rw-loaded-img")
    expect(image).to_have_attribute("src", url)
    expect(image).to_have_attribute("referrerpolicy", "no-referrer")
    assert card.blocked == [url]  # it asked only now (and the test network refused it)


def test_message_image_urls_wait_for_a_click_too(card: CardPage) -> None:
    state = state_of(streams.completed_run())
    message = state["steps"][-1]["message"]
    message["images"] = [
        {"url": "https://images.example.org/a.png"},
        {"url": "javascript:alert(1)"},
        {"file_id": "file-abc"},
    ]
    card.mount(state)
    images = card.page.locator(".rw-message .rw-images")
    expect(images.locator(".rw-remote-img")).to_have_text("Load image from images.example.org")
    expect(images.locator(".rw-file-chip")).to_have_count(2)  # the javascript: URL is only named
    expect(images.locator("img")).to_have_count(0)
    assert card.blocked == []
