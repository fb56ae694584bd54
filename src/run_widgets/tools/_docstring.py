"""What a function's docstring says about it as a tool: a description and one line per parameter.

Google (``Args:``), NumPy (``Parameters`` / ``----------``) and Sphinx (``:param x:``) styles are all
read by ``docstring_parser``, which picks the style that finds the most in the text.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import docstring_parser


@dataclass(frozen=True)
class DocInfo:
    description: str | None = None
    """The docstring's first paragraph, on one line."""
    params: dict[str, str] = field(default_factory=dict)
    """Parameter name -> its description, on one line."""


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def read_docstring(doc: str | None) -> DocInfo:
    text = inspect.cleandoc(doc or "")
    if not text:
        return DocInfo()
    try:
        parsed = docstring_parser.parse(text)
    except docstring_parser.ParseError:  # a docstring in no known style: its first paragraph only
        return DocInfo(description=_one_line(text.split("\n\n", 1)[0]) or None)
    first = parsed.short_description or ""
    if parsed.long_description and not parsed.blank_after_short_description:
        first += "\n" + parsed.long_description.split("\n\n", 1)[0]  # the paragraph goes on
    params = {p.arg_name: _one_line(p.description) for p in parsed.params if p.description}
    return DocInfo(description=_one_line(first) or None, params=params)
