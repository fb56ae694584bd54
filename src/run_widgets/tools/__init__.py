"""Python functions as function tools: a JSON schema from the type hints, calls that never raise.

``@tool`` turns a function into a ``PythonTool`` (still callable like the function) whose
``definition`` goes in a run's ``tools`` and whose ``execute(arguments)`` answers a call with the
output text. ``ToolSet`` holds the tools a kernel offers and answers a run's ``required_action``.
"""

from ._schema import ToolDefinitionError
from ._tool import PythonTool, ToolResult, tool
from ._toolset import ToolSet

__all__ = ["PythonTool", "ToolDefinitionError", "ToolResult", "ToolSet", "tool"]
