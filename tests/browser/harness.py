"""The page the card's browser tests (and the card benchmark) run on: the built bundle and CSS, the fake
anywidget host, nothing from the network. Shared by ``tests/browser`` and ``benchmarks/card_browser.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.chromium import chromium_missing

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "run_widgets" / "static"
FAKE_HOST = Path(__file__).with_name("fake_host.js")


# The page's own address. It is answered from memory by a route; every other request is aborted.
PAGE_URL = "http://localhost:8123/card.html"


def card_page_missing() -> str | None:
    """Why the card's browser tests cannot run here (None when they can)."""
    reason = chromium_missing()
    if reason:
        return reason
    if not (STATIC / "widget.js").is_file():
        return f"the card's bundle is not built ({STATIC / 'widget.js'}): run `npm run build`"
    return None


def page_html(body_attrs: str = "", page_style: str = "") -> str:
    css = (STATIC / "widget.css").read_text()
    host = FAKE_HOST.read_text()
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>card</title>
<style>body {{ margin: 16px; background: #fff; }} {page_style}</style>
<style id="rw-css">{css}</style>
<script>{host}</script>
</head><body {body_attrs}><div id="root"></div></body></html>"""


class CardPage:
    """One page with the card's bundle loaded, and the requests it tried to make (all blocked)."""

    def __init__(
        self,
        context: Any,
        *,
        body_attrs: str = "",
        page_style: str = "",
        before_load: Callable[[Any], None] | None = None,
        html: str | None = None,
    ) -> None:
        """The harness page; or, with ``html``, that page instead (a saved card from ``to_html``)."""
        self.blocked: list[str] = []
        self.errors: list[str] = []
        # Resources a test loads on purpose (a remote image after a click): their aborted load is expected.
        self.expected_failures: set[str] = set()
        saved = html is not None
        html = html if html is not None else page_html(body_attrs, page_style)

        def route(route: Any) -> None:
            if route.request.url == PAGE_URL:
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            else:
                self.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        self.page = context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("console", self._console)
        if before_load is not None:
            before_load(self.page)
        self.page.goto(PAGE_URL)
        if saved:
            self.page.wait_for_selector(
                "#rw-root[data-mounted='1'], #rw-root[data-mount-error]", state="attached"
            )
        else:
            self.page.evaluate("source => host.load(source)", (STATIC / "widget.js").read_text())

    def _console(self, message: Any) -> None:
        if message.type == "error":
            if message.location.get("url") in self.expected_failures:
                return
            self.errors.append(f"console error: {message.text}")

    def mount(self, state: dict[str, Any]) -> None:
        self.page.evaluate("state => host.mount(state)", state)

    def traits(self, changes: dict[str, Any]) -> None:
        self.page.evaluate("changes => host.traits(changes)", changes)

    def custom(self, message: dict[str, Any]) -> None:
        self.page.evaluate("message => host.custom(message)", message)

    def deliver(self, log: list[tuple[str, dict[str, Any]]]) -> None:
        """Replay what a card sent (``Feed.take_log()``): custom messages and trait updates, in order."""
        for kind, payload in log:
            if kind == "custom":
                self.custom(payload)
            else:
                self.traits(payload)

    def ack(self, request_type: str, **fields: Any) -> dict[str, Any]:
        """Answer the last request of this type (``ok`` defaults to true); returns the request."""
        result: dict[str, Any] = self.page.evaluate("([t, f]) => host.ack(t, f)", [request_type, fields])
        return result

    def sent(self, request_type: str | None = None) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.page.evaluate("t => host.sent(t)", request_type)
        return result

    def settle(self) -> None:
        self.page.evaluate("() => host.settle()")
