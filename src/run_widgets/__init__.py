"""run-widgets: Assistants runs, live in the notebook.

``import run_widgets`` is light: the client, the card, the magics and the server load on first use,
so neither IPython, anywidget, the server's web framework nor openai is imported until needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> module that defines it; resolved on first attribute access (PEP 562).
_LAZY: dict[str, str] = {
    "Client": "run_widgets.client",
    "AsyncClient": "run_widgets.client",
    "RunSnapshot": "run_widgets.state",
    "RunCard": "run_widgets.widget",
    "tool": "run_widgets.tools",
    "CardEventHandler": "run_widgets.widget",
    "load_ipython_extension": "run_widgets.magics",
    "unload_ipython_extension": "run_widgets.magics",
    "Session": "run_widgets.session",
    "SessionError": "run_widgets.session",
    "default_session": "run_widgets.session",
    "configure": "run_widgets.session",
    "use_client": "run_widgets.session",
    "run_stream": "run_widgets.session",
    "run_create": "run_widgets.session",
    "run_show": "run_widgets.session",
    "run_list": "run_widgets.session",
    "run_cancel": "run_widgets.session",
    "wait_for": "run_widgets.session",
}

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on first use
    from .client import AsyncClient, Client
    from .magics import load_ipython_extension, unload_ipython_extension
    from .session import (
        Session,
        SessionError,
        configure,
        default_session,
        run_cancel,
        run_create,
        run_list,
        run_show,
        run_stream,
        use_client,
        wait_for,
    )
    from .state import RunSnapshot
    from .tools import tool
    from .widget import CardEventHandler, RunCard

__all__ = [
    "AsyncClient",
    "CardEventHandler",
    "Client",
    "RunCard",
    "RunSnapshot",
    "Session",
    "SessionError",
    "__version__",
    "configure",
    "default_session",
    "load_ipython_extension",
    "run_cancel",
    "run_create",
    "run_list",
    "run_show",
    "run_stream",
    "tool",
    "unload_ipython_extension",
    "use_client",
    "wait_for",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'run_widgets' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
