"""Streams and slow readers: frames are written as they are appended, and when a client reads too
slowly for that, its stream waits (the run does not) and sends everything, in order, later."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import httpx2
import pytest
from server_testing import check_wire, http_client, new_thread, read_stream

from run_widgets.server import sse, start
from run_widgets.server.eager import start_now
from run_widgets.server.engines.base import (
    CodeInterpreterCall,
    CodeLogs,
    Engine,
    EngineItem,
    RunContext,
    TextDelta,
)
from run_widgets.server.eventlog import EventLog


def dechunk(payload: bytes) -> bytes:
    """The body of a chunked HTTP/1.1 response."""
    out = bytearray()
    at = 0
    while True:
        end = payload.index(b"\r\n", at)
        size = int(payload[at:end], 16)
        if size == 0:
            return bytes(out)
        out += payload[end + 2 : end + 2 + size]
        at = end + 4 + size


class Verbose(Engine):
    """Replies with many deltas at once: far more than a slow client's socket buffers hold (in
    messages of 500 deltas, with a code step between them)."""

    name = "verbose"

    async def run(self, ctx: RunContext) -> AsyncIterator[EngineItem]:
        for index in range(DELTAS):
            yield TextDelta(f"part{index} " + "x" * 90 + "\n")
            if index % 500 == 499:
                yield CodeInterpreterCall("pass", (CodeLogs("ok"),))
                await asyncio.sleep(0)


DELTAS = 40_000  # about 6 MB of frames


def test_a_client_that_reads_late_gets_every_frame_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    suspended: list[int] = []

    def counted_start_now(awaitable: Any) -> Any:
        result, rest = start_now(awaitable)
        if rest is not None:
            suspended.append(1)
        return result, rest

    monkeypatch.setattr(sse, "start_now", counted_start_now)
    with start(engine=Verbose()) as server, http_client(server) as http:
        assistant_id = http.post("/assistants", json={"model": "m"}).json()["id"]
        thread_id = new_thread(http, "talk")
        body = json.dumps({"assistant_id": assistant_id, "stream": True}).encode()
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the server must wait
            sock.connect(server.address)
            sock.sendall(
                f"POST /v1/threads/{thread_id}/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {server.api_key}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            while True:  # the run goes on to the end while its client reads nothing
                runs = http.get(f"/threads/{thread_id}/runs").json()["data"]
                if runs and runs[0]["status"] == "completed":
                    break
                time.sleep(0.05)
            raw = bytearray()
            while chunk := sock.recv(1 << 20):
                raw += chunk
    head, _, payload = bytes(raw).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"transfer-encoding: chunked" in head.lower()
    _, frames = read_stream(httpx2.Response(200, content=dechunk(payload)))
    last = check_wire(frames)
    messages = [d for d in last.values() if d["object"] == "thread.message"]
    assert len(messages) == DELTAS // 500
    text = "".join(m["content"][0]["text"]["value"] for m in messages)
    assert text.split()[::2] == [f"part{index}" for index in range(DELTAS)], "every delta, in order"
    assert frames[-2].event == "thread.run.completed" and frames[-2].data["id"] == runs[0]["id"]
    assert suspended, "the server had to wait for the client (else this test proves nothing)"


async def steps(gate: asyncio.Future[str], log: list[str]) -> str:
    log.append("before")
    log.append(await gate)
    log.append("after")
    return "done"


def test_start_now_runs_a_coroutine_until_it_suspends_then_hands_it_over() -> None:
    async def main() -> list[str]:
        log: list[str] = []
        assert start_now(steps(done_future("now"), log)) == ("done", None), "finished without suspending"
        gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        result, rest = start_now(steps(gate, log))
        assert result is None and rest is not None and log[-1] == "before"
        asyncio.get_running_loop().call_later(0.01, gate.set_result, "later")
        assert await rest == "done"
        return log

    assert asyncio.run(main()) == ["before", "now", "after", "before", "later", "after"]


def test_start_now_passes_errors_and_cancellation_through() -> None:
    async def failing() -> None:
        raise ValueError("at once")

    async def main() -> None:
        with pytest.raises(ValueError, match="at once"):
            start_now(failing())
        gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        _, rest = start_now(steps(gate, []))
        assert rest is not None
        gate.set_exception(KeyError("later"))
        with pytest.raises(KeyError):
            await rest
        _, hanging = start_now(steps(asyncio.get_running_loop().create_future(), []))
        assert hanging is not None
        task = asyncio.ensure_future(wrap(hanging))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())


def done_future(value: str) -> asyncio.Future[str]:
    future = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


def wrap(awaitable: Any) -> Coroutine[Any, Any, Any]:
    async def run() -> Any:
        return await awaitable

    return run()


def test_a_held_log_calls_its_followers_once_on_release() -> None:
    log = EventLog()
    calls: list[int] = []
    follower = lambda: calls.append(len(log))  # noqa: E731
    log.follow(follower)
    log.append(b"a")
    assert calls == [1], "a frame goes to the followers as it is appended"
    log.hold()
    log.append(b"b")
    log.append(b"c")
    assert calls == [1]
    log.release()
    assert calls == [1, 3], "the held frames go together"
    log.release()
    assert calls == [1, 3], "nothing new: no call"
    log.unfollow(follower)
    log.append(b"d")
    assert calls == [1, 3] and log.take(0) == (b"abcd", 4, False)
