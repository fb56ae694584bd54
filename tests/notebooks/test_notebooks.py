"""Every notebook runs top to bottom, headless, against the embedded server, and shows what it says.

The notebooks are committed without outputs or widget state; one run saves its widget state, and
the saved file holds no key and a static HTML fallback next to every card.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from .conftest import NOTEBOOKS, Executed, card_outputs, execute, outputs_text

pytestmark = [pytest.mark.timeout(300)]

NAMES = [
    "01_quickstart.ipynb",
    "02_tool_outputs.ipynb",
    "03_streaming_and_statuses.ipynb",
    "04_other_servers.ipynb",
]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def saved_steps(run: Executed, cell: object) -> list[dict[str, Any]]:
    """The steps of the cell's card, as its saved widget state holds them (needs store_widget_state)."""
    (card,) = card_outputs(cell)
    state = run.nb.metadata["widgets"][WIDGET_STATE]["state"]
    steps: list[dict[str, Any]] = state[card.data[WIDGET_VIEW]["model_id"]]["state"]["steps"]
    return steps


def tool_calls(steps: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [call for step in steps for call in step["tool_calls"] or [] if call["type"] == kind]


def status_of(cell: object) -> str:
    """The run status a card shows in its (final) text fallback."""
    (card,) = card_outputs(cell)
    match = re.match(r"<RunCard \S+ (\w+) ", card.data["text/plain"])
    assert match, card.data["text/plain"]
    return match.group(1)


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs_or_widget_state(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source


def no_errors(nb: object) -> None:
    for cell in nb.cells:  # type: ignore[attr-defined]
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
            streams = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
            assert not streams, (cell.source, [o.text for o in streams])


def test_quickstart(kernel_environment: Path) -> None:
    run = execute("01_quickstart.ipynb", kernel_environment, store_widget_state=True)
    no_errors(run.nb)
    first = run.cell("%%run_stream -o hello")
    text = outputs_text(first)
    assert "run-widgets: started the embedded server at http://127.0.0.1:" in text
    assert run.secrets["embedded"] not in text
    assert status_of(first) == "completed"  # refreshed by hello.wait() in the next cell
    assert "You said: “Hello! What can you do?”" in first.outputs[-1].data["text/html"]
    assert run.cell("run = hello.wait()").outputs[0].data["text/plain"] == "'completed'"
    assert "/incomplete" in outputs_text(run.cell("%%run_stream --wait\n/help"))
    code = run.cell("%%run_stream --wait\n/code")
    assert status_of(code) == "completed" and "squares" in outputs_text(code)
    (card,) = card_outputs(code)  # the chart is in the saved widget state, inline
    saved = run.nb.metadata["widgets"][WIDGET_STATE]["state"][card.data[WIDGET_VIEW]["model_id"]]["state"]
    calls = [call for step in saved["steps"] for call in step["tool_calls"] or []]
    assert [image["data_url"][:22] for call in calls for image in call["images"]] == [
        "data:image/png;base64,"
    ]
    listing = outputs_text(run.cell("%run_list"))
    assert "runs on thread thread_" in listing and "<table>" in listing
    python = outputs_text(run.cell("import run_widgets"))
    assert "completed" in python and "Tell me about streaming." in python
    formatted = run.cell("%%run_stream --format --wait\nTell me about {topic}")  # {name} filled in, $ kept
    assert "You said: “Tell me about streaming, again: is $x^2$ convex?”" in outputs_text(formatted)
    search = tool_calls(saved_steps(run, run.cell("%%run_stream --wait\n/search")), "file_search")
    assert [result.get("content") for call in search for result in call["results"]] == [None] * 3


def test_tool_outputs(kernel_environment: Path) -> None:
    run = execute("02_tool_outputs.ipynb", kernel_environment, store_widget_state=True)
    no_errors(run.nb)
    by_hand = run.cell("%%run_stream --tools weather_tool")
    assert "is waiting for tool outputs: get_weather (call_" in outputs_text(by_hand)
    assert status_of(by_hand) == "completed"  # answered in the next cell
    assert "cloudy" in outputs_text(by_hand)
    answered = run.cell("run = by_hand.wait()")
    assert answered.outputs[0].data["text/plain"] == "'completed'"
    python_tool = run.cell("%%run_stream --tools get_weather --wait")
    assert "Run and submit" in outputs_text(python_tool)
    assert run.cell("run = python_tool.wait()").outputs[0].data["text/plain"] == "'completed'"
    (call,) = tool_calls(saved_steps(run, python_tool), "function")  # the Python tool's own output
    assert call["id"] in outputs_text(python_tool)  # the call the hint named
    assert (call["name"], json.loads(call["arguments"])) == ("get_weather", {"city": "Oslo"})
    assert json.loads(call["output"]) == {"city": "Oslo", "temperature": 4, "unit": "celsius"}
    parallel = run.cell("%%run_stream --tools get_weather,add --auto-tools")
    assert status_of(parallel) == "completed"
    assert [(c["name"], c["output"]) for c in tool_calls(saved_steps(run, parallel), "function")] == [
        ("get_weather", '{"city":"Cairo","temperature":88,"unit":"fahrenheit"}'),
        ("add", "42"),
        ("get_weather", "Error: ValueError: no weather station in Atlantis"),
    ]
    checked = outputs_text(run.cell("%%run_stream --tools add --auto-tools"))
    assert "invalid arguments" in checked
    assert status_of(run.cell("card = run_widgets.run_stream")) == "completed"


def test_streaming_and_statuses(kernel_environment: Path) -> None:
    run = execute("03_streaming_and_statuses.ipynb", kernel_environment, store_widget_state=True)
    no_errors(run.nb)
    expected = {
        "%%run_stream --wait\n/pace 8": "completed",
        "%%run_stream --poll --wait": "completed",
        "%%run_stream --tools lookup --wait": "completed",
        "%%run_stream --wait\n/cancel": "cancelled",
        "%%run_stream -o thinker": "cancelled",
        "%%run_stream --wait\n/fail": "failed",
        "%%run_stream --max-completion-tokens 256": "incomplete",
        "%%run_stream --wait\n/expire 1": "expired",
        "%%run_stream --include": "completed",
    }
    for starts, status in expected.items():
        assert status_of(run.cell(starts)) == status, starts
    assert "rate_limit_exceeded" in outputs_text(run.cell("%%run_stream --wait\n/fail"))
    steps = saved_steps(run, run.cell("%%run_stream --include"))
    assert [step["type"] for step in steps] == ["tool_calls", "tool_calls", "message_creation"]
    (code,) = tool_calls(steps, "code_interpreter")
    assert "squares = [x * x for x in xs]" in code["input"]
    assert "squares: [1, 4, 9, 16, 25, 36, 49, 64]" in code["logs"] and "sum:     204" in code["logs"]
    assert [image["data_url"][:22] for image in code["images"]] == ["data:image/png;base64,"]
    (search,) = tool_calls(steps, "file_search")  # --include is what puts each result's content here
    results = {result["file_name"]: result["content"] for result in search["results"]}
    assert set(results) == {"run-steps.md", "runs.md", "streaming.md"}
    assert "a run answers with server-sent events" in results["streaming.md"]
    assert all(content.strip() for content in results.values())
    assert "is cancelled." in outputs_text(run.cell("%run_cancel --wait"))
    listing = outputs_text(run.cell("%run_list"))
    for status in ("completed", "cancelled", "failed", "incomplete", "expired"):
        assert status in listing


def test_other_servers_saved_with_widget_state(kernel_environment: Path) -> None:
    run = execute("04_other_servers.ipynb", kernel_environment, store_widget_state=True)
    no_errors(run.nb)
    assert set(run.secrets) == {"embedded", "other", "environment"}
    assert status_of(run.cell("%%run_stream --wait -o remote")) == "completed"
    assert run.cell("remote.current_run.status").outputs[0].data["text/plain"] == "'completed'"
    assert status_of(run.cell("import warnings")) == "completed"  # the SDK's stream, as a card
    assert status_of(run.cell("run = sdk.beta")) == "completed"
    assert "Set AZURE_AI_PROJECT_ENDPOINT" in outputs_text(run.cell("endpoint = os.environ"))
    assert "completed" in outputs_text(run.cell("print(local.current_run.status)"))

    saved = kernel_environment / "saved.ipynb"
    nbformat.write(run.nb, saved)
    text = saved.read_text(encoding="utf-8")
    for label, secret in run.secrets.items():
        assert secret not in text, f"the {label} key is in the saved notebook"
    reread = nbformat.read(saved, as_version=4)
    state = reread.metadata["widgets"][WIDGET_STATE]["state"]
    cards = [out for cell in reread.cells if cell.cell_type == "code" for out in card_outputs(cell)]
    assert len(cards) == 4  # remote, the SDK stream, from_run, local (the Azure cell is skipped)
    for out in cards:
        assert out.data[WIDGET_VIEW]["model_id"] in state  # the widget view has its state saved
        html = out.data["text/html"]  # and a static fallback beside it
        assert html.strip() and "<script" not in html.lower()
        assert not re.search(r"\b(queued|in_progress)\b", out.data["text/plain"])
    assert json.dumps(state).count('"_esm"') >= len(cards)
