"""ToolSet: the kernel's tools by name, built from whatever ``tools=`` got, answering a run's calls."""

from __future__ import annotations

import asyncio
import json
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest

from run_widgets.models import (
    CreateRunRequest,
    RequiredActionFunctionToolCall,
    Run,
    SubmitToolOutputsRequest,
    validate_request,
)
from run_widgets.tools import PythonTool, ToolDefinitionError, ToolSet, tool


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def shout(text: str) -> str:
    """Upper-case a text."""
    return text.upper()


@tool(name="fetch_page")
async def fetch(url: str) -> str:
    """Fetch a page."""
    await asyncio.sleep(0)
    return f"<html>{url}</html>"


# --- building --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "names"),
    [
        (None, []),
        ([], []),
        (add, ["add"]),
        (fetch, ["fetch_page"]),
        ([add, shout], ["add", "shout"]),
        ((add, fetch), ["add", "fetch_page"]),
        ({add, shout}, None),  # a set: order is the set's
        (iter([shout]), ["shout"]),
        ({"plus": add, "loud": shout}, ["plus", "loud"]),
        ({"fetch_page": fetch}, ["fetch_page"]),
        ({"get": fetch}, ["get"]),
    ],
)
def test_from_any_accepts_every_form(given: Any, names: list[str] | None) -> None:
    tools = ToolSet.from_any(given)
    assert isinstance(tools, ToolSet)
    if names is None:
        assert sorted(tools.names) == ["add", "shout"]
    else:
        assert tools.names == names
    assert all(isinstance(t, PythonTool) for t in tools.values())


def test_from_any_returns_a_toolset_as_it_is() -> None:
    tools = ToolSet.from_any([add])
    assert ToolSet.from_any(tools) is tools


def test_a_mapping_renames_and_keeps_the_function() -> None:
    tools = ToolSet.from_any({"plus": add, "get": fetch})
    assert tools["plus"].definition["function"]["name"] == "plus"
    assert tools["plus"].description == "Add two numbers."
    assert tools["get"].is_async and tools["get"].description == "Fetch a page."
    assert fetch.name == "fetch_page"  # the original tool is untouched


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ([add, add], "two tools are named 'add'"),
        ([add, tool(shout, name="add")], "two tools are named 'add'"),
        ("add,shout", "is a string; pass the functions themselves"),
        (42, "tools must be functions, a list of them or a {name: function} dict, not int"),
        ([add, 3], "a tool must be a function, got int"),
        ({"plus": "add"}, "tool 'plus' must be a function, got str"),
        ({1: add}, "tool names are strings"),
        ({"bad name": add}, "tool name 'bad name' is not allowed"),
    ],
)
def test_from_any_refuses_what_is_not_tools(given: Any, message: str) -> None:
    with pytest.raises(ToolDefinitionError, match=None) as caught:
        ToolSet.from_any(given)
    assert message in str(caught.value)


def test_the_mapping_interface() -> None:
    tools = ToolSet.from_any([add, shout])
    assert "add" in tools and "nope" not in tools
    assert tools.get("add") is tools["add"] and tools.get("nope") is None
    assert len(tools) == 2 and list(tools) == ["add", "shout"]
    assert repr(tools) == "ToolSet(['add', 'shout'])"
    with pytest.raises(KeyError):
        tools["nope"]


def test_definitions_go_straight_into_a_run_request() -> None:
    tools = ToolSet.from_any([add, shout, fetch])
    definitions = tools.definitions
    assert [d["function"]["name"] for d in definitions] == ["add", "shout", "fetch_page"]
    assert definitions[0] == {
        "type": "function",
        "function": {
            "name": "add",
            "description": "Add two numbers.",
            "parameters": {
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "required": ["a", "b"],
                "additionalProperties": False,
            },
        },
    }
    body = CreateRunRequest(assistant_id="asst_1", tools=definitions).to_body()
    assert body["tools"] == definitions


# --- running calls -----------------------------------------------------------------------------------------


def test_execute_by_name() -> None:
    tools = ToolSet.from_any([add, fetch])
    assert tools.execute("add", '{"a": 2, "b": 3}') == "5"
    assert tools.execute("fetch_page", '{"url": "u"}') == "<html>u</html>"
    assert tools.execute("add", '{"a": 2}').startswith(
        "Error: invalid arguments: b: required argument is missing"
    )


def test_an_unknown_name_is_an_output_that_says_so() -> None:
    tools = ToolSet.from_any([add, shout])
    assert (
        tools.execute("nope", "{}") == "Error: there is no Python tool named 'nope' here (known: add, shout)"
    )
    assert not tools.invoke("nope", "{}").ok
    assert ToolSet().execute("x", "{}") == "Error: there is no Python tool named 'x' here (known: none)"
    assert asyncio.run(tools.aexecute("nope", "{}")).startswith("Error: there is no Python tool named 'nope'")


def test_aexecute_runs_both_kinds() -> None:
    tools = ToolSet.from_any([add, fetch])

    async def main() -> list[str]:
        return [
            await tools.aexecute("add", '{"a": 1, "b": 1}'),
            await tools.aexecute("fetch_page", '{"url": "v"}'),
        ]

    assert asyncio.run(main()) == ["2", "<html>v</html>"]


# --- answering required_action ------------------------------------------------------------------------


def function_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


CALLS = [
    function_call("call_1", "add", '{"a": 1, "b": 2}'),
    function_call("call_2", "lookup_in_crm", '{"id": 7}'),  # not a kernel tool: left for the form
    function_call("call_3", "shout", '{"text": "hi"}'),
    function_call("call_4", "add", '{"a": "x"}'),
]
EXPECTED = [
    {"tool_call_id": "call_1", "output": "3"},
    {"tool_call_id": "call_3", "output": "HI"},
    {
        "tool_call_id": "call_4",
        "output": "Error: invalid arguments: a: input should be a valid integer, unable to parse string as an "
        "integer; b: required argument is missing. Expected add(a: integer, b: integer)",
    },
]


def requires_action_run(calls: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "run_1",
        "object": "thread.run",
        "created_at": 1,
        "thread_id": "thread_1",
        "assistant_id": "asst_1",
        "status": "requires_action",
        "model": "m",
        "instructions": "",
        "tools": [],
        "parallel_tool_calls": True,
        "required_action": {"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": calls}},
    }


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(lambda: CALLS, id="dicts"),
        pytest.param(
            lambda: [RequiredActionFunctionToolCall.model_validate(c) for c in CALLS], id="our-calls"
        ),
        pytest.param(lambda: Run.model_validate(requires_action_run(CALLS)), id="our-run"),
        pytest.param(
            lambda: Run.model_validate(requires_action_run(CALLS)).required_action, id="our-required-action"
        ),
        pytest.param(lambda: requires_action_run(CALLS), id="run-dict"),
        pytest.param(lambda: Run.model_validate(requires_action_run(CALLS)).pending_tool_calls, id="pending"),
    ],
)
def test_outputs_for_answers_the_calls_it_can(source: Any) -> None:
    tools = ToolSet.from_any([add, shout])
    assert tools.outputs_for(source()) == EXPECTED
    assert asyncio.run(tools.aoutputs_for(source())) == EXPECTED


def test_outputs_for_nothing_to_answer() -> None:
    tools = ToolSet.from_any([add])
    assert tools.outputs_for(None) == []
    assert tools.outputs_for([]) == []
    in_progress = {**requires_action_run([]), "status": "in_progress", "required_action": None}
    assert tools.outputs_for(Run.model_validate(in_progress)) == []
    assert tools.outputs_for([{"id": "c", "type": "code_interpreter", "code_interpreter": {}}]) == []
    # a required action of a kind this version does not know carries no calls to answer
    other = {**requires_action_run([]), "required_action": {"type": "approve_plan", "plan": {"steps": 2}}}
    for source in (other, other["required_action"], Run.model_validate(other)):
        assert tools.outputs_for(source) == []
    assert tools.outputs_for(Run.model_validate(other).required_action) == []


def test_outputs_for_sends_empty_arguments_as_no_arguments() -> None:
    @tool
    def now() -> str:
        return "noon"

    call = {"id": "c", "type": "function", "function": {"name": "now", "arguments": ""}}
    assert ToolSet.from_any([now]).outputs_for([call]) == [{"tool_call_id": "c", "output": "noon"}]


def test_outputs_are_a_valid_submit_tool_outputs_body() -> None:
    outputs = ToolSet.from_any([add, shout]).outputs_for(CALLS)
    assert validate_request(SubmitToolOutputsRequest, {"tool_outputs": outputs}).to_body() == {
        "tool_outputs": outputs
    }


def test_aoutputs_for_runs_async_tools_concurrently_and_sync_tools_one_at_a_time() -> None:
    running: list[str] = []
    overlaps: list[int] = []
    both_started = asyncio.Event()
    started = 0

    @tool
    async def wait_for_peer(tag: str) -> str:
        nonlocal started
        started += 1
        if started == 2:
            both_started.set()
        await asyncio.wait_for(both_started.wait(), timeout=30)  # only both at once get past here
        return tag

    @tool
    def count(tag: str) -> str:
        running.append(tag)
        time.sleep(0.05)  # room for another call to start, were sync calls run side by side
        overlaps.append(len(running))
        running.remove(tag)
        return tag

    tools = ToolSet.from_any([wait_for_peer, count])
    calls = [
        function_call(f"c{i}", name, json.dumps({"tag": f"t{i}"}))
        for i, name in enumerate(["wait_for_peer", "count", "wait_for_peer", "count", "count"])
    ]
    outputs = asyncio.run(tools.aoutputs_for(calls))
    assert outputs == [{"tool_call_id": f"c{i}", "output": f"t{i}"} for i in range(5)]  # in call order
    assert overlaps == [1, 1, 1]  # sync tools never overlapped


# --- with the official SDK as the client ---------------------------------------------------------------


@pytest.fixture
def sdk() -> Iterator[openai.OpenAI]:
    """The openai SDK against a MockTransport that plays a run asking for two tools, then takes outputs."""
    submitted: list[Any] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/submit_tool_outputs"):
            submitted.append(json.loads(request.content))
            return httpx2.Response(
                200, json={**requires_action_run([]), "status": "queued", "required_action": None}
            )
        return httpx2.Response(200, json=requires_action_run(CALLS[:2] + CALLS[2:3]))

    client = openai.OpenAI(
        base_url="http://runs.test/v1",
        api_key="sk-test",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    client.submitted = submitted  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield client


def test_answering_a_run_the_sdk_retrieved(sdk: openai.OpenAI) -> None:
    run = sdk.beta.threads.runs.retrieve("run_1", thread_id="thread_1")
    tools = ToolSet.from_any([add, shout])
    outputs = tools.outputs_for(run)  # the SDK's Run and its calls, read as they are
    assert outputs == [{"tool_call_id": "call_1", "output": "3"}, {"tool_call_id": "call_3", "output": "HI"}]
    assert tools.outputs_for(run.required_action.submit_tool_outputs.tool_calls) == outputs  # type: ignore[union-attr]
    sdk.beta.threads.runs.submit_tool_outputs("run_1", thread_id="thread_1", tool_outputs=outputs)  # type: ignore[arg-type]
    assert sdk.submitted == [{"tool_outputs": outputs}]  # type: ignore[attr-defined]
