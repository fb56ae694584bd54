"""The run card: one anywidget per run, its live updates, its requests and its static renderings.

``CardEventHandler`` (the official SDK's event handler showing a card) loads ``openai`` on first
access only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .card import RunCard
from .runtime import run_sync, shutdown, submit

if TYPE_CHECKING:
    from .sdk import AsyncCardEventHandler, CardEventHandler

__all__ = ["AsyncCardEventHandler", "CardEventHandler", "RunCard", "run_sync", "shutdown", "submit"]


def __getattr__(name: str) -> Any:
    if name in ("CardEventHandler", "AsyncCardEventHandler"):
        try:
            from . import sdk
        except ImportError as exc:  # pragma: no cover - openai is a test dependency
            raise ImportError(f"{name} needs the openai package: pip install 'run-widgets[openai]'") from exc
        return getattr(sdk, name)
    raise AttributeError(f"module 'run_widgets.widget' has no attribute {name!r}")
