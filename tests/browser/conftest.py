"""Browser fixtures: one Chromium per test module, one fresh context and card page per test.

Module scope (not session): Playwright's sync API allows one instance per thread at a time, and other
test packages start their own.

Skips (with the reason) when Chromium or the bundle is missing, unless RUN_WIDGETS_REQUIRE_BROWSER=1
(CI), where that is a failure. Console errors and page errors fail the test that caused them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.chromium import launched_chromium, require_chromium

from .harness import ROOT, CardPage, card_page_missing

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium("browser tests", card_page_missing())
    with launched_chromium() as browser:
        yield browser


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
