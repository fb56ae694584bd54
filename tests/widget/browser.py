"""A Chromium page with every network request refused and recorded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.chromium import launched_chromium, require_chromium


@contextmanager
def chromium_page() -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page, the errors it logged, and the URLs it asked for (http(s) ones are aborted)."""
    require_chromium()
    errors: list[str] = []
    requests: list[str] = []
    with launched_chromium() as browser:
        context = browser.new_context()

        def route(r: Any) -> None:
            requests.append(r.request.url)
            if r.request.url.startswith(("http:", "https:", "ws:", "wss:")):
                r.abort()
            else:
                r.continue_()

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        yield page, errors, requests
