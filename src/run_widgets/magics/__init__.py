"""``%load_ext run_widgets``: the run magics and their configuration (``%config RunMagics``).

Loading is light: nothing connects, no server starts, no web framework is imported; the first magic
call does that. While the user writes that first cell, a background thread imports the kernel-side
stack (the client, the card, the wire models), so the first run starts sooner
(``c.RunMagics.preload = False`` turns this off). ``%unload_ext run_widgets`` removes the magics
and stops the embedded server.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from .run_magics import RunMagics

__all__ = ["RunMagics", "load_ipython_extension", "unload_ipython_extension"]

_MAGIC_NAMES = {
    "line": ("run_create", "run_show", "run_list", "run_cancel"),
    "cell": ("run_stream",),
}
_loaded: dict[int, RunMagics] = {}


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics on this shell (IPython calls it once per ``%load_ext``)."""
    magics = RunMagics(ipython)
    ipython.register_magics(magics)
    ipython.events.register("post_run_cell", magics.scrub_keys)
    _loaded[id(ipython)] = magics
    if magics.preload:
        threading.Thread(target=_preload, name="run-widgets-preload", daemon=True).start()


def _preload() -> None:
    """Import what the first magic call needs (the same module first, so imports never cross)."""
    try:
        import run_widgets.session.session  # noqa: F401 - the client, the card, the models
    except Exception:  # the magic call will import it again and say what is wrong
        return


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the magics and their configurable, and close the default session (IPython has no
    public way to unregister magics, so this undoes ``register_magics`` by hand)."""
    magics = _loaded.pop(id(ipython), None)
    if magics is None:
        return
    scrub = magics.scrub_keys
    manager = ipython.magics_manager
    for kind, names in _MAGIC_NAMES.items():
        table = manager.magics[kind]
        for name in names:
            if getattr(table.get(name), "__self__", None) is magics:
                del table[name]
    if manager.registry.get("RunMagics") is magics:
        del manager.registry["RunMagics"]
    if magics in ipython.configurables:
        ipython.configurables.remove(magics)
    with contextlib.suppress(ValueError):
        ipython.events.unregister("post_run_cell", scrub)
    from ..session import close_default_session

    close_default_session()
