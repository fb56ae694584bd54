"""Engines answer runs; the executor does the rest. ``create_engine`` picks one by name.

Adding an engine: write ``engines/<name>.py`` with a ``create_engine(settings) -> Engine`` function
and add it to ``ENGINES``. Nothing else changes.
"""

from __future__ import annotations

from importlib import import_module

from .base import Engine, EngineSettings

ENGINES: dict[str, str] = {
    "scripted": "run_widgets.server.engines.scripted",
    "chat": "run_widgets.server.engines.chat",
}
"""Engine name -> module holding its ``create_engine(settings)`` factory."""


class EngineUnavailable(ValueError):
    """The engine asked for is unknown, or not part of this installation."""


def create_engine(name: str, settings: EngineSettings) -> Engine:
    """The engine called ``name``, built with ``settings``."""
    module_name = ENGINES.get(name)
    if module_name is None:
        raise EngineUnavailable(f"unknown engine {name!r}; choose one of: {', '.join(sorted(ENGINES))}")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise EngineUnavailable(
            f"the {name!r} engine is not available in this version of run-widgets"
        ) from None
    engine: Engine = module.create_engine(settings)
    return engine


__all__ = ["ENGINES", "Engine", "EngineSettings", "EngineUnavailable", "create_engine"]
