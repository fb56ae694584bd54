"""Serving the app with uvicorn on a socket we bind ourselves (so port 0 gives a known free port)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
from collections.abc import Callable

import uvicorn

from .config import ServerConfig


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on (host, port); port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say they are
    # TCP, and with Nagle on, a response written in two parts waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::", ""):
        shown = "127.0.0.1"
    return f"http://{shown}:{port}/v1"


def settle_garbage_collector() -> None:
    """For a process of its own: move everything loaded so far out of the collector's sight.

    Imports and schema building leave hundreds of thousands of long-lived objects; a full
    collection that walks them pauses every stream for tens of milliseconds. Frozen, they are never
    walked again. (Not for ``start()``: the host process's objects are its own business.)
    """
    gc.collect()
    gc.freeze()


class Server(uvicorn.Server):
    """uvicorn's server, telling us when it is ready (and on which loop)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[asyncio.AbstractEventLoop], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            self._on_ready(asyncio.get_running_loop())


def uvicorn_config(app: object, config: ServerConfig) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        log_config=None,  # leave the host process's logging alone (a notebook kernel's, say)
        log_level="warning",
        access_log=False,
        lifespan="on",
        loop="asyncio",
        http="h11",
        ws="none",
        timeout_graceful_shutdown=3,
        server_header=False,
        date_header=False,
    )
