"""The tools a run gets: Python tools and wire definitions from ``tools=``, merged with the
assistant's own (a run's ``tools`` replaces the assistant's on the wire, so a run given one Python
function would otherwise lose the code interpreter)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..tools import ToolSet
from .errors import SessionError

_SIMPLE_TOOLS = ("code_interpreter", "file_search")
_TOOL_KEYS = {"function": ("name", "description", "parameters", "strict")}


def split_tools(tools: Any) -> tuple[ToolSet | None, list[dict[str, Any]]]:
    """Python tools (a ``ToolSet``, or None) and every tool's wire definition, from ``tools=``."""
    if tools is None:
        return None, []
    if isinstance(tools, ToolSet) or callable(tools):
        toolset = ToolSet.from_any(tools)
        return toolset, toolset.definitions
    if isinstance(tools, Mapping) and "type" not in tools:
        toolset = ToolSet.from_any(tools)  # {name: function}
        return toolset, toolset.definitions
    items: Iterable[Any] = [tools] if isinstance(tools, str | Mapping) else tools
    python: list[Any] = []
    wire: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, str):
            if item not in _SIMPLE_TOOLS:
                raise SessionError(
                    f"{item!r} is not a tool: give functions, 'code_interpreter', 'file_search' or tool dicts."
                )
            wire.append({"type": item})
        elif isinstance(item, Mapping):
            wire.append(dict(item))
        elif isinstance(item, ToolSet):
            python.extend(item.values())
        else:
            python.append(item)
    found = ToolSet.from_any(python) if python else None
    return found, wire + (found.definitions if found is not None else [])


def merged(own: list[dict[str, Any]], given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An assistant's tools with ``given`` added; a given tool replaces one of the same name (or type)."""
    keys = {tool_key(tool) for tool in given}
    return [tool for tool in own if tool_key(tool) not in keys] + given


def tool_key(tool: Mapping[str, Any]) -> tuple[str, ...]:
    kind = str(tool.get("type"))
    if kind == "function":
        function = tool.get("function")
        return (kind, str(function.get("name")) if isinstance(function, Mapping) else "")
    return (kind,)


def wire_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """An assistant's tool as a run's tool param (only the fields a request may carry)."""
    kind = tool.get("type")
    if kind == "function" and isinstance(tool.get("function"), dict):
        function = tool["function"]
        return {"type": kind, "function": {k: function[k] for k in _TOOL_KEYS["function"] if k in function}}
    if kind == "file_search" and isinstance(tool.get("file_search"), dict):
        settings = tool["file_search"]
        kept = {k: settings[k] for k in ("max_num_results", "ranking_options") if k in settings}
        return {"type": kind, "file_search": kept} if kept else {"type": kind}
    return {"type": kind}
