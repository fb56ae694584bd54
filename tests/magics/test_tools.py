"""Python functions as tools through the magics: ``--tools f,g``, ``--auto-tools``, answering by hand."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import Shell, Wire
from .helpers import final_text

pytestmark = pytest.mark.timeout(60)

WEATHER = '''
import run_widgets

@run_widgets.tool
def get_weather(city: str, unit: str = "celsius") -> dict:
    """Get the weather for a city.

    Args:
        city: The city's name.
        unit: celsius or fahrenheit.
    """
    if city == "Atlantis":
        raise ValueError(f"unknown city {city!r}")
    return {"city": city, "temperature": 21, "unit": unit}

def add(a: int, b: int) -> int:
    """Add two whole numbers."""
    return a + b
'''


def outputs_of(card: Any) -> dict[str, str]:
    """Tool name -> the output the step recorded (as the server holds it)."""
    found: dict[str, str] = {}
    for step in card.snapshot.steps:
        if step.type == "tool_calls":
            for call in step.step_details.tool_calls:
                if call.type == "function":
                    found[call.function.name] = call.function.output
    return found


@pytest.fixture
def tools_shell(shell: Shell) -> Shell:
    shell.ok(WEATHER)
    return shell


def test_auto_tools_run_the_python_function_and_finish_the_run(tools_shell: Shell) -> None:
    tools_shell.ok(
        "%%run_stream --tools get_weather,add --auto-tools --wait -o card\n"
        'call get_weather {"city": "Oslo"}\ncall add {"a": 2, "b": 3}'
    )
    card = tools_shell.ns["card"]
    assert card.current_run.status == "completed"
    outputs = outputs_of(card)
    assert json.loads(outputs["get_weather"]) == {"city": "Oslo", "temperature": 21, "unit": "celsius"}
    assert outputs["add"] == "5"  # a non-string return value is serialised as JSON
    assert "Oslo" in final_text(card)
    assert card.python_tools == ["get_weather", "add"]


def test_an_exception_becomes_the_output_and_the_run_goes_on(tools_shell: Shell) -> None:
    tools_shell.ok(
        '%%run_stream --tools get_weather --auto-tools --wait -o card\ncall get_weather {"city": "Atlantis"}'
    )
    card = tools_shell.ns["card"]
    assert card.current_run.status == "completed"
    output = outputs_of(card)["get_weather"]
    assert output == "Error: ValueError: unknown city 'Atlantis'"
    assert "Traceback" not in output


def test_arguments_are_checked_against_the_signature(tools_shell: Shell) -> None:
    tools_shell.ok('%%run_stream --tools add --auto-tools --wait -o card\ncall add {"a": "two", "b": 3}')
    output = outputs_of(tools_shell.ns["card"])["add"]
    assert (
        output.startswith("Error: invalid arguments: a:") and "Expected add(a: integer, b: integer)" in output
    )


def test_without_auto_tools_wait_stops_at_requires_action_and_says_how_to_answer(
    tools_shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    tools_shell.ok('%%run_stream --tools get_weather --wait -o card\ncall get_weather {"city": "Oslo"}')
    card = tools_shell.ns["card"]
    run = card.current_run
    assert run.status == "requires_action"
    (call,) = run.pending_tool_calls
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith(f"{run.id} is waiting for tool outputs: get_weather ({call.id}).")
    assert f"card.submit_tool_outputs({{'{call.id}': '...'}})" in line
    assert "--auto-tools" in line
    card.submit_tool_outputs({call.id: "It is sunny."})
    card.wait(timeout=30)
    assert card.current_run.status == "completed"
    assert "It is sunny." in final_text(card)


def test_the_card_runs_a_python_tool_when_asked_by_the_front_end(tools_shell: Shell, wire: Wire) -> None:
    """The request the "Run and submit" button sends (docs/card-protocol.md), answered by the kernel."""
    tools_shell.ok('%%run_stream --tools get_weather --wait -o card\ncall get_weather {"city": "Rome"}')
    card = tools_shell.ns["card"]
    (call,) = card.current_run.pending_tool_calls
    request = {"type": "run_tools", "req_id": "r1", "tool_call_ids": [call.id], "submit": True, "drafts": {}}
    card._on_custom_msg(card, request, [])
    for future in list(card._inflight):
        future.result(timeout=30)
    card.wait(timeout=30)
    assert card.current_run.status == "completed"
    acks = [
        data["content"]
        for kind, data in wire.sent
        if kind == "comm_msg" and data.get("method") == "custom" and data["content"].get("type") == "ack"
    ]
    assert acks[-1]["req_id"] == "r1" and acks[-1]["ok"] is True
    assert "Rome" in acks[-1]["outputs"][call.id]


def test_python_tools_are_added_to_the_assistants_own(tools_shell: Shell) -> None:
    tools_shell.ok('%%run_stream --tools add --auto-tools --wait -o card\n/code\ncall add {"a": 1, "b": 1}')
    card = tools_shell.ns["card"]
    kinds = [tool.type for tool in card.current_run.tools]
    assert kinds == ["code_interpreter", "file_search", "function"]
    assert any(
        step.type == "tool_calls" and step.step_details.tool_calls[0].type == "code_interpreter"
        for step in card.snapshot.steps
    )


def test_replace_tools_gives_the_run_only_those(tools_shell: Shell) -> None:
    tools_shell.ok("%%run_stream --tools add --replace-tools --wait -o card\n/code")
    card = tools_shell.ns["card"]
    assert [tool.type for tool in card.current_run.tools] == ["function"]
    assert "/code needs the code_interpreter tool" in final_text(card)


def test_tools_by_keyword_and_json(tools_shell: Shell) -> None:
    tools_shell.ok(
        "%%run_stream --replace-tools --tools code_interpreter "
        '--tools \'{"type": "function", "function": {"name": "by_hand"}}\' --wait -o card\n'
        "call by_hand {}"
    )
    card = tools_shell.ns["card"]
    assert [tool.type for tool in card.current_run.tools] == ["code_interpreter", "function"]
    assert card.current_run.status == "requires_action"  # no Python function: answered by hand
    assert card.python_tools == []
    tools_shell.ok("%run_cancel --wait")


def test_a_dict_of_tools_and_a_toolset_in_the_notebook(tools_shell: Shell) -> None:
    tools_shell.ok(
        "from run_widgets.tools import ToolSet\nkit = ToolSet.from_any([add])\nnamed = {'plus': add}"
    )
    tools_shell.ok(
        '%%run_stream --tools kit,named --auto-tools --wait -o card\ncall plus {"a": 1, "b": 2}\ncall add {"a": 3, "b": 4}'
    )
    outputs = outputs_of(tools_shell.ns["card"])
    assert outputs == {"plus": "3", "add": "7"}


def test_auto_tools_from_the_configuration(tools_shell: Shell) -> None:
    tools_shell.ok("%config RunMagics.auto_tools = True")
    tools_shell.ok('%%run_stream --tools add --wait -o card\ncall add {"a": 20, "b": 22}')
    assert tools_shell.ns["card"].current_run.status == "completed"
    tools_shell.ok('%%run_stream --tools add --no-auto-tools --wait -o card\ncall add {"a": 1, "b": 1}')
    assert tools_shell.ns["card"].current_run.status == "requires_action"
    tools_shell.ok("%run_cancel --wait")
