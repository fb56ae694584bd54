"""Debian's Chromium for every browser test and benchmark: where it is, its flags, and what happens when
it is missing (a skip with the reason, or a failure where ``RUN_WIDGETS_REQUIRE_BROWSER=1``, as in CI).

Playwright's own browser download is not possible on these machines; the system Chromium is used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = os.environ.get("RUN_WIDGETS_CHROMIUM", "/usr/bin/chromium")
# Headless, and no background connections: this network refuses them, noisily.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing() -> str | None:
    """Why a browser cannot run here, or None when it can."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set RUN_WIDGETS_CHROMIUM)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def require_chromium(what: str = "browser tests", missing: str | None = None) -> None:
    """Skip the test (or fail it where browser tests are required) when the browser cannot run."""
    reason = missing or chromium_missing()
    if reason is None:
        return
    if os.environ.get("RUN_WIDGETS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the {what} are required here but cannot run: {reason}")
    pytest.skip(reason)


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """A Playwright ``Browser`` on Debian's Chromium, closed at the end.

    Playwright's sync API allows one instance per thread at a time, so fixtures holding one are
    module-scoped, not session-scoped.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
