"""Browser fixtures: one Chromium per test module, one fresh context and card page per test.

Module scope (not session): Playwright's sync API allows one instance per thread at a time, and other
test packages start their own.

Skips (with the reason) when Chromium or the bundle is missing, unless RUN_WIDGETS_REQUIRE_BROWSER=1
(CI), where that is a failure. Console errors and page errors fail the test that caused them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import CHROMIUM, CHROMIUM_ARGS, ROOT, CardPage, chromium_missing

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = chromium_missing()
    if reason:
        if os.environ.get("RUN_WIDGETS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here but cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1000, "height": 800}, device_scale_factor=1)
    yield context
    context.close()


@pytest.fixture
def card(context: Any) -> Iterator[CardPage]:
    page = CardPage(context)
    yield page
    assert not page.errors, page.errors


@pytest.fixture
def screenshot() -> Any:
    """Save a PNG of an element under test-artifacts/screenshots/ (for people, not for asserts)."""

    def save(locator: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        locator.page.mouse.move(0, 0)  # no hover highlight in the picture
        locator.screenshot(path=str(path), animations="disabled")
        return path

    return save
