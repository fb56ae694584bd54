"""How the server counts tokens when an engine does not report them.

A token is a run of letters and digits (at most 6 characters: longer words count one token per 6
characters started, roughly as real tokenizers split them) or a single other non-space character. It is a
deterministic estimate, not a real tokenizer, so usage figures are stable across machines.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w{1,6}|[^\w\s]", re.UNICODE)


def count_tokens(text: str) -> int:
    """Tokens in ``text`` (see the module docstring)."""
    return len(_TOKEN.findall(text))


def truncate_to_tokens(text: str, limit: int) -> str:
    """The longest prefix of ``text`` holding at most ``limit`` tokens."""
    if limit <= 0:
        return ""
    for index, match in enumerate(_TOKEN.finditer(text)):
        if index == limit:
            return text[: match.start()].rstrip()
    return text


_TRAILING_WORD = re.compile(r"\w*\Z", re.UNICODE)


class MessageTokenCount:
    """``count_tokens`` of a text that only grows, without rescanning it on every delta.

    Tokens never span a non-word character, so the text splits into a settled part (up to the last
    non-word character), counted once, and its trailing run of word characters, which the next delta
    may lengthen: only that run is counted again.
    """

    __slots__ = ("settled", "tail")

    def __init__(self) -> None:
        self.settled = 0
        self.tail = ""

    def with_(self, text: str) -> int:
        """The count the text would have with ``text`` appended."""
        return self.settled + count_tokens(self.tail + text)

    def add(self, text: str) -> None:
        region = self.tail + text
        cut = _TRAILING_WORD.search(region).start()  # type: ignore[union-attr]  # always matches
        self.settled += count_tokens(region[:cut])
        self.tail = region[cut:]
