"""The default engine: a deterministic, offline, scripted assistant (see ``engine.py``)."""

from __future__ import annotations

from ..base import EngineSettings
from .engine import ScriptedEngine


def create_engine(settings: EngineSettings) -> ScriptedEngine:
    return ScriptedEngine(settings)


__all__ = ["ScriptedEngine", "create_engine"]
