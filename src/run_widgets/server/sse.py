"""The ``text/event-stream`` response that follows a run's event log."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from starlette.types import Message, Receive, Scope, Send

from .eventlog import EventLog

_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


class EventStreamResponse:
    """Sends a run's frames from ``start`` through the next ``done``, as they are appended.

    Closing the connection ends the response, not the run: the run goes on, and GET shows it.
    """

    def __init__(
        self,
        log: EventLog,
        start: int,
        *,
        include_content: bool = False,
        on_start: Callable[[], None] | None = None,
    ) -> None:
        self.log = log
        self.start = start
        self.include_content = include_content
        self.on_start = on_start

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(_HEADERS)})
        if self.on_start is not None:
            self.on_start()  # a deferred run starts now that its stream is listening
        main = asyncio.current_task()
        gone = False
        sending = False

        async def watch() -> None:
            nonlocal gone
            while True:
                message: Message = await receive()
                if message["type"] == "http.disconnect":
                    gone = True
                    if not sending and main is not None:
                        main.cancel()  # wake it from waiting on the log
                    return

        watcher = asyncio.get_running_loop().create_task(watch())
        try:
            position = self.start
            while True:
                chunk, position, done = self.log.take(position, include_content=self.include_content)
                if chunk:
                    sending = True
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    sending = False
                if done or gone:
                    break
                await self.log.wait()
            if not gone:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            if not gone:
                raise
            if main is not None:
                main.uncancel()
        finally:
            watcher.cancel()
            with contextlib.suppress(BaseException):
                await watcher
