"""End-to-end fixtures: one JupyterLab and one Chromium per module, a fresh page per test.

Per module, not per session: Playwright's sync API allows one instance per thread at a time, and
other test packages start their own.

Marked ``e2e``. Without Chromium (or Playwright) the tests skip with the reason, unless
``RUN_WIDGETS_REQUIRE_BROWSER=1`` (CI), where that is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.chromium import launched_chromium, require_chromium

from .lab import Lab, NotebookPage

NOTEBOOKS = ["01_quickstart.ipynb", "02_tool_outputs.ipynb"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium("end-to-end tests")
    with launched_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def lab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    server = Lab.start(tmp_path_factory.mktemp("lab"), NOTEBOOKS)
    yield server
    server.stop()


@pytest.fixture
def notebook(browser: Any, lab: Lab, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Open a notebook by name: ``notebook("01_quickstart.ipynb")``; page errors fail the test.
    A failed test leaves a screenshot of each page it opened in test-artifacts/e2e/."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(60_000)
    opened: list[NotebookPage] = []

    def open_notebook(name: str) -> NotebookPage:
        page = NotebookPage(context.new_page(), name)
        opened.append(page)
        return page.open(lab)

    yield open_notebook
    if request.node.stash.get(FAILED, False):
        for page in opened:
            page.screenshot(f"failed-{request.node.name}-{page.name}")
    errors = [error for page in opened for error in page.errors]
    context.close()
    assert not errors, errors
