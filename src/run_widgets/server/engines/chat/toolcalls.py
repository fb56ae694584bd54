"""Streamed tool-call fragments, however a backend sends them, as the engine's ``FunctionCallDelta``s.

The spec's way: each call has an ``index``; its first fragment has the ``id`` and the function
``name``, later ones only pieces of ``arguments``. What backends really send (see
``docs/chat-engine.md``):
- no ``index`` at all, or every call at index 0 (Ollama), with or without an ``id``;
- an ``id`` on the first fragment only, on every fragment, or never;
- the name only in the first fragment (LM Studio), or whole calls in one fragment each;
- arguments cut anywhere, also inside a multi-byte character's escape.

So a fragment belongs to a call by ``(index, id)``: a new ``id`` at an index that already holds a
call with a different one starts a new call; with no ``id``, a fragment that names a function
starts a new call when the call at its index already has a name and complete JSON arguments; a
fragment with no index joins the call its ``id`` names, or the latest call. The backend's ids never
reach the wire: the executor gives every call its own unique id, and the next request replays
those, so missing or repeated backend ids cannot collide.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..base import EngineError, FunctionCallDelta


@dataclass
class _Call:
    slot: int
    backend_id: str | None
    name: str = ""
    arguments: str = ""
    sent: int = -1
    """Characters of ``arguments`` already yielded; -1 until the call is announced."""


class ToolCallAssembler:
    """Feed it each ``delta.tool_calls`` entry; it returns the deltas the executor can take."""

    def __init__(self) -> None:
        self.calls: list[_Call] = []
        self._at_index: dict[int, _Call] = {}
        self._announced = 0

    def __bool__(self) -> bool:
        return bool(self.calls)

    def add(self, fragment: Any) -> list[FunctionCallDelta]:
        if not isinstance(fragment, dict):
            return []
        index = fragment.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            index = None
        backend_id = fragment.get("id") if isinstance(fragment.get("id"), str) and fragment["id"] else None
        function = fragment.get("function")
        function = function if isinstance(function, dict) else {}
        name = function.get("name") if isinstance(function.get("name"), str) else None
        arguments = function.get("arguments")
        if arguments is None:
            arguments = ""
        elif not isinstance(arguments, str):  # some backends send the arguments as an object
            arguments = json.dumps(arguments, ensure_ascii=False)

        call = self._call_for(index, backend_id, name, arguments)
        if name and not call.name:
            call.name = name
        if backend_id and call.backend_id is None:
            call.backend_id = backend_id
        call.arguments += arguments
        out = self._announce()
        if call.sent >= 0 and len(call.arguments) > call.sent:
            out.append(FunctionCallDelta(call.slot, None, call.arguments[call.sent :]))
            call.sent = len(call.arguments)
        return out

    def finish(self) -> list[FunctionCallDelta]:
        """The last deltas once the backend is done; fails if a call never got its name."""
        out = self._announce()
        unnamed = [call.slot for call in self.calls if not call.name]
        if unnamed:
            raise EngineError(
                "The chat backend sent a tool call without a function name, so it cannot be run. "
                "Try again, or use a model that supports tool calling."
            )
        for call in self.calls:
            if not call.arguments.strip():
                # Clients json.loads the arguments; "{}" is what "no arguments" means.
                out.append(FunctionCallDelta(call.slot, None, "{}"))
                call.arguments = "{}"
        return out

    def _call_for(self, index: int | None, backend_id: str | None, name: str | None, arguments: str) -> _Call:
        current: _Call | None
        if index is None:
            known = [call for call in self.calls if backend_id and call.backend_id == backend_id]
            current = known[-1] if known else (self.calls[-1] if self.calls else None)
        else:
            current = self._at_index.get(index)
        if current is None or _starts_new_call(current, backend_id, name, arguments):
            return self._new(index, backend_id)
        return current

    def _new(self, index: int | None, backend_id: str | None) -> _Call:
        call = _Call(slot=len(self.calls), backend_id=backend_id)
        self.calls.append(call)
        if index is not None:
            self._at_index[index] = call
        return call

    def _announce(self) -> list[FunctionCallDelta]:
        """Announce named calls in order: the wire needs each new index to follow the last."""
        out: list[FunctionCallDelta] = []
        while self._announced < len(self.calls):
            call = self.calls[self._announced]
            if not call.name:
                break
            out.append(FunctionCallDelta(call.slot, call.name, call.arguments))
            call.sent = len(call.arguments)
            self._announced += 1
        return out


def _starts_new_call(current: _Call, backend_id: str | None, name: str | None, arguments: str) -> bool:
    """Whether a fragment aimed at ``current`` (same index, or no index) is really the next call."""
    if backend_id is not None and current.backend_id is not None:
        return backend_id != current.backend_id
    if not current.name:
        return False  # the call's name has not come yet: this fragment is still the same call
    if name and name != current.name:
        return True
    # No ids to tell them apart: a call whose arguments are whole JSON is done, so a fragment
    # that names a function (or brings an id) and more arguments starts the next one.
    return bool(name or backend_id) and bool(arguments or backend_id) and _complete_json(current.arguments)


def _complete_json(text: str) -> bool:
    if not text.strip():
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
