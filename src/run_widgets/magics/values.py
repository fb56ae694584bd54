"""Reading the magics' flag values: JSON, ``k=v`` pairs, numbers of messages, names from the notebook.

Each reader raises ``UsageError`` with one line naming the flag and the forms it takes.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from IPython.core.error import UsageError

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def boolean(text: str) -> bool:
    """For argparse ``type=``: true/false, yes/no, on/off, 1/0."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(text)


boolean.__name__ = "true/false"  # what argparse says: "invalid true/false value: 'maybe'"


def parse_json(flag: str, text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{flag}: not valid JSON ({exc.msg} at column {exc.colno}); {what}. "
            'Quote JSON on the magic\'s line with single quotes: \'{"key": "value"}\'.'
        ) from None


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def lookup(namespace: Mapping[str, Any], name: str) -> Any:
    """``name`` (``f`` or ``module.f``) in the notebook's namespace; KeyError if it is not there."""
    head, *rest = name.split(".")
    if not head.isidentifier() or keyword.iskeyword(head) or head not in namespace:
        raise KeyError(name)
    value = namespace[head]
    for part in rest:
        if not hasattr(value, part):
            raise KeyError(name)
        value = getattr(value, part)
    return value


def metadata(values: list[str]) -> dict[str, str]:
    """``--metadata k=v`` (repeatable) or ``--metadata '{"k": "v"}'``."""
    out: dict[str, str] = {}
    for text in values:
        if looks_like_json(text):
            parsed = parse_json("--metadata", text, "write k=v or a JSON object of strings")
            if not isinstance(parsed, dict):
                raise UsageError('--metadata: give k=v, or a JSON object like \'{"k": "v"}\'.')
            out.update({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()})
            continue
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--metadata {text!r}: write key=value (repeat --metadata for more pairs).")
        out[key.strip()] = value
    return out


def additional_messages(values: list[str]) -> list[Any]:
    """Each ``--additional-messages``: JSON (one message object, or a list of them) or plain text."""
    out: list[Any] = []
    for text in values:
        if looks_like_json(text):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                out.append(text)  # text that merely starts with a bracket
                continue
            if isinstance(parsed, list):
                out.extend(parsed)
            else:
                out.append(parsed)
        else:
            out.append(text)
    return out


def truncation(text: str) -> Any:
    """``auto``, ``N``, ``last_messages=N`` (or ``last_messages:N``), or the JSON object."""
    stripped = text.strip()
    if stripped == "auto":
        return "auto"
    if looks_like_json(stripped):
        return parse_json(
            "--truncation", stripped, 'write auto, N, or \'{"type": "last_messages", "last_messages": N}\''
        )
    number = stripped
    for prefix in ("last_messages=", "last_messages:"):
        if stripped.startswith(prefix):
            number = stripped[len(prefix) :]
    try:
        return int(number)
    except ValueError:
        raise UsageError(
            f"--truncation {text!r}: write auto, a number of last messages (5), or last_messages=5."
        ) from None


def tool_choice(text: str) -> Any:
    """none, auto, required, code_interpreter, file_search, a function's name, or the JSON object."""
    stripped = text.strip()
    if looks_like_json(stripped):
        return parse_json(
            "--tool-choice", stripped, "write none, auto, required, a tool's name, or the JSON object"
        )
    return stripped


def response_format(text: str, namespace: Mapping[str, Any]) -> Any:
    """auto, text, json_object, the JSON object, or the name of a pydantic model in the notebook."""
    stripped = text.strip()
    if stripped in ("auto", "text", "json_object"):
        return stripped
    if looks_like_json(stripped):
        return parse_json("--response-format", stripped, "write auto, text, json_object, or the JSON object")
    try:
        return lookup(namespace, stripped)
    except KeyError:
        raise UsageError(
            f"--response-format {text!r}: write auto, text, json_object, a JSON object, "
            "or the name of a pydantic model in the notebook (for a JSON schema)."
        ) from None


def json_schema(text: str, namespace: Mapping[str, Any]) -> Any:
    """A JSON schema: inline JSON, a ``.json`` file, or a dict or pydantic model in the notebook."""
    stripped = text.strip()
    if looks_like_json(stripped):
        return parse_json("--json-schema", stripped, "give the schema as a JSON object")
    if stripped.endswith(".json") and Path(stripped).is_file():
        return parse_json("--json-schema", Path(stripped).read_text(encoding="utf-8"), f"fix {stripped}")
    try:
        return lookup(namespace, stripped)
    except KeyError:
        raise UsageError(
            f"--json-schema {text!r}: give a JSON object, a .json file, or the name of a dict "
            "or a pydantic model in the notebook."
        ) from None


def tools(values: list[str], namespace: Mapping[str, Any]) -> list[Any]:
    """``--tools f,g`` (names in the notebook), code_interpreter, file_search, or JSON tool objects."""
    out: list[Any] = []
    for text in values:
        if looks_like_json(text):
            parsed = parse_json("--tools", text, "give tool objects, or names of functions")
            out.extend(parsed if isinstance(parsed, list) else [parsed])
            continue
        for name in (part.strip() for part in text.split(",")):
            if not name:
                continue
            if name in ("code_interpreter", "file_search"):
                out.append(name)
                continue
            try:
                value = lookup(namespace, name)
            except KeyError:
                raise UsageError(
                    f"--tools: there is no {name!r} in the notebook; define or import the function first "
                    "(names are separated by commas: --tools get_weather,add)."
                ) from None
            if not callable(value) and not isinstance(value, list | tuple | Mapping):
                raise UsageError(f"--tools: {name!r} is {_a(type(value).__name__)}, not a function.")
            if isinstance(value, list | tuple):
                out.extend(value)
            elif isinstance(value, Mapping) and "type" not in value:
                from ..tools import ToolSet

                out.extend(ToolSet.from_any(value).values())  # a ToolSet, or {name: function}
            else:
                out.append(value)
    return out


def output_name(text: str) -> str:
    if not text.isidentifier() or keyword.iskeyword(text):
        raise UsageError(f"-o {text!r}: give a Python variable name, like -o card.")
    return text


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "an int", "a str" (by its first letter)."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"
