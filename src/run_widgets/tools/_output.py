"""A tool call's result as the text submitted for it: return values as JSON, failures as one short line."""

from __future__ import annotations

from typing import Any

import pydantic_core
from pydantic import ValidationError

MAX_ERROR_CHARS = 1000
"""An exception's message is cut here: the output says what went wrong, it is not a log."""

MAX_LISTED_ERRORS = 5


def _fallback(value: Any) -> Any:
    """Types pydantic does not know: arrays and frames by their data, anything else by ``str``."""
    for method in ("tolist", "to_dict"):  # numpy arrays and scalars; pandas series and frames
        convert = getattr(value, method, None)
        if callable(convert):
            try:
                return convert()
            except Exception:
                break
    return str(value)


def serialise(value: Any) -> str:
    """A return value as tool output: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return pydantic_core.to_json(value, fallback=_fallback, inf_nan_mode="null").decode()


def _cut(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def exception_output(exc: BaseException) -> str:
    """``Error: ValueError: unknown city 'Atlantis'``: the type and the message, never the traceback."""
    message = " ".join(str(exc).split())
    name = type(exc).__name__
    return _cut(f"Error: {name}: {message}" if message else f"Error: {name}")


def _error_line(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "arguments"
    kind = error["type"]
    if kind == "missing":
        what = "required argument is missing"
    elif kind == "extra_forbidden":
        what = "unexpected argument"
    else:
        msg = str(error["msg"])
        what = msg[0].lower() + msg[1:]
    return f"{where}: {what}"


def validation_output(exc: ValidationError, expected: str) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    lines = [_error_line(e) for e in errors[:MAX_LISTED_ERRORS]]
    more = f" (and {len(errors) - MAX_LISTED_ERRORS} more)" if len(errors) > MAX_LISTED_ERRORS else ""
    return _cut(
        f"Error: invalid arguments: {'; '.join(lines)}{more}. Expected {expected}", 2 * MAX_ERROR_CHARS
    )


def json_output(problem: str, expected: str) -> str:
    return _cut(f"Error: {problem}. Expected {expected}", 2 * MAX_ERROR_CHARS)
