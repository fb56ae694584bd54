"""``Idempotency-Key``: the same key on the same route within a window gets the first response again.

So a client that retries a POST after a lost response (a timeout, a dropped connection) does not
create a second run. Only successful responses are remembered; a key reused with a different
body is a 400.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from .errors import BadRequest
from .eventlog import EventLog
from .sse import EventStreamResponse

Endpoint = Callable[[Request], Awaitable[ASGIApp]]


@dataclass(frozen=True)
class _Remembered:
    digest: bytes
    at: float
    status: int = 200
    body: bytes = b""
    media_type: str = "application/json"
    log: EventLog | None = None
    start: int = 0
    include_content: bool = False

    def replay(self) -> ASGIApp:
        if self.log is not None:
            return EventStreamResponse(self.log, self.start, include_content=self.include_content)
        return Response(
            self.body,
            status_code=self.status,
            media_type=self.media_type,
            headers={"idempotent-replayed": "true"},
        )


class IdempotencyCache:
    """Responses by (method, path, key), kept ``window`` seconds, at most ``capacity`` of them."""

    def __init__(self, window: float = 600.0, capacity: int = 10_000) -> None:
        self._window = window
        self._capacity = capacity
        self._entries: OrderedDict[tuple[str, str, str], _Remembered] = OrderedDict()

    def wrap(self, endpoint: Endpoint) -> Endpoint:
        """The endpoint, answering repeated keys from memory."""

        async def idempotent(request: Request) -> ASGIApp:
            key = request.headers.get("idempotency-key")
            if not key:
                return await endpoint(request)
            digest = hashlib.sha256(await request.body()).digest()
            cache_key = (request.method, request.url.path, key)
            now = time.monotonic()
            self._expire(now)
            seen = self._entries.get(cache_key)
            if seen is not None:
                if seen.digest != digest:
                    raise BadRequest(
                        "This Idempotency-Key was already used with a different request body; "
                        "use a new key for a new request.",
                        code="idempotency_key_reused",
                    )
                return seen.replay()
            response = await endpoint(request)
            remembered = _remember(response, digest, now)
            if remembered is not None:
                self._entries[cache_key] = remembered
                while len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)
            return response

        return idempotent

    def _expire(self, now: float) -> None:
        entries = self._entries
        while entries:
            first = next(iter(entries.values()))
            if now - first.at < self._window:
                break
            entries.popitem(last=False)


def _remember(response: ASGIApp, digest: bytes, now: float) -> _Remembered | None:
    if isinstance(response, EventStreamResponse):
        return _Remembered(
            digest, now, log=response.log, start=response.start, include_content=response.include_content
        )
    if isinstance(response, Response) and response.status_code < 400:
        return _Remembered(
            digest,
            now,
            status=response.status_code,
            body=bytes(response.body),
            media_type=response.media_type or "",
        )
    return None
