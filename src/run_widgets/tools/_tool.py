"""``PythonTool``: a Python function as a function tool, and the ``@tool`` decorator that makes one."""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import functools
import inspect
import json
import re
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar, overload

from pydantic import ValidationError

from ..models.requests import (
    FUNCTION_NAME_PATTERN,
    FunctionToolParam,
    RequestValidationError,
    validate_request,
)
from ._docstring import read_docstring
from ._output import exception_output, json_output, serialise, validation_output
from ._schema import ArgumentsSpec, ToolDefinitionError, arguments_spec, expects, strict_schema

P = ParamSpec("P")
R = TypeVar("R")

Arguments = str | bytes | Mapping[str, Any]
"""What a call's arguments may come as: the wire's JSON text, or already parsed."""


@dataclass(frozen=True)
class ToolResult:
    """What one call produced: the ``output`` to submit, and whether the function ran and returned."""

    output: str
    ok: bool = True


_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


class PythonTool(Generic[P, R]):
    """A Python function the assistant can call: its wire definition, and a call that never raises.

    Still callable like the function. ``execute(arguments)`` takes the call's JSON arguments,
    validates them against the signature, runs the function and returns the output text: the
    return value (JSON unless it is a string), or one line saying what went wrong.
    """

    def __init__(
        self,
        fn: Callable[P, R],
        *,
        name: str | None = None,
        description: str | None = None,
        strict: bool | None = None,
        namespace: Mapping[str, Any] | None = None,
    ) -> None:
        """``namespace``: extra names for string annotations (``@tool`` passes its caller's locals)."""
        if not callable(fn):
            raise ToolDefinitionError(f"a tool must be a function, got {type(fn).__name__}")
        self.fn = fn
        self._given = (name, description, strict)  # the options as given, kept when re-wrapped
        self.name: str = name if name is not None else _default_name(fn)
        if not re.fullmatch(FUNCTION_NAME_PATTERN, self.name):
            raise ToolDefinitionError(
                f"tool name {self.name!r} is not allowed: use 1 to 64 letters, digits, '_' or '-'"
                + ("" if name is not None else "; pass one with @tool(name=...)")
            )
        doc = read_docstring(inspect.getdoc(_documented(fn)))
        self.description: str | None = description if description is not None else doc.description
        self.strict = strict
        self._spec: ArgumentsSpec = arguments_spec(fn, self.name, doc, namespace)
        self.parameters: dict[str, Any] = strict_schema(self._spec.schema) if strict else self._spec.schema
        """The JSON schema of the arguments, as the assistant sees it."""
        self.expects: str = expects(self.name, self._spec)
        """The arguments in one line (``f(city: string, days: integer = 1)``), quoted in error outputs."""
        self.is_async = _is_async(fn)
        functools.update_wrapper(self, fn)
        try:
            validate_request(FunctionToolParam, self.definition)
        except RequestValidationError as exc:
            raise ToolDefinitionError(f"tool {self.name!r} does not fit the wire: {exc.message}") from None

    @property
    def definition(self) -> dict[str, Any]:
        """The wire tool: ``{"type": "function", "function": {name, description?, parameters, strict?}}``."""
        function: dict[str, Any] = {"name": self.name}
        if self.description:
            function["description"] = self.description
        function["parameters"] = copy.deepcopy(self.parameters)
        if self.strict is not None:
            function["strict"] = self.strict
        return {"type": "function", "function": function}

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"PythonTool({self.expects})"

    # --- calls from the assistant -------------------------------------------------------------------

    def invoke(self, arguments: Arguments) -> ToolResult:
        """Run one call here, in this thread (an async function runs to completion on its own loop)."""
        bound = self._bind(arguments)
        if isinstance(bound, ToolResult):
            return bound
        try:
            result: Any = self.fn(*bound[0], **bound[1])
            if inspect.isawaitable(result):
                result = _run_to_completion(result)
        except Exception as exc:
            return ToolResult(exception_output(exc), ok=False)
        return self._result(result)

    def execute(self, arguments: Arguments) -> str:
        """The output to submit for one call; never raises (failures become the output)."""
        return self.invoke(arguments).output

    async def ainvoke(self, arguments: Arguments) -> ToolResult:
        """Run one call without blocking the loop: async functions are awaited, sync ones run in a thread."""
        bound = self._bind(arguments)
        if isinstance(bound, ToolResult):
            return bound
        try:
            if self.is_async:
                result: Any = await self.fn(*bound[0], **bound[1])  # type: ignore[misc]
            else:
                result = await asyncio.to_thread(self.fn, *bound[0], **bound[1])
                if inspect.isawaitable(result):
                    result = await result
        except Exception as exc:
            return ToolResult(exception_output(exc), ok=False)
        return self._result(result)

    async def aexecute(self, arguments: Arguments) -> str:
        return (await self.ainvoke(arguments)).output

    def _bind(self, arguments: Arguments) -> tuple[list[Any], dict[str, Any]] | ToolResult:
        """Positional and keyword arguments for the function, or the output explaining why not."""
        if isinstance(arguments, str | bytes):
            text = arguments.decode() if isinstance(arguments, bytes) else arguments
            if not text.strip():
                data: Any = {}  # some models send "" for a call without arguments
            else:
                try:
                    data = json.loads(text)
                except ValueError as exc:
                    problem = f"the arguments are not valid JSON ({exc})"
                    return ToolResult(json_output(problem, self.expects), ok=False)
        else:
            data = arguments
        if not isinstance(data, Mapping):
            kind = "null" if data is None else _JSON_KINDS.get(type(data), type(data).__name__)
            problem = f"the arguments must be a JSON object, got {kind}"
            return ToolResult(json_output(problem, self.expects), ok=False)
        try:
            values = self._spec.model.model_validate(dict(data))
        except ValidationError as exc:
            return ToolResult(validation_output(exc, self.expects), ok=False)
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        given = values.model_fields_set
        for param in self._spec.parameters:
            if param.positional_only:
                args.append(getattr(values, param.field))
            elif param.field in given or param.always_pass:  # omitted ones keep the function's default
                kwargs[param.name] = getattr(values, param.field)
        return args, kwargs

    def _result(self, value: Any) -> ToolResult:
        try:
            return ToolResult(serialise(value))
        except Exception as exc:
            kind = type(value).__name__
            article = "an" if kind[:1].lower() in "aeiou" else "a"  # an ndarray, a set
            return ToolResult(
                f"Error: {self.name} returned {article} {kind} that is not JSON: {exc}", ok=False
            )


def _default_name(fn: Any) -> str:
    target = fn.func if isinstance(fn, functools.partial) else fn
    name = getattr(target, "__name__", None) or type(target).__name__
    return str(name)


def _documented(fn: Any) -> Any:
    """Where the docstring lives: a partial's function, not ``functools.partial`` itself."""
    return fn.func if isinstance(fn, functools.partial) else fn


def _is_async(fn: Any) -> bool:
    """An ``async def`` function (partials included), or an object whose ``__call__`` is one."""
    if inspect.iscoroutinefunction(fn):
        return True
    return not inspect.isroutine(fn) and inspect.iscoroutinefunction(type(fn).__call__)


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _run_to_completion(awaitable: Awaitable[Any]) -> Any:
    """Await from sync code: on a fresh loop here, or in a worker thread if this thread runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_await(awaitable))
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="run-widgets-tool") as pool:
        return pool.submit(asyncio.run, _await(awaitable)).result()


@overload
def tool(
    fn: Callable[P, R],
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool | None = None,
) -> PythonTool[P, R]: ...


@overload
def tool(
    fn: None = None, /, *, name: str | None = None, description: str | None = None, strict: bool | None = None
) -> Callable[[Callable[P, R]], PythonTool[P, R]]: ...


def tool(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool | None = None,
) -> PythonTool[P, R] | Callable[[Callable[P, R]], PythonTool[P, R]]:
    """Make a function a tool: ``@tool``, or ``@tool(name=..., description=..., strict=...)``.

    The JSON schema comes from the type hints (and ``Annotated[..., Field(...)]``), descriptions from
    the docstring (its first paragraph; ``Args:``/``Parameters``/``:param:`` per argument).
    ``strict=True`` makes the schema strict (every property required, objects closed).
    """

    namespace = sys._getframe(1).f_locals  # where a local class in a string annotation can be found

    def make(target: Callable[P, R]) -> PythonTool[P, R]:
        if isinstance(target, PythonTool):  # re-wrap with new options, keeping the old ones given
            old_name, old_description, old_strict = target._given
            return PythonTool(
                target.fn,
                name=name if name is not None else old_name,
                description=description if description is not None else old_description,
                strict=strict if strict is not None else old_strict,
                namespace=namespace,
            )
        return PythonTool(target, name=name, description=description, strict=strict, namespace=namespace)

    return make if fn is None else make(fn)
