"""Run streams: typed events from a run's SSE response, a running snapshot, and resume by polling.

A stream sends its request when first entered (``with``/``async with``) or iterated, so it works
both as a context manager and directly. Each frame is decoded by httpx2's SSE reader, parsed into
its typed event (``run_widgets.models.parse_event``) and folded into ``stream.snapshot``; iteration
ends at ``[DONE]``. An ``event: error`` raises ``APIStreamError``.

If the connection drops, or the body ends without ``[DONE]``, before the run paused
(``requires_action``) or ended, the stream does not fail: it polls the run, its steps and its
messages, and yields the events the consumer missed (``run_widgets.state.catch_up``) until the run
pauses or ends, so the final snapshot equals what GET returns.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import httpx2
from pydantic import ValidationError

from ..models import Message, Run, RunStep, StreamEvent, UnknownEvent, parse_event
from ..state import RunSnapshot, catch_up
from . import _routes
from ._polling import STOP_STATUSES, poll_delay_ms
from ._request import APIRequest
from ._types import NOT_GIVEN, RequestOptions
from .errors import APIConnectionError, APIResponseValidationError, APIStreamError, redact_value
from .pagination import async_page, sync_page

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, BaseAPIClient, SyncAPIClient

__all__ = ["AsyncRunStream", "RunStream"]

log = logging.getLogger("run_widgets.client")

MAX_EVENT_BYTES = 64 * 1024 * 1024
"""One event's size limit: a whole message rides in ``thread.message.completed``."""

_PAGE = {"order": "asc", "limit": 100}
_CONTROL = frozenset({"done", "error"})


class _RunStreamBase:
    """What the sync and async streams share: decoding frames, the snapshot, and resume's bookkeeping."""

    def __init__(
        self,
        client: BaseAPIClient,
        request: APIRequest[Any],
        *,
        thread_id: str | None = None,
        run_id: str | None = None,
        include: Iterable[str] | None = None,
    ) -> None:
        self.snapshot = RunSnapshot()
        """Everything the stream has carried so far: run, thread, steps, messages."""
        self.response: httpx2.Response | None = None
        self.resumed = False
        """Whether the connection broke and the stream caught up by polling."""
        self._api = client
        self._start_failure: Exception | None = None
        self._request = replace(request, headers={**request.headers, "Accept": "text/event-stream"})
        self._thread_id = thread_id
        self._run_id = run_id
        self._include = tuple(include or ())

    @property
    def current_run(self) -> Run | None:
        """The run as of the last run event (None before the first)."""
        return self.snapshot.run

    @property
    def thread_id(self) -> str | None:
        if self._thread_id is not None:
            return self._thread_id
        if self.snapshot.thread is not None:
            return self.snapshot.thread.id
        return self.snapshot.run.thread_id if self.snapshot.run is not None else None

    @property
    def run_id(self) -> str | None:
        return self.snapshot.run.id if self.snapshot.run is not None else self._run_id

    def __repr__(self) -> str:
        run = self.snapshot.run
        status = run.status if run is not None else "not started"
        return f"<{type(self).__name__} run={self.run_id!r} status={status!r} events={self.snapshot.events_applied}>"

    # --- decoding ---------------------------------------------------------------------------------

    def _check_stream(self, response: httpx2.Response) -> None:
        kind = response.headers.get("content-type", "").partition(";")[0].strip().lower()
        if kind != "text/event-stream":
            raise APIResponseValidationError(
                f"{response.request.method} {response.request.url.path} answered {response.status_code} "
                f"with {kind or 'no content type'} instead of an event stream.",
                response=response,
                hint="Check that the server supports stream=true (Assistants v2 streaming).",
            )

    def _is_end(self, name: str, data: str) -> bool:
        """For the rare frames (``done``, ``error``, ``[DONE]``): True at the end; an error event raises."""
        if name == "error":
            raise self._stream_error(data)
        return name == "done" or data.startswith("[DONE]")

    def _malformed(self, name: str, exc: Exception) -> APIResponseValidationError:
        return APIResponseValidationError(
            f"The stream's {name!r} event is not what the API promises ({_first_problem(exc)}).",
            response=self.response,
            hint="Check that base_url points at an Assistants v2 compatible server.",
        )

    def _check_unknown(self, event: UnknownEvent) -> None:
        if isinstance(event.data, dict) and event.data.get("error"):
            raise self._stream_error(event.data)  # the SDK's rule: a non-thread event carrying an error

    def _stream_error(self, data: str | dict[str, Any]) -> APIStreamError:
        parsed: Any
        try:
            parsed = json.loads(data) if isinstance(data, str) else data
        except ValueError:
            parsed = {"message": data}
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
            parsed = parsed["error"]
        error = redact_value(
            parsed if isinstance(parsed, dict) else {"message": str(parsed)}, self._api._secret
        )
        message = error.get("message") or "The server reported an error in the stream."
        hint = None
        if self.run_id and self.thread_id:
            hint = f"See the run with client.threads.runs.retrieve({self.run_id!r}, thread_id={self.thread_id!r})."
        return APIStreamError(
            str(message),
            response=self.response,
            body=error,
            hint=hint,
        )

    # --- resume -----------------------------------------------------------------------------------

    def _resume_target(self, why: str) -> tuple[str, str] | None:
        """(thread id, run id) to poll after a break; None when nothing was missed."""
        run = self.snapshot.run
        if run is not None and run.status in STOP_STATUSES:
            return None
        thread_id, run_id = self.thread_id, self.run_id
        if thread_id is None or run_id is None:
            raise APIConnectionError(
                f"The stream broke before the run was created ({why}), so there is nothing to resume.",
                request=self._request_or_none(),
                response=self.response,
                hint="Start the run again; check the server's logs if this keeps happening.",
            )
        self.resumed = True
        log.info("The stream of run %s broke (%s); catching up by polling.", run_id, why)
        return thread_id, run_id

    def _request_or_none(self) -> httpx2.Request | None:
        return self.response.request if self.response is not None else None

    def _resume_requests(self, thread_id: str, run_id: str) -> tuple[APIRequest[Any], ...]:
        options = RequestOptions(extra_headers=self._request.options.extra_headers)
        return (
            _routes.retrieve_run(thread_id, run_id, options),
            _routes.list_steps(thread_id, run_id, _PAGE, self._include or NOT_GIVEN, options),
            _routes.list_messages(thread_id, {**_PAGE, "run_id": run_id}, options),
        )

    def _final_run(self) -> Run:
        if self.snapshot.run is None:
            raise RuntimeError("The stream ended without carrying a run.")
        return self.snapshot.run


class RunStream(_RunStreamBase):
    """A run's event stream over ``httpx2.Client``: iterate it for typed events.

    ``with client.threads.runs.stream(...) as stream:`` or iterate it directly; read
    ``stream.snapshot``, or call ``get_final_run()``, ``get_final_run_steps()``,
    ``get_final_messages()`` (each waits for the end).
    """

    def __init__(
        self,
        client: SyncAPIClient,
        request: APIRequest[Any],
        *,
        thread_id: str | None = None,
        run_id: str | None = None,
        include: Iterable[str] | None = None,
    ) -> None:
        super().__init__(client, request, thread_id=thread_id, run_id=run_id, include=include)
        self._client = client
        self._iterator = self._events()

    def open(self) -> RunStream:
        """Send the request (once); errors before the stream starts raise here."""
        if self.response is None:
            if self._start_failure is not None:
                raise self._start_failure  # sent once: a failed start is not retried behind your back
            try:
                response = self._client.send(self._request, stream=True)
                try:
                    self._check_stream(response)
                except APIResponseValidationError:
                    response.close()
                    raise
            except Exception as exc:
                self._start_failure = exc
                raise
            self.response = response
        return self

    def close(self) -> None:
        """Stop reading and release the connection."""
        self._iterator.close()
        if self.response is not None:
            self.response.close()

    def __enter__(self) -> RunStream:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[StreamEvent]:
        return self._iterator

    def __next__(self) -> StreamEvent:
        return next(self._iterator)

    def _events(self) -> Generator[StreamEvent]:
        response = self.open().response
        assert response is not None
        apply = self.snapshot.apply
        try:
            try:
                for frame in httpx2.EventSource(response, max_event_size=MAX_EVENT_BYTES):
                    name, data = frame.event, frame.data
                    if (name in _CONTROL or data[:6] == "[DONE]") and self._is_end(name, data):
                        return
                    try:
                        event = parse_event(name, data)
                    except ValueError as exc:  # pydantic's ValidationError is a ValueError
                        raise self._malformed(name, exc) from None
                    if type(event) is UnknownEvent:
                        self._check_unknown(event)
                    apply(event)
                    yield event
                why = "the body ended without [DONE]"
            except httpx2.RequestError as exc:
                why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        finally:
            response.close()
        yield from self._resume(why)

    def _resume(self, why: str) -> Iterator[StreamEvent]:
        target = self._resume_target(why)
        if target is None:
            return
        run_request, steps_request, messages_request = self._resume_requests(*target)
        while True:
            run, response = self._client.fetch(run_request)
            steps = list(sync_page(self._client, steps_request))
            messages = list(sync_page(self._client, messages_request))
            for event in catch_up(self.snapshot, run, steps, messages):
                self.snapshot.apply(event)
                yield event
            if run.status in STOP_STATUSES:
                return
            self._client.sleep(poll_delay_ms(response.headers, NOT_GIVEN) / 1000)

    # --- the SDK's helpers ------------------------------------------------------------------------

    def until_done(self) -> None:
        """Read the stream to its end."""
        for _ in self._iterator:
            pass

    def get_final_run(self) -> Run:
        self.until_done()
        return self._final_run()

    def get_final_run_steps(self) -> list[RunStep]:
        self.until_done()
        return self.snapshot.steps

    def get_final_messages(self) -> list[Message]:
        self.until_done()
        return self.snapshot.messages

    @property
    def text_deltas(self) -> Iterator[str]:
        """The text pieces as they arrive (reading them consumes the stream)."""
        for event in self._iterator:
            if event.event == "thread.message.delta":
                yield from _texts(event)


class AsyncRunStream(_RunStreamBase):
    """A run's event stream over ``httpx2.AsyncClient``: ``async for`` over it for typed events."""

    def __init__(
        self,
        client: AsyncAPIClient,
        request: APIRequest[Any],
        *,
        thread_id: str | None = None,
        run_id: str | None = None,
        include: Iterable[str] | None = None,
    ) -> None:
        super().__init__(client, request, thread_id=thread_id, run_id=run_id, include=include)
        self._client = client
        self._iterator = self._events()

    async def open(self) -> AsyncRunStream:
        """Send the request (once); errors before the stream starts raise here."""
        if self.response is None:
            if self._start_failure is not None:
                raise self._start_failure  # sent once: a failed start is not retried behind your back
            try:
                response = await self._client.send(self._request, stream=True)
                try:
                    self._check_stream(response)
                except APIResponseValidationError:
                    await response.aclose()
                    raise
            except Exception as exc:
                self._start_failure = exc
                raise
            self.response = response
        return self

    async def close(self) -> None:
        """Stop reading and release the connection."""
        await self._iterator.aclose()
        if self.response is not None:
            await self.response.aclose()

    async def __aenter__(self) -> AsyncRunStream:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        return self._iterator

    async def __anext__(self) -> StreamEvent:
        return await self._iterator.__anext__()

    async def _events(self) -> AsyncGenerator[StreamEvent]:
        response = (await self.open()).response
        assert response is not None
        apply = self.snapshot.apply
        try:
            try:
                async for frame in httpx2.EventSource(response, max_event_size=MAX_EVENT_BYTES):
                    name, data = frame.event, frame.data
                    if (name in _CONTROL or data[:6] == "[DONE]") and self._is_end(name, data):
                        return
                    try:
                        event = parse_event(name, data)
                    except ValueError as exc:  # pydantic's ValidationError is a ValueError
                        raise self._malformed(name, exc) from None
                    if type(event) is UnknownEvent:
                        self._check_unknown(event)
                    apply(event)
                    yield event
                why = "the body ended without [DONE]"
            except httpx2.RequestError as exc:
                why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        finally:
            await response.aclose()
        async for event in self._resume(why):
            yield event

    async def _resume(self, why: str) -> AsyncIterator[StreamEvent]:
        target = self._resume_target(why)
        if target is None:
            return
        run_request, steps_request, messages_request = self._resume_requests(*target)
        while True:
            run, response = await self._client.fetch(run_request)
            steps = [step async for step in await async_page(self._client, steps_request)]
            messages = [message async for message in await async_page(self._client, messages_request)]
            for event in catch_up(self.snapshot, run, steps, messages):
                self.snapshot.apply(event)
                yield event
            if run.status in STOP_STATUSES:
                return
            await self._client.sleep(poll_delay_ms(response.headers, NOT_GIVEN) / 1000)

    # --- the SDK's helpers ------------------------------------------------------------------------

    async def until_done(self) -> None:
        """Read the stream to its end."""
        async for _ in self._iterator:
            pass

    async def get_final_run(self) -> Run:
        await self.until_done()
        return self._final_run()

    async def get_final_run_steps(self) -> list[RunStep]:
        await self.until_done()
        return self.snapshot.steps

    async def get_final_messages(self) -> list[Message]:
        await self.until_done()
        return self.snapshot.messages

    @property
    def text_deltas(self) -> AsyncIterator[str]:
        """The text pieces as they arrive (reading them consumes the stream)."""
        return self._text_deltas()

    async def _text_deltas(self) -> AsyncIterator[str]:
        async for event in self._iterator:
            if event.event == "thread.message.delta":
                for text in _texts(event):
                    yield text


def _texts(event: Any) -> Iterator[str]:
    for part in event.data.delta.content or ():
        if part.type == "text" and part.text is not None and part.text.value:
            yield part.text.value


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False, include_input=False)[0]
        return f"{'.'.join(str(part) for part in first['loc']) or 'data'}: {first['msg']}"
    return str(exc)
