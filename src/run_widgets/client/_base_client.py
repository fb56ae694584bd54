"""Sending an ``APIRequest``: headers, retries, typed errors and response parsing, sync and async.

``SyncAPIClient`` and ``AsyncAPIClient`` read alike; what they share (configuration, building the
HTTP request, turning failures into errors) lives in ``BaseAPIClient``. Nothing here logs or raises
the API key: it is added to each request's headers and nowhere else.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx2
import pydantic

from ._request import APIRequest
from ._retries import retry_delay, should_retry
from ._settings import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    display_url,
    resolve_api_key,
    resolve_base_url,
)
from ._types import NotGiven, Timeout
from .binary import BinaryResponseContent
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ContentTooLargeError,
    make_status_error,
    redact,
)

T = TypeVar("T")
log = logging.getLogger("run_widgets.client")


class BaseAPIClient:
    """Configuration and request building shared by the sync and async clients."""

    base_url: httpx2.URL
    max_retries: int
    timeout: Timeout

    def __init__(
        self,
        *,
        base_url: str | httpx2.URL | None,
        api_key: str | None,
        max_retries: int,
        timeout: Timeout | NotGiven,
        default_headers: Mapping[str, str] | None,
        http_timeout: Timeout | None,
    ) -> None:
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ValueError(f"max_retries must be a whole number >= 0, got {max_retries!r}.")
        self.base_url = resolve_base_url(base_url)
        self._api_key = resolve_api_key(api_key)
        self.max_retries = max_retries
        if isinstance(timeout, NotGiven):
            timeout = http_timeout if http_timeout is not None else DEFAULT_TIMEOUT
        self.timeout = timeout
        self._default_headers = dict(default_headers or {})
        self._prefix = str(self.base_url)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={display_url(self.base_url)!r})"

    # --- building ---------------------------------------------------------------------------------

    def _headers(self, request: APIRequest[Any], idempotency_key: str | None) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "OpenAI-Beta": "assistants=v2",
            "User-Agent": USER_AGENT,
        }
        if self._api_key is not None:
            headers["Authorization"] = f"Bearer {self._api_key.reveal()}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        headers.update(self._default_headers)
        headers.update(request.headers)
        if request.options.extra_headers:
            headers.update(request.options.extra_headers)
        return headers

    def _build(
        self, http: httpx2.Client | httpx2.AsyncClient, request: APIRequest[Any], idempotency_key: str | None
    ) -> httpx2.Request:
        options = request.options
        query: list[tuple[str, Any]] = list(request.query)
        if options.extra_query:
            query.extend(options.extra_query.items())
        payload: Mapping[str, Any] | None = request.body
        if options.extra_body:
            payload = {**(payload or {}), **options.extra_body}
        content = None if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        timeout = self.timeout if isinstance(options.timeout, NotGiven) else options.timeout
        return http.build_request(
            request.method,
            self._prefix + request.path,
            params=query or None,
            content=content,
            headers=self._headers(request, idempotency_key),
            timeout=timeout,
        )

    @staticmethod
    def _idempotency_key(request: APIRequest[Any]) -> str | None:
        """One key per call, reused by its retries, so a server can drop a duplicated POST."""
        return f"run-widgets-{uuid.uuid4()}" if request.method == "POST" else None

    # --- failures ---------------------------------------------------------------------------------

    @property
    def api_key(self) -> str | None:
        """The key this client sends, for code that must pass it on (as the SDK's ``client.api_key``).

        The client itself never shows it: not in its repr, its errors or its logs.
        """
        return self._api_key.reveal() if self._api_key is not None else None

    @property
    def _secret(self) -> str | None:
        """The key, for scrubbing it out of text that came from elsewhere."""
        return self.api_key

    def _where(self, request: httpx2.Request) -> str:
        return f"{request.method} {display_url(request.url)}"

    def _transport_error(
        self, request: httpx2.Request, exc: httpx2.RequestError, retries_taken: int
    ) -> APIConnectionError:
        reason = redact(str(exc) or type(exc).__name__, self._secret)
        tried = f" after {retries_taken + 1} attempts" if retries_taken else ""
        if isinstance(exc, httpx2.TimeoutException):
            return APITimeoutError(
                f"{self._where(request)} timed out{tried} ({type(exc).__name__}).",
                request=request,
                hint="Pass a longer timeout=..., or check that the server is responsive.",
            )
        return APIConnectionError(
            f"Could not reach {display_url(self.base_url)}{tried}: {reason}.",
            request=request,
            hint="Is the server running? Check base_url or RUN_WIDGETS_BASE_URL.",
        )

    def _status_error(self, response: httpx2.Response, retries_taken: int) -> APIStatusError:
        return make_status_error(response, self._secret, retries_taken=retries_taken)

    def _parse(self, request: APIRequest[T], response: httpx2.Response) -> T:
        try:
            return request.parse(response.content)
        except pydantic.ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(part) for part in first["loc"]) or "the body"
            raise APIResponseValidationError(
                f"{self._where(response.request)} answered {response.status_code} with data this client "
                f"cannot read ({where}: {first['msg']}).",
                response=response,
                hint="Check that base_url points at an Assistants v2 compatible server.",
            ) from None

    def _too_large(self, response: httpx2.Response, max_bytes: int, size: int | None) -> ContentTooLargeError:
        of = f" ({size} bytes)" if size is not None else ""
        return ContentTooLargeError(
            f"{self._where(response.request)} answered with a body larger than max_bytes={max_bytes}{of}.",
            response=response,
            max_bytes=max_bytes,
            size=size,
            hint="Pass a larger max_bytes=..., or leave it out to read the whole body.",
        )

    def _check_declared_size(self, response: httpx2.Response, max_bytes: int) -> None:
        """Refuse a body whose ``Content-Length`` is already past ``max_bytes``, before reading any of it."""
        try:
            declared = int(response.headers.get("content-length", ""))
        except ValueError:
            return
        if declared > max_bytes:
            raise self._too_large(response, max_bytes, declared)

    def _read_failed(self, response: httpx2.Response, exc: httpx2.RequestError) -> APIConnectionError:
        reason = redact(str(exc) or type(exc).__name__, self._secret)
        return APIConnectionError(
            f"{self._where(response.request)}: the connection broke while reading the body ({reason}).",
            response=response,
            hint="Try again; check the server if it keeps happening.",
        )

    def _log_response(self, response: httpx2.Response) -> None:
        log.debug(
            "%s -> %d (request id %s)",
            self._where(response.request),
            response.status_code,
            response.headers.get("x-request-id", "-"),
        )

    def _log_retry(self, request: httpx2.Request, why: str, delay: float, retry: int) -> None:
        log.info("%s %s; retry %d of %d in %.2f s", self._where(request), why, retry, self.max_retries, delay)


class SyncAPIClient(BaseAPIClient):
    """Sends requests over an ``httpx2.Client``, retrying as the SDK does."""

    def __init__(
        self,
        *,
        base_url: str | httpx2.URL | None,
        api_key: str | None,
        http_client: httpx2.Client | None,
        max_retries: int,
        timeout: Timeout | NotGiven,
        default_headers: Mapping[str, str] | None,
        sleep: Callable[[float], None] | None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx2.Client):
            raise TypeError(
                f"http_client must be an httpx2.Client, got {type(http_client).__name__} "
                "(AsyncClient takes an httpx2.AsyncClient)."
            )
        super().__init__(
            base_url=base_url,
            api_key=api_key,
            max_retries=max_retries,
            timeout=timeout,
            default_headers=default_headers,
            http_timeout=_custom_timeout(http_client),
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx2.Client(follow_redirects=True)
        self._sleep = sleep if sleep is not None else time.sleep

    def sleep(self, seconds: float) -> None:
        self._sleep(seconds)

    def close(self) -> None:
        """Close the connection pool (only if this client made it)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, request: APIRequest[T]) -> T:
        """Send ``request`` (retrying), and read the answer."""
        return self.fetch(request)[0]

    def fetch(self, request: APIRequest[T]) -> tuple[T, httpx2.Response]:
        """The answer to ``request`` and the response it came in (for its headers)."""
        response = self.send(request, stream=False)
        return self._parse(request, response), response

    def download(self, request: APIRequest[Any], *, max_bytes: int | None = None) -> BinaryResponseContent:
        """The body of the answer to ``request`` as bytes (after retries).

        With ``max_bytes``, a larger body raises ``ContentTooLargeError`` and the rest is not read.
        """
        if max_bytes is None:
            response = self.send(request, stream=False)
            return BinaryResponseContent(response.content, response)
        response = self.send(request, stream=True)
        chunks: list[bytes] = []
        size = 0
        try:
            self._check_declared_size(response, max_bytes)
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise self._too_large(response, max_bytes, None)
                chunks.append(chunk)
        except httpx2.RequestError as exc:
            raise self._read_failed(response, exc) from None
        finally:
            response.close()
        return BinaryResponseContent(b"".join(chunks), response)

    def send(self, request: APIRequest[Any], *, stream: bool) -> httpx2.Response:
        """The successful response to ``request``, after retries; with ``stream`` the body is left unread."""
        key = self._idempotency_key(request)
        retries_taken = 0
        while True:
            built = self._build(self._http, request, key)
            try:
                response = self._http.send(built, stream=stream)
            except httpx2.RequestError as exc:
                if retries_taken < self.max_retries:
                    delay = retry_delay(retries_taken)
                    retries_taken += 1
                    self._log_retry(built, type(exc).__name__, delay, retries_taken)
                    self._sleep(delay)
                    continue
                raise self._transport_error(built, exc, retries_taken) from None
            self._log_response(response)
            if not response.is_error:
                return response
            if retries_taken < self.max_retries and should_retry(response.status_code, response.headers):
                response.close()
                delay = retry_delay(retries_taken, response.headers)
                retries_taken += 1
                self._log_retry(built, f"got {response.status_code}", delay, retries_taken)
                self._sleep(delay)
                continue
            response.read()
            response.close()
            raise self._status_error(response, retries_taken)


class AsyncAPIClient(BaseAPIClient):
    """Sends requests over an ``httpx2.AsyncClient``, retrying as the SDK does."""

    def __init__(
        self,
        *,
        base_url: str | httpx2.URL | None,
        api_key: str | None,
        http_client: httpx2.AsyncClient | None,
        max_retries: int,
        timeout: Timeout | NotGiven,
        default_headers: Mapping[str, str] | None,
        sleep: Callable[[float], Awaitable[None]] | None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx2.AsyncClient):
            raise TypeError(
                f"http_client must be an httpx2.AsyncClient, got {type(http_client).__name__} "
                "(Client takes an httpx2.Client)."
            )
        super().__init__(
            base_url=base_url,
            api_key=api_key,
            max_retries=max_retries,
            timeout=timeout,
            default_headers=default_headers,
            http_timeout=_custom_timeout(http_client),
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx2.AsyncClient(follow_redirects=True)
        self._sleep = sleep if sleep is not None else asyncio.sleep

    async def sleep(self, seconds: float) -> None:
        await self._sleep(seconds)

    async def close(self) -> None:
        """Close the connection pool (only if this client made it)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def request(self, request: APIRequest[T]) -> T:
        """Send ``request`` (retrying), and read the answer."""
        return (await self.fetch(request))[0]

    async def fetch(self, request: APIRequest[T]) -> tuple[T, httpx2.Response]:
        """The answer to ``request`` and the response it came in (for its headers)."""
        response = await self.send(request, stream=False)
        return self._parse(request, response), response

    async def download(
        self, request: APIRequest[Any], *, max_bytes: int | None = None
    ) -> BinaryResponseContent:
        """The body of the answer to ``request`` as bytes (after retries).

        With ``max_bytes``, a larger body raises ``ContentTooLargeError`` and the rest is not read.
        """
        if max_bytes is None:
            response = await self.send(request, stream=False)
            return BinaryResponseContent(response.content, response)
        response = await self.send(request, stream=True)
        chunks: list[bytes] = []
        size = 0
        try:
            self._check_declared_size(response, max_bytes)
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise self._too_large(response, max_bytes, None)
                chunks.append(chunk)
        except httpx2.RequestError as exc:
            raise self._read_failed(response, exc) from None
        finally:
            await response.aclose()
        return BinaryResponseContent(b"".join(chunks), response)

    async def send(self, request: APIRequest[Any], *, stream: bool) -> httpx2.Response:
        """The successful response to ``request``, after retries; with ``stream`` the body is left unread."""
        key = self._idempotency_key(request)
        retries_taken = 0
        while True:
            built = self._build(self._http, request, key)
            try:
                response = await self._http.send(built, stream=stream)
            except httpx2.RequestError as exc:
                if retries_taken < self.max_retries:
                    delay = retry_delay(retries_taken)
                    retries_taken += 1
                    self._log_retry(built, type(exc).__name__, delay, retries_taken)
                    await self._sleep(delay)
                    continue
                raise self._transport_error(built, exc, retries_taken) from None
            self._log_response(response)
            if not response.is_error:
                return response
            if retries_taken < self.max_retries and should_retry(response.status_code, response.headers):
                await response.aclose()
                delay = retry_delay(retries_taken, response.headers)
                retries_taken += 1
                self._log_retry(built, f"got {response.status_code}", delay, retries_taken)
                await self._sleep(delay)
                continue
            await response.aread()
            await response.aclose()
            raise self._status_error(response, retries_taken)


def _custom_timeout(http_client: httpx2.Client | httpx2.AsyncClient | None) -> Timeout | None:
    """The timeout of a caller's http client, unless it is httpx2's default (then ours applies)."""
    if http_client is None:
        return None
    timeout = http_client.timeout
    return None if timeout == httpx2.Timeout(5.0) else timeout
