"""Delta accumulation with the official SDK's semantics, in time linear in the total delta size.

Semantics (``openai.lib.streaming._deltas.accumulate_delta``): strings are appended, numbers added,
``index`` and ``type`` overwritten, nested objects merged, and list entries matched by their
``index``. Appending to a Python string re-copies it, so strings that grow are kept as ``TextBuffer``
pieces and joined once, when the snapshot is read.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class TextBuffer:
    """A string that grows by appends; ``str()`` joins it once and caches the result."""

    __slots__ = ("_joined", "_parts")

    def __init__(self, first: str) -> None:
        self._parts = [first]
        self._joined: str | None = first

    def append(self, piece: str) -> None:
        self._parts.append(piece)
        self._joined = None

    def __str__(self) -> str:
        if self._joined is None:
            self._joined = "".join(self._parts)
            self._parts = [self._joined]
        return self._joined

    def __len__(self) -> int:
        return len(str(self))


def sent_fields(obj: Any) -> list[tuple[str, Any]]:
    """The (key, value) pairs that were actually on the wire: set fields and unknown extras."""
    if isinstance(obj, BaseModel):
        values = obj.__dict__
        extra = obj.__pydantic_extra__
        pairs = [(key, values[key]) for key in obj.__pydantic_fields_set__ if key in values]
        if extra:
            pairs.extend(extra.items())
        return pairs
    if isinstance(obj, dict):
        return list(obj.items())
    raise TypeError(f"expected an object, got {type(obj).__name__}")


def _is_object(value: Any) -> bool:
    return isinstance(value, BaseModel | dict)


def _has_index(value: Any) -> bool:
    if isinstance(value, BaseModel):
        return "index" in value.__pydantic_fields_set__ or bool(
            value.__pydantic_extra__ and "index" in value.__pydantic_extra__
        )
    return isinstance(value, dict) and "index" in value


def _index_of(entry: Any) -> int:
    index = entry.get("index") if isinstance(entry, dict) else getattr(entry, "index", None)
    if not isinstance(index, int):
        raise RuntimeError(f"Expected list delta entry to have an integer `index`; got {entry!r}")
    return index


def fresh(value: Any) -> Any:
    """A delta value as mutable accumulator data (objects become dicts)."""
    if _is_object(value):
        return {key: fresh(item) for key, item in sent_fields(value)}
    if isinstance(value, list):
        if any(_has_index(entry) for entry in value):
            acc: list[Any] = []
            merge_list(acc, value)
            return acc
        return [fresh(item) for item in value]
    return value


def merge(acc: dict[str, Any], delta: Any) -> None:
    """Fold one delta object into ``acc`` in place."""
    for key, value in sent_fields(delta):
        current = acc.get(key)
        if current is None:
            acc[key] = fresh(value)
        elif key == "index" or key == "type":
            acc[key] = value
        elif isinstance(value, str):
            if isinstance(current, TextBuffer):
                current.append(value)
            elif isinstance(current, str):
                buffer = TextBuffer(current)
                buffer.append(value)
                acc[key] = buffer
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int | float):
            if isinstance(current, int | float) and not isinstance(current, bool):
                acc[key] = current + value
        elif _is_object(value):
            if isinstance(current, dict):
                merge(current, value)
        elif isinstance(value, list) and isinstance(current, list):
            if any(_has_index(entry) for entry in value):
                merge_list(current, value)
            else:
                current.extend(fresh(item) for item in value)


def merge_list(acc: list[Any], entries: list[Any]) -> None:
    for entry in entries:
        index = _index_of(entry)
        if index < len(acc) and isinstance(acc[index], dict):
            merge(acc[index], entry)
        else:
            acc.insert(index, fresh(entry))


def plain(value: Any) -> Any:
    """Accumulator data back to JSON-like data (buffers joined).

    List entries lose their ``index``: it addresses an entry in a delta and is no field of the
    object (no list entry of a run, step or message has one), so the snapshot of a step or message
    equals what GET returns for it even when no full object followed its deltas.
    """
    if isinstance(value, TextBuffer):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_entry(item) for item in value]
    return value


def _entry(item: Any) -> Any:
    if isinstance(item, dict):
        return {key: plain(value) for key, value in item.items() if key != "index"}
    return plain(item)
