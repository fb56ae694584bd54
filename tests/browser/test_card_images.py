"""Images on the card, from real ``RunCard`` states: a chart the kernel fetched renders as an ``<img>``
with its data URL; SVG and other types the kernel refused stay file chips with the kernel's note.

The states come from cards with a client: against the embedded server over loopback (a ``/code`` run
makes a real PNG), and over ``httpx2.MockTransport`` for the types the embedded server never serves.
The page itself loads nothing from the network (every request but the page's own is aborted).
"""

from __future__ import annotations

import base64
import copy
import json
import struct
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from playwright.sync_api import expect

from run_widgets.client import AsyncClient, Client
from run_widgets.server import ServerHandle, start
from run_widgets.widget import RunCard

from . import streams
from .harness import CardPage
from .states import TRAITS

pytestmark = pytest.mark.browser

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start(words_per_second=0) as handle:
        yield handle


def traits(card: RunCard) -> dict[str, Any]:
    """The synced state, as JSON would carry it."""
    result: dict[str, Any] = json.loads(json.dumps({key: getattr(card, key) for key in TRAITS}))
    return result


def followed_code_run(server: ServerHandle) -> tuple[dict[str, Any], bytes, RunCard]:
    """The state of a card that followed a ``/code`` run with a client, and the chart's bytes from GET."""
    with Client(server.base_url, api_key=server.api_key) as sync:
        assistant = sync.assistants.create(model="scripted", tools=[{"type": "code_interpreter"}])
        thread = sync.threads.create(messages=[{"role": "user", "content": "/code"}])
        client = AsyncClient(server.base_url, api_key=server.api_key)
        card = RunCard(client=client)
        card.follow_stream(client.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id))
        card.wait(timeout=60)
        state = traits(card)
        (image,) = code_images(state)
        return state, sync.files.content(image["file_id"]).content, card


def code_images(state: dict[str, Any]) -> list[dict[str, str]]:
    return [
        image
        for step in state["steps"]
        for call in step.get("tool_calls") or []
        for image in call.get("images") or []
    ]


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk follows the signature
    return width, height


def open_code_step(card: CardPage) -> Any:
    card.page.locator(".rw-step", has=card.page.locator("[aria-label='Code interpreter']")).first.locator(
        ".rw-step-head"
    ).click()
    return card.page.get_by_test_id("code-images")


def test_a_fetched_chart_renders_from_its_data_url(
    card: CardPage, server: ServerHandle, screenshot: Any
) -> None:
    state, chart, run_card = followed_code_run(server)
    run_card.close()
    (image,) = code_images(state)
    assert base64.b64decode(image["data_url"].split(",", 1)[1]) == chart
    card.mount(state)
    images = open_code_step(card)
    img = images.locator("img")
    expect(img).to_have_count(1)
    expect(img).to_have_attribute("src", image["data_url"])
    expect(img).to_have_attribute("alt", f"image {image['file_id']}")
    loaded = img.evaluate("img => img.decode().then(() => [img.naturalWidth, img.naturalHeight])")
    assert tuple(loaded) == png_size(chart)
    expect(images.locator(".rw-file-chip")).to_have_count(0)
    assert card.blocked == []  # an inline image: nothing was asked of the network
    screenshot(images, "code-interpreter-chart")


def test_a_saved_page_shows_the_chart_too(context: Any, server: ServerHandle) -> None:
    state, chart, run_card = followed_code_run(server)
    html = run_card.to_html()
    run_card.close()
    page = CardPage(context, html=html)
    expect(page.page.locator("#rw-root")).to_have_attribute("data-mounted", "1")
    images = open_code_step(page)
    (image,) = code_images(state)
    expect(images.locator("img")).to_have_attribute("src", image["data_url"])
    loaded = images.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert loaded == png_size(chart)[0]
    assert page.blocked == [] and page.errors == []


def mixed_types_state() -> dict[str, Any]:
    """A real card's state after its client fetched a PNG, an SVG and an HTML file, each in its own step."""
    bodies = {
        "file-png": (streams.PNG_DATA_URL, "image/png"),
        "file-svg": (SVG, "image/svg+xml"),
        "file-html": (b"<img src=x onerror=alert(1)>", "text/html"),
        "file-svg-untyped": (SVG, "application/octet-stream"),
    }

    def answer(request: httpx2.Request) -> httpx2.Response:
        file_id = request.url.path.split("/")[-2]
        body, declared = bodies[file_id]
        if isinstance(body, str):  # the PNG, from its data URL
            body = base64.b64decode(body.split(",", 1)[1])
        return httpx2.Response(200, content=body, headers={"content-type": declared})

    script = streams.RunScript()
    script.start()
    for file_id in bodies:
        script.tick(1)
        script.code_interpreter("plot()", "", image_file=file_id)
    script.status("completed")
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(answer))
    card = RunCard(client=AsyncClient("http://files.test/v1", api_key="k", http_client=http))
    try:
        for event in script.events:
            card.apply(event)
        card.wait(timeout=60)
        return traits(card)
    finally:
        card.close()


def test_svg_and_other_types_stay_file_chips_with_the_kernels_note(card: CardPage, screenshot: Any) -> None:
    state = mixed_types_state()
    assert [set(image) for image in code_images(state)] == [
        {"file_id", "data_url"},
        {"file_id", "note"},
        {"file_id", "note"},
        {"file_id", "note"},
    ]
    card.mount(state)
    steps = card.page.locator(".rw-step")
    expect(steps).to_have_count(4)
    shown: list[tuple[int, str]] = []
    for i in range(4):
        steps.nth(i).locator(".rw-step-head").click()
        images = steps.nth(i).get_by_test_id("code-images")
        expect(images).to_be_visible()
        shown.append((images.locator("img").count(), " ".join((images.text_content() or "").split())))
    assert shown == [
        (1, ""),
        (0, "file-svg · not shown: image/svg+xml is not an image the card shows"),
        (0, "file-html · not shown: text/html is not an image the card shows"),
        (0, "file-svg-untyped · not shown: not a PNG, JPEG, GIF or WebP image"),
    ]
    chip = steps.nth(1).locator(".rw-file-chip")
    expect(chip).to_have_attribute("title", "not shown: image/svg+xml is not an image the card shows")
    assert card.page.locator("img[src^='data:image/svg']").count() == 0
    assert card.blocked == []
    screenshot(steps.nth(1).get_by_test_id("code-images"), "code-interpreter-svg-not-inlined")


def test_an_svg_data_url_in_the_state_is_not_rendered_either(card: CardPage) -> None:
    """Defence in depth: even a state that carries an SVG data URL (a hand-edited notebook) shows a chip."""
    state = mixed_types_state()
    forged = copy.deepcopy(state)
    svg_url = "data:image/svg+xml;base64," + base64.b64encode(SVG).decode()
    forged["steps"][1]["tool_calls"][0]["images"] = [{"file_id": "file-svg", "data_url": svg_url}]
    forged["steps"][2]["tool_calls"][0]["images"] = [
        {"file_id": "file-html", "data_url": "data:text/html,<b>x</b>"}
    ]
    card.mount(forged)
    for i in (1, 2):
        step = card.page.locator(".rw-step").nth(i)
        step.locator(".rw-step-head").click()
        images = step.get_by_test_id("code-images")
        expect(images.locator(".rw-file-chip")).to_have_count(1)
        expect(images.locator("img")).to_have_count(0)
    assert card.page.locator("img[src^='data:image/svg'], img[src^='data:text']").count() == 0
