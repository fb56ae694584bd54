"""A scripted server behind ``httpx2.MockTransport``, and clients wired to it (sync and async)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest

from run_widgets import AsyncClient, Client

BASE_URL = "http://test.invalid/v1"
API_KEY = "sk-test-9f8e7d6c5b4a3210-never-print-me"

Answer = httpx2.Response | Callable[[httpx2.Request], httpx2.Response] | BaseException


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(status, json=data, headers={"x-request-id": "req_123", **(headers or {})})


def error_response(
    status: int, message: str = "Something is wrong.", headers: dict[str, str] | None = None, **fields: Any
) -> httpx2.Response:
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": None, **fields}
    return json_response({"error": error}, status, headers)


def sse_response(body: bytes | Iterator[bytes], headers: dict[str, str] | None = None) -> httpx2.Response:
    all_headers = {"content-type": "text/event-stream", **(headers or {})}
    if isinstance(body, bytes):
        return httpx2.Response(200, headers=all_headers, content=body)
    return httpx2.Response(200, headers=all_headers, stream=ChunkStream(body))


class ChunkStream(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A response body from an iterator of chunks; an exception in it breaks the body mid-way, like a dropped connection."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks

    async def __aiter__(self) -> Any:
        for chunk in self._chunks:
            yield chunk


def list_response(
    items: list[dict[str, Any]], has_more: bool = False, headers: dict[str, str] | None = None
) -> httpx2.Response:
    return json_response(
        {
            "object": "list",
            "data": items,
            "first_id": items[0]["id"] if items else None,
            "last_id": items[-1]["id"] if items else None,
            "has_more": has_more,
        },
        headers=headers,
    )


@dataclass
class FakeServer:
    """Answers each (method, path) from a queue (its last answer repeats) and records every request."""

    routes: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    requests: list[httpx2.Request] = field(default_factory=list)

    def on(self, method: str, path: str, *answers: Answer) -> FakeServer:
        self.routes.setdefault((method, "/v1" + path), []).extend(answers)
        return self

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return error_response(404, f"No route {request.method} {request.url.path} in this test.")
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer) and not isinstance(answer, httpx2.Response):
            return answer(request)
        return answer

    @property
    def last(self) -> httpx2.Request:
        return self.requests[-1]

    def bodies(self) -> list[Any]:
        return [json.loads(request.content) if request.content else None for request in self.requests]


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(server: FakeServer, sleeps: list[float]) -> Iterator[Client]:
    with Client(
        BASE_URL,
        api_key=API_KEY,
        http_client=httpx2.Client(transport=httpx2.MockTransport(server)),
        sleep=sleeps.append,
    ) as made:
        yield made


def async_client(server: FakeServer, sleeps: list[float], **options: Any) -> AsyncClient:
    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    return AsyncClient(
        BASE_URL,
        api_key=API_KEY,
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(server)),
        sleep=record,
        **options,
    )
