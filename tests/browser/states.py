"""Card states and patches for the browser tests, produced from event streams (``streams.py``).

The states are meant to come from ``run_widgets.widget.RunCard`` (``apply(event)`` then its synced
traits); until it lands they come from ``_views.StandInCard``, a stand-in written to the same contract
(docs/card-protocol.md). ``BACKEND`` says which one produced them.
"""

from __future__ import annotations

from typing import Any

from ._views import CAPS, StandInCard
from .streams import Event, RunScript

TRAITS = ("protocol", "seq", "run", "steps", "following", "notice", "python_tools", "auto_tools", "caps")

# Which producer made the states: "stand-in" until run_widgets.widget.RunCard lands on main.
BACKEND = "stand-in"


def _events(source: RunScript | list[Event]) -> list[Event]:
    return source.events if isinstance(source, RunScript) else source


def make_card(*, python_tools: list[str] | None = None, auto_tools: bool = False, caps: dict[str, int] | None = None) -> StandInCard:
    card = StandInCard(caps=caps or CAPS)
    card.python_tools = list(python_tools or [])
    card.auto_tools = auto_tools
    return card


def state_of(source: RunScript | list[Event], **options: Any) -> dict[str, Any]:
    """The synced traits after the whole stream."""
    card = make_card(**options)
    for event in _events(source):
        card.apply(event)
    state = card.get_state()
    return {key: state[key] for key in TRAITS}


def streamed(source: RunScript | list[Event], split: int, **options: Any) -> tuple[dict[str, Any], list[dict[str, Any]], StandInCard]:
    """The traits after the first ``split`` events, then one ``patch`` message per later event."""
    events = _events(source)
    card = make_card(**options)
    for event in events[:split]:
        card.apply(event)
    state = {key: value for key, value in card.get_state().items() if key in TRAITS}
    patches = []
    for event in events[split:]:
        card.apply(event)
        patch = card.take_patch()
        if patch is not None:
            patches.append(patch)
    return state, patches, card


def card_from(source: RunScript | list[Event], **options: Any) -> StandInCard:
    card = make_card(**options)
    for event in _events(source):
        card.apply(event)
    return card
