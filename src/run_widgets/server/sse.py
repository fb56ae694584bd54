"""The ``text/event-stream`` response that follows a run's event log.

Frames are written as they are appended, from the code that appends them: the response follows the
log and starts each ASGI ``send`` at once (``eager.start_now``). uvicorn's ``send`` writes to the socket
without suspending unless the client reads too slowly; only then does the response's own task
finish the send, and the frames appended meanwhile go out together after it. So an event reaches
the socket before the event loop turns to other work: a burst of new requests cannot hold back the
events of runs already streaming.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from starlette.types import Message, Receive, Scope, Send

from .eager import start_now
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
        log = self.log
        include_content = self.include_content
        wake = asyncio.Event()
        position = self.start
        pending: Awaitable[None] | None = None  # a send that suspended: this task finishes it
        error: BaseException | None = None
        finished = gone = False

        def pump() -> None:
            """Send what the log holds past ``position`` now, unless a send is under way."""
            nonlocal position, pending, error, finished
            if pending is not None or finished or gone or error is not None:
                return
            chunk, position, done = log.take(position, include_content=include_content)
            if not chunk:
                return
            finished = done
            try:
                _, pending = start_now(send({"type": "http.response.body", "body": chunk, "more_body": True}))
            except Exception as exc:  # never into the appender (the executor): this task raises it
                error = exc
            if pending is not None or finished or error is not None:
                wake.set()

        async def watch() -> None:
            nonlocal gone
            while True:
                message: Message = await receive()
                if message["type"] == "http.disconnect":
                    gone = True
                    wake.set()
                    return

        watcher = asyncio.get_running_loop().create_task(watch())
        log.follow(pump)
        try:
            if self.on_start is not None:
                self.on_start()  # a deferred run starts now that its stream is listening
            pump()
            while True:
                if error is not None:
                    raise error
                if pending is not None:
                    await pending  # the client reads slowly: appends wait their turn in the log
                    pending = None
                    pump()
                    continue
                if finished or gone:
                    break
                wake.clear()
                await wake.wait()
            if not gone:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            log.unfollow(pump)
            watcher.cancel()
            with contextlib.suppress(BaseException):
                await watcher
