"""The embedded Assistants-compatible server: routes under ``/v1``, SQLite storage, a run executor,
and engines (the deterministic ``scripted`` assistant by default).

``start()`` runs it in a background thread of this process; ``run-widgets serve`` runs it alone.
"""

from __future__ import annotations

from .app import create_app
from .config import ServerConfig
from .inprocess import ServerHandle, start

__all__ = ["ServerConfig", "ServerHandle", "create_app", "start"]
