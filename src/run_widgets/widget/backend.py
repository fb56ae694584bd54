"""What a card does over the network, behind a small interface (a real client, or a test's stand-in).

The card holds its backend privately: never in a trait, a repr or a message. Errors coming back from
it are turned into one short line with every known secret removed (``error_text``).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from ..models import Message, Run, RunStep
from ..models.convert import from_openai
from . import limits


class Backend(Protocol):
    """The calls a card makes for its run."""

    def submit_tool_outputs_stream(
        self, thread_id: str, run_id: str, outputs: Sequence[dict[str, str]]
    ) -> AbstractAsyncContextManager[AsyncIterable[Any]]:
        """A stream manager: the request goes out on ``__aenter__`` (which raises when refused)."""
        ...

    async def cancel(self, thread_id: str, run_id: str) -> Run: ...

    async def retrieve(self, thread_id: str, run_id: str) -> Run: ...

    async def list_steps(self, thread_id: str, run_id: str) -> list[RunStep]: ...

    async def list_messages(self, thread_id: str, run_id: str) -> list[Message]: ...

    def secrets(self) -> list[str]:
        """Values that must never appear in what the card shows (the API key)."""
        ...


class FileBackend(Backend, Protocol):
    """A backend that can also fetch files, for the images a run made (optional: without it the card
    shows image file ids only)."""

    async def file_content(self, file_id: str, max_bytes: int) -> tuple[bytes, str | None]:
        """The file's bytes and declared media type; raises (``ContentTooLargeError``) past ``max_bytes``."""
        ...


async def _collect(pager: Any) -> list[Any]:
    """Every item of a list call: ``async for`` pages through (ours and the SDK's pagers); else await."""
    if hasattr(pager, "__aiter__"):
        return [item async for item in pager]
    page = await pager
    return list(getattr(page, "data", page))


class ClientBackend:
    """A backend over ``run_widgets.AsyncClient`` (or anything shaped like it, the SDK's async client too)."""

    def __init__(self, client: Any, *, beta: bool = False) -> None:
        self._client = client
        self._sdk = beta
        self._threads = client.beta.threads if beta else client.threads

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def submit_tool_outputs_stream(
        self, thread_id: str, run_id: str, outputs: Sequence[dict[str, str]]
    ) -> AbstractAsyncContextManager[AsyncIterable[Any]]:
        manager: AbstractAsyncContextManager[AsyncIterable[Any]] = (
            self._threads.runs.submit_tool_outputs_stream(
                thread_id=thread_id, run_id=run_id, tool_outputs=list(outputs)
            )
        )
        return manager

    async def cancel(self, thread_id: str, run_id: str) -> Run:
        run = await self._threads.runs.cancel(run_id, thread_id=thread_id)
        return from_openai(run)  # type: ignore[no-any-return]

    async def retrieve(self, thread_id: str, run_id: str) -> Run:
        run = await self._threads.runs.retrieve(run_id, thread_id=thread_id)
        return from_openai(run)  # type: ignore[no-any-return]

    async def list_steps(self, thread_id: str, run_id: str) -> list[RunStep]:
        pager = self._threads.runs.steps.list(run_id, thread_id=thread_id, order="asc", limit=100)
        return [from_openai(step) for step in await _collect(pager)]

    async def list_messages(self, thread_id: str, run_id: str) -> list[Message]:
        pager = self._threads.messages.list(thread_id, run_id=run_id, order="asc", limit=100)
        return [from_openai(message) for message in await _collect(pager)]

    async def file_content(self, file_id: str, max_bytes: int) -> tuple[bytes, str | None]:
        files = self._client.files
        if self._sdk:  # the SDK reads the whole body (the card checks its size after)
            response = await files.content(file_id, timeout=limits.IMAGE_FETCH_TIMEOUT)
        else:
            response = await files.content(file_id, max_bytes=max_bytes, timeout=limits.IMAGE_FETCH_TIMEOUT)
        return response.content, response.response.headers.get("content-type")

    def secrets(self) -> list[str]:
        return [key for key in (api_key_of(self._client),) if key]


def api_key_of(client: Any) -> str | None:
    """A client's key (ours keeps it in ``_api_key``, the SDK's in ``api_key``), to redact or to copy."""
    for name in ("api_key", "_api_key"):
        key = getattr(client, name, None)
        if isinstance(key, str) and key:
            return key
    return None


def redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text


def error_text(exc: BaseException, secrets: Sequence[str] = ()) -> str:
    """One short line for an ack or a notice: the server's message when there is one, never a traceback."""
    message = getattr(exc, "message", None)
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            message = inner["message"]
    if not isinstance(message, str) or not message.strip():
        message = str(exc).strip() or type(exc).__name__
        if type(exc).__module__.startswith(("httpx", "httpcore", "anyio")) or isinstance(exc, OSError):
            message = f"could not reach the server ({type(exc).__name__}: {message})"
    status = getattr(exc, "status_code", None)
    line = " ".join(message.split())
    if isinstance(status, int) and str(status) not in line:
        line = f"{line} (HTTP {status})"
    line = redact(line, secrets)
    if len(line) > limits.ERROR_CAP:
        line = line[: limits.ERROR_CAP - 1] + "…"
    return line
