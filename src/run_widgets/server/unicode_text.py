"""Text that cannot be encoded as UTF-8: how to spot it and how to mend it.

Python strings may hold unpaired surrogates (``json.loads('"\\ud800"')`` makes one). SQLite, the JSON
encoder and the wire all need UTF-8, so such text must never reach the store: request bodies holding
it are refused (``web.read_json``), and engine output holding it is mended (``to_unicode``).
"""

from __future__ import annotations


def is_unicode(text: str) -> bool:
    """Whether ``text`` encodes as UTF-8 (it holds no unpaired surrogate)."""
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def to_unicode(text: str) -> str:
    """``text`` with surrogate pairs joined and unpaired surrogates replaced by U+FFFD."""
    if is_unicode(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
