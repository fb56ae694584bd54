"""A run's options, from friendly Python values to the wire's ``CreateRunRequest`` fields.

Friendly forms: a tool choice by function name, a response format by name or as a pydantic model, a
truncation as a number of messages, additional messages as plain text. Everything else passes through
as given; the client validates the request before sending it and names the field at fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from .errors import SessionError

_SCHEMA_NAME = re.compile(r"[^a-zA-Z0-9_-]+")
_RUN_FIELDS = (
    "model",
    "instructions",
    "additional_instructions",
    "metadata",
    "temperature",
    "top_p",
    "reasoning_effort",
    "max_prompt_tokens",
    "max_completion_tokens",
    "parallel_tool_calls",
)


class RunOptions(TypedDict, total=False):
    """The options of a run, each as in ``CreateRunRequest`` (plus the friendly forms noted)."""

    model: str
    instructions: str
    additional_instructions: str
    additional_messages: Iterable[str | Mapping[str, Any]] | str
    """Messages added to the thread before the run: dicts, or plain text (a user message)."""
    metadata: Mapping[str, str]
    temperature: float
    top_p: float
    reasoning_effort: str
    max_prompt_tokens: int
    max_completion_tokens: int
    truncation_strategy: str | int | Mapping[str, Any]
    """``"auto"``, a number of last messages, or the wire's object."""
    tool_choice: Any
    """``"none"``, ``"auto"``, ``"required"``, ``"code_interpreter"``, ``"file_search"``, a function's
    name (or the function), or the wire's object."""
    parallel_tool_calls: bool
    response_format: Any
    """``"auto"``, ``"text"``, ``"json_object"``, a pydantic model class, or the wire's object."""
    json_schema: Any
    """A JSON schema (dict), ``{"name", "schema", "strict"?}``, or a pydantic model class."""
    include: Iterable[str]


def run_params(options: Mapping[str, Any], message: str | None = None) -> dict[str, Any]:
    """The request's fields for ``options`` (``message``, if any, goes last in additional messages)."""
    known = set(RunOptions.__annotations__)
    unknown = sorted(set(options) - known)
    if unknown:
        raise SessionError(
            f"unknown run option{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"the options are: {', '.join(sorted(known))}"
        )
    params: dict[str, Any] = {name: options[name] for name in _RUN_FIELDS if options.get(name) is not None}
    if options.get("metadata") is not None:
        params["metadata"] = dict(options["metadata"])
    messages = additional_messages(options.get("additional_messages"))
    if message is not None:
        if not message.strip():
            raise SessionError("The message is empty: write it in the cell, below the magic's line.")
        messages.append({"role": "user", "content": message})
    if messages:
        params["additional_messages"] = messages
    if options.get("truncation_strategy") is not None:
        params["truncation_strategy"] = truncation(options["truncation_strategy"])
    if options.get("tool_choice") is not None:
        params["tool_choice"] = tool_choice(options["tool_choice"])
    if options.get("json_schema") is not None:
        if options.get("response_format") not in (None, "json_schema"):
            raise SessionError("Give either a response format or a JSON schema, not both.")
        params["response_format"] = json_schema_format(options["json_schema"])
    elif options.get("response_format") is not None:
        params["response_format"] = response_format(options["response_format"])
    if options.get("include") is not None:
        params["include"] = list(options["include"])
    return params


def additional_messages(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | Mapping):
        value = [value]
    out: list[Any] = []
    for item in value:
        out.append({"role": "user", "content": item} if isinstance(item, str) else item)
    return out


def truncation(value: Any) -> Any:
    if value == "auto":
        return {"type": "auto"}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"type": "last_messages", "last_messages": value}
    return value


def tool_choice(value: Any) -> Any:
    if isinstance(value, str):
        if value in ("none", "auto", "required"):
            return value
        if value in ("code_interpreter", "file_search"):
            return {"type": value}
        return {"type": "function", "function": {"name": value}}
    name = getattr(value, "name", None) or getattr(value, "__name__", None)
    if callable(value) and isinstance(name, str):
        return {"type": "function", "function": {"name": name}}
    return value


def response_format(value: Any) -> Any:
    if value in ("text", "json_object"):
        return {"type": value}
    if _is_model_class(value):
        return json_schema_format(value)
    return value


def json_schema_format(value: Any) -> dict[str, Any]:
    """``{"type": "json_schema", "json_schema": {...}}`` for a schema, a named schema or a model class."""
    if _is_model_class(value):
        schema = value.model_json_schema()
        return {
            "type": "json_schema",
            "json_schema": {"name": schema_name(value.__name__), "schema": schema},
        }
    if not isinstance(value, Mapping):
        raise SessionError(
            f"A JSON schema is a dict (or a pydantic model class), not {type(value).__name__}."
        )
    if "schema" in value and "name" in value:
        return {"type": "json_schema", "json_schema": dict(value)}
    name = schema_name(str(value.get("title") or "response"))
    return {"type": "json_schema", "json_schema": {"name": name, "schema": dict(value)}}


def schema_name(text: str) -> str:
    """A name the wire accepts (letters, digits, ``_``, ``-``; at most 64)."""
    return (_SCHEMA_NAME.sub("_", text).strip("_") or "response")[:64]


def _is_model_class(value: Any) -> bool:
    return isinstance(value, type) and callable(getattr(value, "model_json_schema", None))
