"""The Python API behind the magics: everything ``%run_create`` and ``%%run_stream`` do, as functions.

Marimo, scripts and tests have no magics; they call these::

    import run_widgets

    card = run_widgets.run_stream("Hello!")  # the embedded server starts on first use
    card.wait()
    card.current_run.status  # 'completed'

The module-level functions use the default session (``default_session()``), the one the magics share;
make a ``Session`` of your own for another server or other settings. Importing this package is light:
the client, the card and the server load on first call.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .errors import SessionError
from .settings import EMBEDDED, Secret, Settings

if TYPE_CHECKING:
    from ..client import AsyncClient
    from ..models import Run
    from ..widget import RunCard
    from .runlist import RunList
    from .session import Session

__all__ = [
    "EMBEDDED",
    "RunList",
    "Secret",
    "Session",
    "SessionError",
    "Settings",
    "configure",
    "default_session",
    "run_cancel",
    "run_create",
    "run_list",
    "run_show",
    "run_stream",
    "use_client",
    "wait_for",
]

_default: Session | None = None
_default_settings = Settings()
_lock = threading.Lock()


def default_session() -> Session:
    """The session the magics and the functions here share (made on first use)."""
    global _default
    with _lock:
        if _default is None:
            from .session import Session

            _default = Session(_default_settings)
        return _default


def default_settings() -> Settings:
    """The default session's settings, without making the session (the magics write into these)."""
    return _default_settings


def close_default_session() -> None:
    """Close the default session: its clients and its embedded server. The next call makes a new one."""
    global _default
    with _lock:
        session, _default = _default, None
    if session is not None:
        session.close()


def configure(**changes: Any) -> None:
    """Change the default session's settings by name (see ``Settings``), e.g. ``configure(wait=True)``."""
    try:
        _default_settings.update(**changes)
    except (TypeError, ValueError) as exc:
        raise SessionError(str(exc)) from None


def use_client(client: AsyncClient | None) -> None:
    """Make the default session send through ``client`` (custom headers, query parameters, auth)."""
    default_session().use_client(client)


def run_stream(message: str, **kwargs: Any) -> RunCard:
    """``%%run_stream``: add ``message`` to the current thread and stream a run into a card.

    Takes the arguments of ``Session.run_stream`` (``thread``, ``assistant``, ``tools``,
    ``auto_tools``, ``wait``, ``display``, every run option...). Returns the ``RunCard``.
    """
    return default_session().run_stream(message, **kwargs)


def run_create(**kwargs: Any) -> RunCard:
    """``%run_create``: create a run on a thread; see ``Session.run_create``. Returns the ``RunCard``."""
    return default_session().run_create(**kwargs)


def run_show(run_id: str, **kwargs: Any) -> RunCard:
    """``%run_show``: a card for an existing run; see ``Session.run_show``."""
    return default_session().run_show(run_id, **kwargs)


def run_list(**kwargs: Any) -> RunList:
    """``%run_list``: a thread's runs, newest first; see ``Session.run_list``."""
    return default_session().run_list(**kwargs)


def run_cancel(run_id: str | None = None, **kwargs: Any) -> Run | None:
    """``%run_cancel``: cancel a run (the last one started, by default); see ``Session.run_cancel``."""
    return default_session().run_cancel(run_id, **kwargs)


def wait_for(card: RunCard, timeout: float | None = None, *, cancel: bool = True) -> None:
    """Block until the card's run pauses or ends (or ``timeout`` passes); Ctrl-C cancels the run
    (with ``cancel``) and raises ``KeyboardInterrupt``."""
    from .waiting import wait_for as wait

    wait(card, timeout, cancel=cancel)


def __getattr__(name: str) -> Any:
    if name == "Session":
        from .session import Session

        return Session
    if name == "RunList":
        from .runlist import RunList

        return RunList
    raise AttributeError(f"module 'run_widgets.session' has no attribute {name!r}")
