"""Talking to an OpenAI-compatible Chat Completions backend: one streamed call, chunk by chunk.

Everything that can go wrong on the way becomes an ``EngineError`` whose message names the backend
(its URL without user info or query) and says what to do; the key never appears in one. What the
backend rejects but could do differently (streaming with tools, ``stream_options``,
``max_completion_tokens``, ``parallel_tool_calls``) is adapted to once and remembered.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import AsyncGenerator, Iterator
from typing import Any

import httpx2

from .... import __version__
from ..base import EngineError
from .batching import batched
from .options import API_KEY_SETTING, BASE_URL_SETTING, MODEL_SETTING, ChatOptions

Body = dict[str, Any]

_ERROR_BODY_LIMIT = 64 * 1024
_SHOWN_MESSAGE_LIMIT = 300
_UNSUPPORTED = re.compile(
    r"unrecogni[sz]ed|unsupported|not supported|does not support|doesn't support|cannot|can't|unknown|"
    r"extra|not permitted|not allowed|unexpected|additional propert"
)
"""How backends say a field (or streaming with tools) is not for them, as opposed to a bad value."""
_WORD = re.compile(r"\s*\S+\s*|\s+")


class _Rejected(Exception):
    """The backend answered with an error status before sending anything else."""

    def __init__(self, status: int, message: str, error: EngineError) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error


class ChatBackend:
    """One backend, one HTTP client (made on first use, on the server's event loop)."""

    def __init__(self, options: ChatOptions) -> None:
        self._options = options
        self._client: httpx2.AsyncClient | None = None
        self._stream_with_tools = options.stream_tools != "off"
        self._token_field = options.max_tokens_field
        self._dropped: set[str] = set()
        """Optional fields this backend rejected; they are no longer sent."""

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def completion(self, body: Body, *, tools: bool) -> AsyncGenerator[list[Body]]:
        """The completion's chunks (``chat.completion.chunk`` dicts), streamed when the backend can,
        in batches of what has arrived (see ``batching``); a non-streamed answer comes as one chunk
        per batch, so it still reaches the client piece by piece.

        Raises ``EngineError`` for whatever goes wrong; retries, adapted, only when the backend
        refused the request before answering anything.
        """
        tried: set[str] = set()
        while True:
            stream = self._stream_with_tools or not tools
            request = self._prepared(body, stream=stream)
            try:
                if stream:
                    async with contextlib.aclosing(batched(self._streamed(request))) as batches:
                        async for batch in batches:
                            yield batch
                else:
                    for chunk in replay_as_chunks(await self._single(request)):
                        yield [chunk]
                return
            except _Rejected as rejection:
                adapted = self._adapt(rejection, request, tools=tools)
                if adapted is None or adapted in tried:
                    raise rejection.error from None
                tried.add(adapted)

    # --- one request -----------------------------------------------------------------------------

    async def _streamed(self, request: Body) -> AsyncGenerator[Body]:
        finished = done = False
        try:
            async with self._http().stream("POST", self._options.endpoint, json=request) as response:
                if response.status_code >= 400:
                    raise await self._rejection(response)
                if not _is_event_stream(response):  # a backend that ignores "stream": one JSON answer
                    completion = _json_object(await _read_limited(response, None), self._shown)
                    for chunk in replay_as_chunks(completion):
                        yield chunk
                    return
                # The per-token path: plain dicts from json.loads, nothing validated per chunk
                # (the engine reads what it needs defensively).
                async for event in httpx2.EventSource(response):
                    if done:
                        continue  # read to the end, so the connection can be reused
                    data = event.data
                    if data == "[DONE]" or data.strip() == "[DONE]":
                        done = True
                        continue
                    if not data or data.isspace():
                        continue
                    try:
                        chunk = json.loads(data)
                    except ValueError:
                        chunk = _json_object(data, self._shown)  # raises the error that says so
                    if type(chunk) is not dict:
                        chunk = _json_object(data, self._shown)
                    if "error" in chunk and not chunk.get("choices"):
                        raise EngineError(
                            f"The chat backend at {self._shown} reported an error while answering: "
                            f"{self._redact(_error_message(chunk))}"
                        )
                    if not finished:
                        finished = _has_finish_reason(chunk)
                    yield chunk
        except httpx2.HTTPError as exc:
            raise self._transport_error(exc) from None
        if not (done or finished):
            raise EngineError(
                f"The chat backend at {self._shown} ended its answer early (the stream stopped before "
                "it said it was done). Try again; if it keeps happening, see the backend's log."
            )

    async def _single(self, request: Body) -> Body:
        try:
            response = await self._http().post(self._options.endpoint, json=request)
            if response.status_code >= 400:
                raise await self._rejection(response)
            return _json_object(response.text, self._shown)
        except httpx2.HTTPError as exc:
            raise self._transport_error(exc) from None

    def _http(self) -> httpx2.AsyncClient:
        if self._client is None:
            headers = {"User-Agent": f"run-widgets/{__version__}"}
            if self._options.api_key:
                headers["Authorization"] = f"Bearer {self._options.api_key}"
            self._client = httpx2.AsyncClient(
                headers=headers,
                auth=self._options.basic_auth,
                timeout=httpx2.Timeout(self._options.timeout, connect=self._options.connect_timeout),
            )
        return self._client

    def _prepared(self, body: Body, *, stream: bool) -> Body:
        request = dict(body)
        request["stream"] = stream
        if stream and "stream_options" not in self._dropped:
            request["stream_options"] = {"include_usage": True}
        limit = request.pop("max_completion_tokens", None)
        if limit is not None:
            if self._token_field in ("max_completion_tokens", "both"):
                request["max_completion_tokens"] = limit
            if self._token_field in ("max_tokens", "both"):
                request["max_tokens"] = limit
        for name in self._dropped:
            request.pop(name, None)
        return request

    def _adapt(self, rejection: _Rejected, request: Body, *, tools: bool) -> str | None:
        """Meet a refusal the backend could be met on (and remember it); what changed, or None."""
        text = rejection.message.lower()
        unsupported = _UNSUPPORTED.search(text) is not None
        if rejection.status in (400, 422) and unsupported:
            if "max_completion_tokens" in text and "max_completion_tokens" in request:
                # Only max_tokens, or not both at once (OpenAI): either way, one field.
                self._token_field = "max_completion_tokens" if "max_tokens" in request else "max_tokens"
                return "token field"
            if "max_tokens" in text and "max_tokens" in request:
                self._token_field = "max_completion_tokens"
                return "token field"
            for name in ("stream_options", "parallel_tool_calls"):
                if name in text and name in request:
                    self._dropped.add(name)
                    return name
        if (
            tools
            and request.get("stream")
            and self._options.stream_tools == "auto"
            and rejection.status in (400, 422, 500, 501)
            and "stream" in text
            and ("tool" in text or unsupported)
        ):
            self._stream_with_tools = False
            return "stream with tools"
        return None

    # --- errors ----------------------------------------------------------------------------------

    @property
    def _shown(self) -> str:
        return self._options.shown_url

    def _redact(self, text: str) -> str:
        key = self._options.api_key
        if key and len(key) >= 4:
            text = text.replace(key, "***")
        return text

    async def _rejection(self, response: httpx2.Response) -> _Rejected:
        raw = await _read_limited(response, _ERROR_BODY_LIMIT)
        status = response.status_code
        message = self._redact(_error_message_from_text(raw))
        said = f": {message}" if message else ""
        where = f"The chat backend at {self._shown}"
        if status == 429:
            retry = response.headers.get("retry-after", "").strip()
            wait = f" It asks to retry after {retry} s." if re.fullmatch(r"\d+(\.\d+)?", retry) else ""
            error = EngineError(
                f"{where} is rate limiting requests (429){said}.{wait} Wait a moment, then create a new run.",
                code="rate_limit_exceeded",
            )
        elif status in (401, 403):
            advice = (
                f"Check the key given by {API_KEY_SETTING}."
                if self._options.api_key
                else f"It needs an API key: set {API_KEY_SETTING}."
            )
            error = EngineError(f"{where} refused the API key ({status}){said}. {advice}")
        elif status == 404:
            model = request_model(response)
            error = EngineError(
                f"{where} answered 404 (not found) for model {model!r}{said}. Check the model name, "
                f"{MODEL_SETTING}, and that {BASE_URL_SETTING} is the OpenAI-compatible base, often "
                "ending in /v1."
            )
        elif status >= 500:
            error = EngineError(
                f"{where} had an error ({status}){said}. Try again, or see the backend's log."
            )
        else:
            error = EngineError(f"{where} rejected the request ({status}){said}.")
        return _Rejected(status, message, error)

    def _transport_error(self, exc: httpx2.HTTPError) -> EngineError:
        where = f"the chat backend at {self._shown}"
        options = self._options
        if isinstance(exc, httpx2.ConnectTimeout):
            return EngineError(
                f"Could not connect to {where} within {options.connect_timeout:g} s. Is it running and reachable?"
            )
        if isinstance(exc, httpx2.ConnectError):
            return EngineError(
                f"Could not connect to {where}{self._redact(_reason(exc))}. Is it running, and is "
                f"{BASE_URL_SETTING} right?"
            )
        if isinstance(exc, httpx2.ReadTimeout):
            return EngineError(
                f"Gave up on {where}: it sent nothing for {options.timeout:g} s. A slow model may need a "
                "longer timeout: chat option timeout, set by --chat-option timeout=SECONDS (or "
                "%config RunMagics.chat_options = {'timeout': SECONDS})."
            )
        if isinstance(exc, httpx2.TimeoutException):
            return EngineError(f"Gave up on {where}: the request timed out.")
        if isinstance(exc, httpx2.SSEError):
            return EngineError(f"Could not read the answer of {where}: {self._redact(str(exc))}")
        if isinstance(exc, httpx2.TransportError):
            return EngineError(
                f"Lost the connection to {where} before its answer was complete{self._redact(_reason(exc))}. Try again."
            )
        return EngineError(f"The request to {where} failed ({type(exc).__name__}).")


def replay_as_chunks(completion: Body) -> Iterator[Body]:
    """A whole (non-streamed) completion as the chunks a stream would have carried."""
    choices = completion.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
    message = choice.get("message")
    message = message if isinstance(message, dict) else {}
    content = message.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(
            part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text"
        )
    if isinstance(content, str):
        for piece in _WORD.findall(content):
            yield {"choices": [{"index": 0, "delta": {"content": piece}}]}
    calls = message.get("tool_calls")
    if isinstance(calls, list) and calls:
        fragments = [dict(call, index=i) for i, call in enumerate(calls) if isinstance(call, dict)]
        yield {"choices": [{"index": 0, "delta": {"tool_calls": fragments}}]}
    last: Body = {
        "choices": [{"index": 0, "delta": {}, "finish_reason": choice.get("finish_reason") or "stop"}]
    }
    if isinstance(completion.get("usage"), dict):
        last["usage"] = completion["usage"]
    yield last


def request_model(response: httpx2.Response) -> str:
    try:
        body = json.loads(response.request.content)
    except (ValueError, httpx2.RequestNotRead):
        return "?"
    return str(body.get("model", "?")) if isinstance(body, dict) else "?"


def _is_event_stream(response: httpx2.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "").lower()


def _has_finish_reason(chunk: Body) -> bool:
    choices = chunk.get("choices")
    # Per chunk: a loop, not any() over a generator (this runs for every token).
    if type(choices) is list:
        for choice in choices:
            if type(choice) is dict and choice.get("finish_reason"):
                return True
    return False


async def _read_limited(response: httpx2.Response, limit: int | None) -> str:
    data = bytearray()
    async for part in response.aiter_bytes():
        data += part
        if limit is not None and len(data) >= limit:
            break
    return data.decode("utf-8", errors="replace")


def _json_object(text: str, shown: str) -> Body:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise EngineError(
            f"The chat backend at {shown} sent something that is not a Chat Completions answer "
            f"(not a JSON object). Check that {BASE_URL_SETTING} points at an OpenAI-compatible API."
        )
    return value


def _error_message_from_text(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return _shorten(text)
    return _error_message(data) if isinstance(data, dict) else _shorten(text)


def _error_message(data: Body) -> str:
    """The human part of an error body: OpenAI's ``{"error": {"message"}}``, Ollama's ``{"error": "..."}``, ..."""
    error = data.get("error")
    message: Any = None
    if isinstance(error, dict):
        message = error.get("message") or error.get("msg")
    elif isinstance(error, str):
        message = error
    if not message:
        message = data.get("message") or data.get("detail")
    if message is None:
        return _shorten(json.dumps(data))
    return _shorten(message if isinstance(message, str) else json.dumps(message))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _SHOWN_MESSAGE_LIMIT:
        text = text[: _SHOWN_MESSAGE_LIMIT - 1] + "…"
    return text.rstrip(".")


def _reason(exc: BaseException) -> str:
    """The operating system's words for why a connection failed ("Connection refused"), if known."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno:
            return f" ({os.strerror(seen.errno)})"
        seen = seen.__cause__ or seen.__context__
    text = str(exc).strip()
    if not text:
        return ""
    match = re.search(r"\[Errno -?\d+\]\s*(.+)", text)
    return f" ({(match.group(1) if match else text)[:120].rstrip('.')})"
