"""The message of a ``%%run_stream`` cell: sent as written, or with ``{name}`` filled in on request.

IPython expands ``$var`` and ``{var}`` in a magic's line, never in a cell magic's body, and the body
is where people write currency ("$5"), LaTeX ("$x^2$"), shell snippets ("$HOME") and JSON. So the
body goes as written unless ``--format`` asks for ``str.format`` with the notebook's variables, which
touches only braces (``$`` stays as it is) and fails loudly, naming what it could not fill in.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from IPython.core.error import UsageError

_NAME = re.compile(r"[^.\[]*")
"""The variable a replacement field starts with (``city`` in ``{city.upper}``, ``{city[0]}``)."""
_KEEP = "write {{ and }} for braces that are part of the message"


def format_message(text: str, namespace: Mapping[str, Any]) -> str:
    """``text`` with each ``{name}`` (``{name.attr}``, ``{name[key]}``, ``{name:.2f}``) replaced as
    ``str.format`` does with the notebook's variables; a ``UsageError`` saying what to do otherwise."""
    formatter = string.Formatter()
    try:
        fields = [field for _, field, _, _ in formatter.parse(text) if field is not None]
    except ValueError as exc:  # a lone brace
        raise UsageError(f"--format: {exc} in the message; {_KEEP}.") from None
    for field in fields:
        name = _NAME.match(field)
        assert name is not None  # the pattern matches the empty string
        if not name.group() or name.group().isdigit():
            raise UsageError(f"--format: {{{field}}} needs a variable's name, as in {{city}}; {_KEEP}.")
        if name.group() not in namespace:
            raise UsageError(
                f"--format: there is no variable {name.group()!r} in the notebook: define it, "
                f"or write {{{{{field}}}}} to send the braces as they are."
            )
    try:
        return formatter.vformat(text, (), namespace)
    except Exception as exc:  # a missing key or attribute, a format spec the value does not take
        raise UsageError(
            f"--format: {type(exc).__name__}: {exc}. Check the fields in braces; {_KEEP}."
        ) from None
