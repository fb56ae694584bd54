"""``ToolSet``: the Python tools a kernel offers, by name, and the answers to a run's tool calls."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ._schema import ToolDefinitionError
from ._tool import Arguments, PythonTool, ToolResult, tool


class ToolSet(Mapping[str, PythonTool[..., Any]]):
    """A name -> ``PythonTool`` mapping that answers ``required_action`` tool calls.

    Build one with ``ToolSet.from_any(...)`` from whatever a caller passed as ``tools=``.
    """

    def __init__(self, tools: Iterable[PythonTool[..., Any]] = ()) -> None:
        self._tools: dict[str, PythonTool[..., Any]] = {}
        for item in tools:
            if item.name in self._tools:
                raise ToolDefinitionError(f"two tools are named {item.name!r}; give one another name")
            self._tools[item.name] = item

    @classmethod
    def from_any(cls, tools: Any) -> ToolSet:
        """None, a ToolSet, ``{name: function}``, or functions / PythonTools (one or an iterable)."""
        if tools is None:
            return cls()
        if isinstance(tools, ToolSet):
            return tools
        if isinstance(tools, Mapping):
            return cls(_named(name, fn) for name, fn in tools.items())
        if callable(tools):  # one function, or one PythonTool
            return cls([_as_tool(tools)])
        if isinstance(tools, str | bytes):
            raise ToolDefinitionError(
                f"tools={tools!r} is a string; pass the functions themselves (tools=[f, g])"
            )
        try:
            items = list(tools)
        except TypeError:
            raise ToolDefinitionError(
                f"tools must be functions, a list of them or a {{name: function}} dict, not {type(tools).__name__}"
            ) from None
        return cls(_as_tool(item) for item in items)

    # --- the mapping --------------------------------------------------------------------------------

    def __getitem__(self, name: str) -> PythonTool[..., Any]:
        return self._tools[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tools)

    def __len__(self) -> int:
        return len(self._tools)

    def __repr__(self) -> str:
        return f"ToolSet({self.names!r})"

    @property
    def names(self) -> list[str]:
        return list(self._tools)

    @property
    def definitions(self) -> list[dict[str, Any]]:
        """The wire tool dicts, ready for ``tools=`` of a run or an assistant."""
        return [t.definition for t in self._tools.values()]

    # --- calls ----------------------------------------------------------------------------------------

    def _unknown(self, name: str) -> ToolResult:
        known = ", ".join(self._tools) or "none"
        return ToolResult(f"Error: there is no Python tool named {name!r} here (known: {known})", ok=False)

    def invoke(self, name: str, arguments: Arguments) -> ToolResult:
        found = self._tools.get(name)
        return found.invoke(arguments) if found is not None else self._unknown(name)

    def execute(self, name: str, arguments: Arguments) -> str:
        """The output for one call of tool ``name``; never raises."""
        return self.invoke(name, arguments).output

    async def ainvoke(self, name: str, arguments: Arguments) -> ToolResult:
        found = self._tools.get(name)
        return await found.ainvoke(arguments) if found is not None else self._unknown(name)

    async def aexecute(self, name: str, arguments: Arguments) -> str:
        return (await self.ainvoke(name, arguments)).output

    def answerable(self, tool_calls: Any) -> list[tuple[str, str, str]]:
        """``(call id, tool name, arguments)`` of the calls this set can answer, in order."""
        out = []
        for call in _calls_of(tool_calls):
            parts = _call_parts(call)
            if parts is not None and parts[1] in self._tools:
                out.append(parts)
        return out

    def outputs_for(self, tool_calls: Any) -> list[dict[str, str]]:
        """``[{"tool_call_id", "output"}]`` for the calls this set can answer, run one after another.

        ``tool_calls``: a Run (its pending calls), a ``required_action``, or the calls themselves
        (``RequiredActionFunctionToolCall`` objects, the SDK's, or dicts).
        """
        return [
            {"tool_call_id": call_id, "output": self.execute(name, arguments)}
            for call_id, name, arguments in self.answerable(tool_calls)
        ]

    async def aoutputs_for(self, tool_calls: Any) -> list[dict[str, str]]:
        """As ``outputs_for``; async tools run concurrently, sync ones one at a time in a worker thread."""
        sync_lock = asyncio.Lock()  # kernel functions need not be thread-safe: never two at once

        async def answer(name: str, arguments: str) -> str:
            found = self._tools[name]
            if found.is_async:
                return await found.aexecute(arguments)
            async with sync_lock:
                return await found.aexecute(arguments)

        calls = self.answerable(tool_calls)
        outputs = await asyncio.gather(*(answer(name, arguments) for _, name, arguments in calls))
        return [
            {"tool_call_id": call[0], "output": output} for call, output in zip(calls, outputs, strict=True)
        ]


def _as_tool(item: Any) -> PythonTool[..., Any]:
    if isinstance(item, PythonTool):
        return item
    if not callable(item):
        raise ToolDefinitionError(f"a tool must be a function, got {type(item).__name__}: {item!r}")
    made: PythonTool[..., Any] = tool(item)
    return made


def _named(name: Any, item: Any) -> PythonTool[..., Any]:
    if not isinstance(name, str):
        raise ToolDefinitionError(f"tool names are strings, got {name!r}")
    if isinstance(item, PythonTool) and item.name == name:
        return item
    if not callable(item):
        raise ToolDefinitionError(f"tool {name!r} must be a function, got {type(item).__name__}")
    renamed: PythonTool[..., Any] = tool(item, name=name)
    return renamed


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, None)


def _calls_of(source: Any) -> list[Any]:
    """The tool calls in a Run, a required_action, or a list of calls."""
    if source is None:
        return []
    action = _get(source, "required_action")
    if action is not None or _get(source, "object") == "thread.run":
        source = action
    if source is None:
        return []
    submit = _get(source, "submit_tool_outputs")
    if submit is not None:
        return list(_get(submit, "tool_calls") or [])
    if isinstance(source, Mapping) or _get(source, "type") is not None:
        return []  # a required action of another kind: no tool calls to answer
    return list(source)


def _call_parts(call: Any) -> tuple[str, str, str] | None:
    if (_get(call, "type") or "function") != "function":
        return None
    function = _get(call, "function")
    call_id, name = _get(call, "id"), _get(function, "name") if function is not None else None
    if not isinstance(call_id, str) or not isinstance(name, str):
        return None
    arguments = _get(function, "arguments")
    return call_id, name, arguments if isinstance(arguments, str) else ""
