"""The quickstart and the tools notebooks, run cell by cell through JupyterLab's UI in Chromium: the
cards reach their final states, and the tool-output form and "Run and submit" work."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.timeout(180)


def test_quickstart_cell_by_cell(notebook: Any) -> None:
    nb = notebook("01_quickstart.ipynb")
    first = nb.run_until("%%run_stream -o hello")
    nb.wait_status(first, "completed")  # the cell returned at once; the card followed the run
    assert "Hello! What can you do?" in nb.card(first).text_content()
    nb.screenshot("quickstart-first-card", nb.card(first))
    nb.run_rest()
    nb.wait_count(".rw-badge[data-status='completed']", 6)
    assert nb.count(".rw-card") == 6
    code = nb.run_index("%%run_stream --wait\n/code")
    assert "I ran a short program in the code interpreter" in nb.card(code).text_content()
    listing = nb.run_index("%run_list")
    assert "runs on thread thread_" in nb.cell(listing).text_content()
    nb.screenshot("quickstart")


def test_tools_by_form_and_by_python(notebook: Any) -> None:
    nb = notebook("02_tool_outputs.ipynb")

    by_hand = nb.run_until("%%run_stream --tools weather_tool")
    nb.wait_status(by_hand, "requires_action")
    form = nb.cell(by_hand).locator("[data-testid='tool-form']")
    form.locator("textarea").first.fill('{"sky": "clear", "celsius": 21}')
    nb.screenshot("tools-form", nb.card(by_hand))
    form.locator("[data-testid='submit-all']").click()
    nb.wait_status(by_hand, "completed")
    assert "clear" in nb.card(by_hand).text_content()
    nb.select(by_hand + 1)

    python_tool = nb.run_until("%%run_stream --tools get_weather --wait")
    nb.wait_status(python_tool, "requires_action")
    nb.cell(python_tool).locator("[data-testid='run-and-submit']").click()
    nb.wait_status(python_tool, "completed")
    assert "Oslo" in nb.card(python_tool).text_content()
    nb.screenshot("tools-python", nb.card(python_tool))
    nb.select(python_tool + 1)

    nb.run_rest()
    nb.wait_count(".rw-badge[data-status='completed']", 5)
    assert nb.count(".rw-card") == 5
    answered = nb.run_index("run = by_hand.wait()")
    assert "'completed'" in nb.cell(answered).text_content()  # the form had answered: no code fallback
    nb.screenshot("tools")
