"""A small OpenAI-compatible Chat Completions server on loopback, with scripted answers.

It records every request (so tests assert what our server sent) and can misbehave the ways real
backends do: tool-call deltas without ``index`` or all at index 0, ids only on the first fragment
or never, names repeated on every fragment, whole calls in one fragment, arguments cut anywhere,
streaming refused when tools are offered, HTTP errors, hanging, breaking the connection mid-stream,
and streams that end without ``[DONE]``. It notices when a client goes away before the answer is
complete (``Recorded.closed_early``), which is how tests see that cancelling a run aborts the call.

A plain ASGI app served by uvicorn in a daemon thread: nothing here is part of the package.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn

MODEL = "fake-model"


@dataclass(frozen=True)
class Call:
    """A function call the scripted model makes; ``id=None`` lets the fake number it."""

    name: str
    arguments: str = "{}"
    id: str | None = None


@dataclass
class Reply:
    """One scripted answer (the next request gets the next reply)."""

    text: str = ""
    calls: Sequence[Call] = ()
    finish_reason: str | None = None
    """Default: ``tool_calls`` when there are calls, else ``stop``."""
    usage: tuple[int, int] | None = None
    """(prompt, completion) tokens reported when the client asks for usage; None reports none."""
    lead: str = ""
    """Content sent before the text (whitespace some models emit before answering or calling)."""
    text_piece: int = 4
    args_piece: int = 5
    tool_index: Literal["spec", "missing", "zero"] = "spec"
    tool_ids: Literal["first", "none", "every"] = "first"
    name_every_fragment: bool = False
    whole_calls: bool = False
    """Each call in one fragment, all in one chunk each (Ollama's way)."""
    raw_chunks: list[dict[str, Any]] | None = None
    """Send these ``delta``s (with their ``finish_reason`` key, if any) instead of building them."""
    delay: float = 0.0
    """Seconds between chunks."""
    gate: threading.Event | None = None
    gate_after: int = 0
    """With a ``gate``: send this many chunks, then wait for the test to set the gate."""
    # failures
    status: int = 200
    error: Any = None
    """The error body (a dict is sent as JSON, a string as text)."""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    """Send nothing (not even headers) until the client goes away."""
    hang_after: int | None = None
    """Send this many chunks, then nothing until the client goes away."""
    break_after: int | None = None
    """Send this many chunks, then drop the connection."""
    no_done: bool = False
    """End the stream cleanly but without ``[DONE]`` (and without a finish reason)."""
    bad_chunk: bool = False
    """Send a chunk that is not JSON."""
    error_event: str | None = None
    """After the text, send ``{"error": {"message": ...}}`` as a stream event (vLLM, llama.cpp)."""
    ignore_stream: bool = False
    """Answer with one JSON object even when asked to stream."""


@dataclass
class Recorded:
    """A request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    completed: bool = False
    disconnected: bool = False

    @property
    def closed_early(self) -> bool:
        """The client went away before the answer was complete."""
        return self.disconnected and not self.completed

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))


class FakeBackend:
    """Start with ``FakeBackend.start()``; ``script(...)`` the replies; read ``requests``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.replies: deque[Reply] = deque()
        self.reject_stream_with_tools = False
        self.reject_fields: set[str] = set()
        """Fields answered with a 400 naming them (like a strict backend's ``extra_forbidden``)."""
        self.rules: list[Callable[[dict[str, Any]], str | None]] = []
        """More refusals: a rule returning a message answers the request with a 400 saying it."""
        self._changed = threading.Condition()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # --- control ---------------------------------------------------------------------------------

    @classmethod
    def start(cls) -> FakeBackend:
        backend = cls()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            backend.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            interface="asgi3",
            loop="asyncio",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the fake chat backend did not start")
            threading.Event().wait(0.01)
        backend._server, backend._thread = server, thread
        backend.base_url = f"http://127.0.0.1:{port}/v1"
        return backend

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)

    def reset(self) -> None:
        with self._changed:
            self.requests.clear()
            self.replies.clear()
            self.reject_stream_with_tools = False
            self.reject_fields = set()
            self.rules = []

    def script(self, *replies: Reply) -> None:
        with self._changed:
            self.replies.extend(replies)

    def wait_for(self, predicate: Callable[[FakeBackend], bool]) -> None:
        """Block until ``predicate(self)`` holds (the test's timeout bounds the wait)."""
        with self._changed:
            self._changed.wait_for(lambda: predicate(self))

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    # --- the ASGI app ----------------------------------------------------------------------------

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            body = json.loads(b"".join(chunks) or b"{}")
        except ValueError:
            body = {}
        recorded = Recorded(scope["path"], headers, body)
        with self._changed:
            self.requests.append(recorded)
            self._changed.notify_all()

        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            recorded.disconnected = True
            gone.set()
            self._notify()

        watcher = asyncio.create_task(watch())
        try:
            await self._answer(recorded, send, gone)
        finally:
            if not recorded.disconnected:
                await asyncio.sleep(0)  # let the watcher see a disconnect that already happened
            if recorded.completed:
                watcher.cancel()
            self._notify()

    async def _answer(self, recorded: Recorded, send: Any, gone: asyncio.Event) -> None:
        body = recorded.body
        if recorded.path != "/v1/chat/completions":
            await self._json(recorded, send, 404, {"error": {"message": f"no route {recorded.path}"}})
            return
        for name in sorted(self.reject_fields):
            if name in body:
                message = f"Unrecognized request argument supplied: {name}"
                await self._json(
                    recorded, send, 400, {"error": {"message": message, "type": "invalid_request_error"}}
                )
                return
        for rule in self.rules:
            refusal = rule(body)
            if refusal is not None:
                await self._json(
                    recorded, send, 400, {"error": {"message": refusal, "type": "invalid_request_error"}}
                )
                return
        stream = bool(body.get("stream"))
        if self.reject_stream_with_tools and stream and body.get("tools"):
            message = "This model does not support streaming when tools are provided; set stream to false."
            await self._json(
                recorded, send, 400, {"error": {"message": message, "type": "invalid_request_error"}}
            )
            return
        with self._changed:  # refusals above keep the reply for the retry
            reply = self.replies.popleft() if self.replies else None
        if reply is None:
            await self._json(
                recorded, send, 500, {"error": {"message": "fake backend: no scripted reply left"}}
            )
            return
        if reply.hang:
            await gone.wait()
            return
        if reply.status != 200:
            await self._json(recorded, send, reply.status, reply.error, reply.headers)
            return
        if not stream or reply.ignore_stream:
            await self._json(recorded, send, 200, completion(reply, body))
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream; charset=utf-8")],
            }
        )
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        for sent, frame in enumerate(stream_frames(reply, include_usage)):
            if reply.break_after is not None and sent == reply.break_after:
                return  # uvicorn drops a connection whose response was never finished
            if reply.hang_after is not None and sent == reply.hang_after:
                await gone.wait()
                return
            if gone.is_set():
                return
            if reply.gate is not None and sent == reply.gate_after:
                await asyncio.to_thread(reply.gate.wait, 60)
            await send({"type": "http.response.body", "body": frame, "more_body": True})
            if reply.delay:
                await asyncio.sleep(reply.delay)
        recorded.completed = True
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _json(
        self, recorded: Recorded, send: Any, status: int, payload: Any, headers: dict[str, str] | None = None
    ) -> None:
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        kind = b"text/plain" if isinstance(payload, str) else b"application/json"
        raw_headers = [(b"content-type", kind)] + [
            (k.encode(), v.encode()) for k, v in (headers or {}).items()
        ]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        recorded.completed = True
        await send({"type": "http.response.body", "body": data, "more_body": False})


# --- what the fake says ------------------------------------------------------------------------------


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), max(1, size))]


def _call_ids(reply: Reply) -> list[str]:
    return [call.id or f"call_fake{i}" for i, call in enumerate(reply.calls)]


def _finish(reply: Reply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.calls else "stop")


def tool_call_fragments(reply: Reply) -> Iterator[dict[str, Any]]:
    """The ``delta.tool_calls`` entries of a reply, one per chunk, with the reply's quirks."""
    ids = _call_ids(reply)
    for number, call in enumerate(reply.calls):
        index: dict[str, Any] = {}
        if reply.tool_index == "spec":
            index = {"index": number}
        elif reply.tool_index == "zero":
            index = {"index": 0}
        ident = {} if reply.tool_ids == "none" else {"id": ids[number], "type": "function"}
        if reply.whole_calls:
            yield {**index, **ident, "function": {"name": call.name, "arguments": call.arguments}}
            continue
        yield {**index, **ident, "function": {"name": call.name, "arguments": ""}}
        for piece in _pieces(call.arguments, reply.args_piece):
            fragment: dict[str, Any] = {**index, "function": {"arguments": piece}}
            if reply.tool_ids == "every":
                fragment.update(ident)
            if reply.name_every_fragment:
                fragment["function"]["name"] = call.name
            yield fragment


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }


def _sse(data: dict[str, Any] | str) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data)
    return f"data: {text}\n\n".encode()


def stream_frames(reply: Reply, include_usage: bool) -> Iterator[bytes]:
    """The SSE frames of a streamed reply."""
    yield _sse(_chunk({"role": "assistant", "content": ""}))
    if reply.raw_chunks is not None:
        for raw in reply.raw_chunks:
            delta = {k: v for k, v in raw.items() if k != "finish_reason"}
            yield _sse(_chunk(delta, raw.get("finish_reason")))
    else:
        if reply.lead:
            yield _sse(_chunk({"content": reply.lead}))
        for piece in _pieces(reply.text, reply.text_piece):
            yield _sse(_chunk({"content": piece}))
        if reply.bad_chunk:
            yield b"data: {this is not json\n\n"
        if reply.error_event:
            yield _sse({"error": {"message": reply.error_event, "code": 500}})
        for fragment in tool_call_fragments(reply):
            yield _sse(_chunk({"tool_calls": [fragment]}))
        if reply.no_done:
            return
        yield _sse(_chunk({}, _finish(reply)))
    if include_usage and reply.usage is not None:
        usage = {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1]}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        yield _sse({**_chunk({}), "choices": [], "usage": usage})
    yield _sse("[DONE]")


def completion(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    """A non-streamed answer."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.calls:
        message["tool_calls"] = [
            {"id": ident, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
            for ident, call in zip(_call_ids(reply), reply.calls, strict=True)
        ]
    answer: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body.get("model", MODEL),
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": _finish(reply)}],
    }
    if reply.usage is not None:
        answer["usage"] = {
            "prompt_tokens": reply.usage[0],
            "completion_tokens": reply.usage[1],
            "total_tokens": sum(reply.usage),
        }
    return answer
