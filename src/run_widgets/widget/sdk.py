"""Interop with the official ``openai`` SDK: a card for ``runs.stream(..., event_handler=...)``.

``CardEventHandler`` is an ``AssistantEventHandler`` that forwards every event to a ``RunCard`` (and
still behaves as the SDK's handler: ``until_done``, ``get_final_run`` and friends work). Code that
already streams with the SDK gets a live card by passing ``event_handler=CardEventHandler()``.

The card also learns the SDK client's base URL and key from the stream (privately, never in a trait),
so its tool-output form and cancel button work too.
"""

from __future__ import annotations

import contextlib
from typing import Any

from openai import AssistantEventHandler, AsyncAssistantEventHandler

from .card import RunCard, _make_backend


def _new_card(card: RunCard | None, tools: Any, auto_tools: bool) -> RunCard:
    if card is not None:
        if tools is not None:
            card.set_tools(tools)
        if auto_tools:
            card.auto_tools = True
        return card
    return RunCard(tools=tools, auto_tools=auto_tools)


def _show(card: RunCard) -> None:
    with contextlib.suppress(ImportError):
        from IPython.core.interactiveshell import InteractiveShell

        if InteractiveShell.initialized():
            from IPython.display import display

            display(card)  # type: ignore[no-untyped-call]


def _adopt_client(card: RunCard, stream: Any) -> None:
    """Give the card a client like the SDK's (same base URL and key), if it has none."""
    client = getattr(stream, "_client", None)
    if client is None or card._backend is not None:
        return
    with contextlib.suppress(Exception):
        card._backend = _make_backend(client)


class CardEventHandler(AssistantEventHandler):
    """An SDK event handler that shows the stream as a live ``RunCard``.

    ``CardEventHandler()`` makes and displays a new card; ``CardEventHandler(card)`` continues an
    existing one (e.g. for ``submit_tool_outputs_stream``: the SDK wants a new handler per stream).
    """

    def __init__(
        self,
        card: RunCard | None = None,
        *,
        display: bool = True,
        tools: Any = None,
        auto_tools: bool = False,
    ) -> None:
        super().__init__()
        self._card_following = False
        self.card = _new_card(card, tools, auto_tools)
        if display and card is None:
            _show(self.card)

    def _init(self, stream: Any) -> None:
        super()._init(stream)
        _adopt_client(self.card, stream)

    def on_event(self, event: Any) -> None:
        if not self._card_following:
            self._card_following = True
            self.card._set_external_following(True)
        self.card.apply(event)

    def on_end(self) -> None:
        if self._card_following:
            self.card._set_external_following(False)


class AsyncCardEventHandler(AsyncAssistantEventHandler):
    """The async twin of ``CardEventHandler``, for ``AsyncOpenAI``."""

    def __init__(
        self,
        card: RunCard | None = None,
        *,
        display: bool = True,
        tools: Any = None,
        auto_tools: bool = False,
    ) -> None:
        super().__init__()
        self._card_following = False
        self.card = _new_card(card, tools, auto_tools)
        if display and card is None:
            _show(self.card)

    def _init(self, stream: Any) -> None:
        super()._init(stream)
        _adopt_client(self.card, stream)

    async def on_event(self, event: Any) -> None:
        if not self._card_following:
            self._card_following = True
            self.card._set_external_following(True)
        self.card.apply(event)

    async def on_end(self) -> None:
        if self._card_following:
            self.card._set_external_following(False)
