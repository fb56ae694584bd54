"""Images in the card: a card with a client fetches each image file once and inlines it as a data URL.

Against the real server over loopback (a ``/code`` run makes a real PNG chart), and over
``httpx2.MockTransport`` for what the embedded server never serves (SVG, HTML, huge files, errors).
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from run_widgets.client import AsyncClient, Client
from run_widgets.models import StreamEvent
from run_widgets.server import ServerHandle, start
from run_widgets.widget import RunCard, limits
from run_widgets.widget.export import page_data
from run_widgets.widget.images import inline_fields, sniff

from .store import Store
from .streams import T0, Script
from .wire import Wire

KEY = "rwk-images-5d1e0c7b-distinctive-secret-0099"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0" + bytes(32)
GIF = b"GIF89a" + bytes(32)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(32)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


# --- the real server ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start(words_per_second=0, api_key=KEY) as handle:
        yield handle


@pytest.fixture(scope="module")
def sync(server: ServerHandle) -> Iterator[Client]:
    client = Client(server.base_url, api_key=KEY)
    yield client
    client.close()


@pytest.fixture(scope="module")
def assistant_id(sync: Client) -> str:
    return sync.assistants.create(model="scripted", tools=[{"type": "code_interpreter"}]).id


class Counting:
    """An ``AsyncClient`` for the card that counts the requests for file content it sends."""

    def __init__(self, server: ServerHandle) -> None:
        self.content_requests: list[str] = []

        async def record(request: httpx2.Request) -> None:
            if request.url.path.endswith("/content"):
                self.content_requests.append(request.url.path)

        http = httpx2.AsyncClient(event_hooks={"request": [record]})
        self.client = AsyncClient(server.base_url, api_key=KEY, http_client=http)


def code_thread(sync: Client) -> str:
    return sync.threads.create(messages=[{"role": "user", "content": "/code"}]).id


def images_of(steps: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Every image reference in step views: code interpreter images, then message images."""
    found: list[dict[str, str]] = []
    for step in steps:
        for call in step.get("tool_calls") or []:
            found.extend(call.get("images") or [])
        if step.get("message"):
            found.extend(step["message"].get("images") or [])
    return found


def decoded(data_url: str) -> bytes:
    head, _, body = data_url.partition(",")
    assert head.endswith(";base64"), head
    return base64.b64decode(body)


def recorded_code_run(sync: Client, assistant_id: str) -> list[StreamEvent]:
    with sync.threads.runs.stream(thread_id=code_thread(sync), assistant_id=assistant_id) as stream:
        return list(stream)


def test_a_code_run_checkpoints_its_chart_as_a_png_data_url(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    counting = Counting(server)
    card = RunCard(client=counting.client)
    try:
        card.follow_stream(
            counting.client.threads.runs.stream(thread_id=code_thread(sync), assistant_id=assistant_id)
        )
        card.wait(timeout=60)
        assert card.run is not None and card.run["status"] == "completed" and card.following is False
        (image,) = images_of(card.steps)
        expected = sync.files.content(image["file_id"]).content
        assert (
            image["data_url"].startswith("data:image/png;base64,") and decoded(image["data_url"]) == expected
        )
        assert "note" not in image

        # The checkpoint (the last trait update) carries it, and the front end's store agrees.
        last_steps = next(u["steps"] for u in reversed(wire.updates()) if "steps" in u)
        assert images_of(last_steps) == [image]
        assert Store().replay(wire).step_list == card.steps

        # "show all" on the step gets the image too; nothing is fetched twice.
        code_step = next(s for s in card.steps if s["type"] == "tool_calls")
        assert images_of([card._views.detail(code_step["id"])]) == [image]  # type: ignore[list-item]
        card.flush()
        card.wait(timeout=60)
        assert counting.content_requests == [f"/v1/files/{image['file_id']}/content"]
        assert KEY not in wire.everything()
    finally:
        card.close()


def test_a_card_without_a_client_fetches_nothing(sync: Client, assistant_id: str, wire: Wire) -> None:
    events = recorded_code_run(sync, assistant_id)
    card = RunCard()
    try:
        for event in events:
            card.apply(event)
        card.wait(timeout=60)
        card.flush()
        (image,) = images_of(card.steps)
        assert set(image) == {"file_id"}
        assert images_of(page_data(card)["state"]["steps"]) == [image]  # the saved page's state
        assert "data:image" not in card.static_html()
    finally:
        card.close()


def test_a_recorded_stream_applied_to_a_card_with_a_client_gets_the_image(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    events = recorded_code_run(sync, assistant_id)
    counting = Counting(server)
    card = RunCard(client=counting.client)
    try:
        for event in events:
            card.apply(event)
        card.wait(timeout=60)  # images still being fetched are waited for
        (image,) = images_of(card.steps)
        assert decoded(image["data_url"]) == sync.files.content(image["file_id"]).content
        assert len(counting.content_requests) == 1
        assert images_of(page_data(card)["state"]["steps"]) == [image]  # a saved page is self-contained
        assert image["data_url"] in card.to_html()
        html = card.static_html()
        assert "data:" not in html and len(html) <= limits.FALLBACK_MAX_CHARS
    finally:
        card.close()


def test_a_polled_run_with_a_sync_client_gets_the_image(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    run = sync.threads.runs.create_and_poll(thread_id=code_thread(sync), assistant_id=assistant_id)
    card = RunCard.from_run(run, client=Client(server.base_url, api_key=KEY))
    try:
        card.wait(timeout=60)
        (image,) = images_of(card.steps)
        assert decoded(image["data_url"]) == sync.files.content(image["file_id"]).content
    finally:
        card.close()


def test_a_message_image_file_part_is_inlined_too(
    server: ServerHandle, sync: Client, assistant_id: str, wire: Wire
) -> None:
    chart_id = chart_of(sync, assistant_id)
    card = RunCard(client=AsyncClient(server.base_url, api_key=KEY))
    try:
        for event in message_with_image_run(chart_id):
            card.apply(event)
        card.wait(timeout=60)
        (step,) = card.steps
        (image,) = step["message"]["images"]  # type: ignore[index]
        assert image["file_id"] == chart_id
        assert decoded(image["data_url"]) == sync.files.content(chart_id).content
    finally:
        card.close()


def chart_of(sync: Client, assistant_id: str) -> str:
    """The file id of the chart a ``/code`` run made."""
    thread_id = code_thread(sync)
    run = sync.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    for step in sync.threads.runs.steps.list(run.id, thread_id=thread_id):
        for call in getattr(step.step_details, "tool_calls", []):
            for output in call.code_interpreter.outputs:
                if output.type == "image":
                    return str(output.image.file_id)
    raise AssertionError("the /code run made no image")


def message_with_image_run(file_id: str) -> list[dict[str, Any]]:
    """A run whose answer is a message with text and an ``image_file`` part."""
    script = Script()
    events = [
        *script.start(),
        *script.message_step(["Here is the chart."], step_id="step_m", message_id="msg_m"),
    ]
    completed = next(e for e in events if e["event"] == "thread.message.completed")
    completed["data"]["content"].append({"type": "image_file", "image_file": {"file_id": file_id}})
    return [*events, script.run("completed", completed_at=T0 + 6), {"event": "done", "data": "[DONE]"}]


# --- what the embedded server never serves: over MockTransport --------------------------------------


def files_client(answer: Callable[[httpx2.Request], Any], seen: list[str] | None = None) -> AsyncClient:
    """A card's client over MockTransport: ``answer`` gives the response (or a coroutine of it)."""

    def handler(request: httpx2.Request) -> Any:
        if seen is not None:
            seen.append(request.url.path)
        return answer(request)

    async def no_wait(_seconds: float) -> None:
        return None

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    return AsyncClient("http://files.test/v1", api_key=KEY, http_client=http, sleep=no_wait)


def code_run(*file_ids: str) -> list[dict[str, Any]]:
    """A completed run with one code interpreter step showing these image files."""
    script = Script()
    call = {
        "id": "call_code",
        "type": "code_interpreter",
        "code_interpreter": {
            "input": "plot()",
            "outputs": [{"type": "image", "image": {"file_id": file_id}} for file_id in file_ids],
        },
    }
    step = script.step("step_code", "tool_calls", "completed", {"type": "tool_calls", "tool_calls": [call]})
    return [
        *script.start(),
        step,
        script.run("completed", completed_at=T0 + 6),
        {"event": "done", "data": "[DONE]"},
    ]


def card_images(client: AsyncClient, events: list[dict[str, Any]]) -> list[dict[str, str]]:
    card = RunCard(client=client)
    try:
        for event in events:
            card.apply(event)
        card.wait(timeout=60)
        assert card.run is not None and card.run["status"] == "completed"
        return images_of(card.steps)
    finally:
        card.close()


@pytest.mark.parametrize(
    ("declared", "body", "kind"),
    [
        ("image/png", PNG, "image/png"),
        ("image/jpeg", JPEG, "image/jpeg"),
        ("image/gif", GIF, "image/gif"),
        ("image/webp", WEBP, "image/webp"),
        ("application/octet-stream", PNG, "image/png"),  # untyped: the bytes decide
        ("image/jpeg", PNG, "image/png"),  # the bytes decide the data URL's type
    ],
)
def test_raster_images_are_inlined_with_the_type_their_bytes_have(
    wire: Wire, declared: str, body: bytes, kind: str
) -> None:
    client = files_client(lambda _r: httpx2.Response(200, content=body, headers={"content-type": declared}))
    (image,) = card_images(client, code_run("file_x"))
    assert image["data_url"].startswith(f"data:{kind};base64,") and decoded(image["data_url"]) == body


@pytest.mark.parametrize(
    ("declared", "body", "note"),
    [
        ("image/svg+xml", SVG, "not shown: image/svg+xml is not an image the card shows"),
        ("application/octet-stream", SVG, "not shown: not a PNG, JPEG, GIF or WebP image"),
        ("image/png", SVG, "not shown: not a PNG, JPEG, GIF or WebP image"),
        ("text/html; charset=utf-8", PNG, "not shown: text/html is not an image the card shows"),
        ("application/pdf", b"%PDF-1.7", "not shown: application/pdf is not an image the card shows"),
    ],
)
def test_svg_and_other_types_are_not_inlined(wire: Wire, declared: str, body: bytes, note: str) -> None:
    client = files_client(lambda _r: httpx2.Response(200, content=body, headers={"content-type": declared}))
    (image,) = card_images(client, code_run("file_x"))
    assert image == {"file_id": "file_x", "note": note}


def test_a_failed_fetch_is_a_quiet_note_that_never_holds_the_key(wire: Wire) -> None:
    seen: list[str] = []
    echo = {
        "error": {"message": f"No such file (your key was Bearer {KEY})", "type": "invalid_request_error"}
    }
    client = files_client(lambda _r: httpx2.Response(404, json=echo), seen)
    (image,) = card_images(client, code_run("file_gone"))
    assert set(image) == {"file_id", "note"} and image["note"].startswith("could not be loaded: No such file")
    assert "(HTTP 404)" in image["note"] and KEY not in image["note"] and KEY not in wire.everything()
    assert seen == ["/v1/files/file_gone/content"]  # a 404 is not retried, nor fetched again


def test_a_server_error_is_retried_then_noted_and_the_card_follows_on(wire: Wire) -> None:
    seen: list[str] = []
    client = files_client(lambda _r: httpx2.Response(503, json={"error": {"message": "Busy."}}), seen)
    card = RunCard(client=client)
    try:
        card.follow_stream(code_run("file_a", "file_b")).result(timeout=60)
        card.wait(timeout=60)
        assert card.run is not None and card.run["status"] == "completed" and card.following is False
        assert card.notice is None
        notes = [image["note"] for image in images_of(card.steps)]
        assert notes == ["could not be loaded: Busy. (HTTP 503)"] * 2
        assert len(seen) == 6  # each image: the request and its two retries
    finally:
        card.close()


def test_one_file_shown_twice_is_fetched_once(wire: Wire) -> None:
    seen: list[str] = []
    client = files_client(
        lambda _r: httpx2.Response(200, content=PNG, headers={"content-type": "image/png"}), seen
    )
    first, second = card_images(client, code_run("file_same", "file_same"))
    assert first == second and first["data_url"].startswith("data:image/png") and len(seen) == 1


def test_an_image_over_the_size_cap_is_not_inlined(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "IMAGE_MAX_BYTES", 50)
    big = PNG + bytes(100)
    client = files_client(
        lambda _r: httpx2.Response(
            200, content=big, headers={"content-type": "image/png", "content-length": str(len(big))}
        )
    )
    (image,) = card_images(client, code_run("file_big"))
    assert image == {"file_id": "file_big", "note": "not shown: larger than 50 bytes"}


def test_the_cards_image_budget_counts_every_inlined_image(
    wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "IMAGES_MAX_BYTES", 2 * len(PNG) + 10)
    client = files_client(lambda _r: httpx2.Response(200, content=PNG, headers={"content-type": "image/png"}))
    images = card_images(client, code_run("file_1", "file_2", "file_3"))
    assert [("data_url" in image) for image in images] == [True, True, False]
    assert images[2]["note"] == f"not shown: the card's images would pass {2 * len(PNG) + 10} bytes"
    state = json.dumps(images)
    assert state.count("data:image/png") == 2


def test_a_truncated_steps_detail_keeps_its_images_whatever_their_size(
    wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = files_client(lambda _r: httpx2.Response(200, content=PNG, headers={"content-type": "image/png"}))
    events = code_run("file_1")
    step = next(e for e in events if e["event"] == "thread.run.step.completed")
    step["data"]["step_details"]["tool_calls"][0]["code_interpreter"]["input"] = "x = 1\n" * 2_000
    card = RunCard(client=client)
    try:
        for event in events:
            card.apply(event)
        card.wait(timeout=60)
        (view,) = card.steps
        assert view["truncated"] is True
        monkeypatch.setattr(limits, "DETAIL_MAX_BYTES", 2_000)  # smaller than the texts, not counting images
        detail = card._views.detail(view["id"])
        assert detail is not None and images_of([detail]) == images_of([view])  # type: ignore[list-item]
        assert images_of([detail])[0]["data_url"].startswith("data:image/png")  # type: ignore[list-item]
    finally:
        card.close()


# --- the pure pieces ------------------------------------------------------------------------------


def test_sniff_knows_the_four_raster_formats_only() -> None:
    assert [sniff(body) for body in (PNG, JPEG, GIF, WEBP, SVG, b"", b"RIFF0000WAVE")] == [
        "image/png", "image/jpeg", "image/gif", "image/webp", None, None, None,
    ]  # fmt: skip
    assert inline_fields(PNG, "IMAGE/PNG; foo=bar")["data_url"].startswith("data:image/png;base64,")
    assert inline_fields(PNG, None)["data_url"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert "data_url" not in inline_fields(SVG, "image/svg+xml")


def test_a_closed_card_stops_fetching(wire: Wire) -> None:
    started = concurrent.futures.Future[None]()
    release = concurrent.futures.Future[None]()
    seen: list[str] = []

    async def slow(_request: httpx2.Request) -> httpx2.Response:
        started.set_result(None)
        await asyncio.wrap_future(release)
        return httpx2.Response(200, content=PNG, headers={"content-type": "image/png"})

    card = RunCard(client=files_client(slow, seen))
    for event in code_run("file_1", "file_2"):
        card.apply(event)
    card.flush()  # the views see the images: the first fetch starts
    started.result(timeout=60)
    card.close()
    release.set_result(None)
    worker = card._views.images.worker
    assert worker is not None
    worker.result(timeout=60)
    assert seen == ["/v1/files/file_1/content"] and images_of(card.steps) == [
        {"file_id": "file_1"},
        {"file_id": "file_2"},
    ]
