"""The errors the client raises: one class per kind of failure, each saying what to do next.

Every ``APIError`` has the same attributes, so code that catches the base class can read any of them:
``status_code`` (alias ``status``: the HTTP status of an error response, None when the failure did
not come as one: a connection error, a timeout, an error event inside a 200 stream), ``message``,
``type``, ``param`` and ``code`` (from the server's error object, None without one), ``request_id``
(the ``x-request-id`` of the response involved, None without a response), ``request``,
``response`` and ``body``. ``str(error)`` adds a short hint. The API key never appears in any of
them: the server's text is scrubbed before it is stored.
"""

from __future__ import annotations

import re
from typing import Any

import httpx2

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APIStreamError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ContentTooLargeError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
]

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")
REDACTED = "[redacted]"


def redact(text: str, secret: str | None) -> str:
    """``text`` without ``secret`` and without any bearer token (servers sometimes echo headers)."""
    if secret:
        text = text.replace(secret, REDACTED)
    return _BEARER.sub(lambda match: match.group(1) + REDACTED, text)


def redact_value(value: Any, secret: str | None) -> Any:
    """A parsed JSON body with every string passed through ``redact``."""
    if isinstance(value, str):
        return redact(value, secret)
    if isinstance(value, dict):
        return {redact(str(key), secret): redact_value(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item, secret) for item in value]
    return value


class ConfigurationError(ValueError):
    """The client cannot be built as asked (no base URL, say); the message says what to set."""


class APIError(Exception):
    """Anything that went wrong talking to the server.

    ``message`` is what the server (or the transport) said; ``type``, ``param`` and ``code`` come
    from the error object when there is one; ``request_id`` from the response's ``x-request-id``
    when there is a response; ``status_code`` only for an error status (see ``APIStatusError``).
    """

    message: str
    request: httpx2.Request | None
    response: httpx2.Response | None
    body: Any
    status_code: int | None
    request_id: str | None
    type: str | None
    param: str | None
    code: str | None

    def __init__(
        self,
        message: str,
        *,
        request: httpx2.Request | None = None,
        response: httpx2.Response | None = None,
        body: Any = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.request = request if request is not None or response is None else response.request
        self.response = response
        self.body = body
        self.status_code = None
        self.request_id = response.headers.get("x-request-id") if response is not None else None
        error = body if isinstance(body, dict) else {}
        self.type = _str_or_none(error.get("type"))
        self.param = _str_or_none(error.get("param"))
        self.code = _str_or_none(error.get("code"))
        self.hint = hint
        super().__init__(f"{message} {hint}" if hint else message)

    @property
    def status(self) -> int | None:
        """The HTTP error status (``status_code``); None when the failure was not an error response."""
        return self.status_code


class APIStatusError(APIError):
    """The server answered with an error status (4xx or 5xx)."""

    status_code: int
    response: httpx2.Response

    def __init__(
        self,
        message: str,
        *,
        response: httpx2.Response,
        body: Any = None,
        hint: str | None = None,
    ) -> None:
        reason = response.reason_phrase or "Error"
        super().__init__(
            f"{response.status_code} {reason}: {message}", response=response, body=body, hint=hint
        )
        self.status_code = response.status_code
        self.message = message


class BadRequestError(APIStatusError):
    """400: the server rejected the request; ``param`` names the field when it said which."""


class AuthenticationError(APIStatusError):
    """401: the API key was missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such object (or route) on this server."""


class ConflictError(APIStatusError):
    """409: the object changed under the request (retried automatically)."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests (retried automatically, honouring ``retry-after``)."""


class InternalServerError(APIStatusError):
    """5xx: the server failed (retried automatically)."""


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke before a whole response arrived.

    ``status_code`` is None; ``response`` and ``request_id`` are set when the break came while
    reading a body whose headers had arrived.
    """


class APITimeoutError(APIConnectionError):
    """The request took longer than its timeout."""


class APIResponseValidationError(APIError):
    """The server answered 200 with data that is not the object the API promises.

    ``response`` and ``request_id`` name that answer; ``status_code`` is None (not an error status).
    """


class ContentTooLargeError(APIError):
    """A body was larger than the ``max_bytes`` the caller allowed; the rest of it was not read.

    ``max_bytes`` is the limit; ``size`` the body's size when the server declared it (else None).
    """

    def __init__(
        self, message: str, *, response: httpx2.Response, max_bytes: int, size: int | None, hint: str
    ) -> None:
        super().__init__(message, response=response, hint=hint)
        self.max_bytes = max_bytes
        self.size = size


class APIStreamError(APIError):
    """The server sent an ``event: error`` in a stream (either the bare error or ``{"error": ...}``).

    ``response`` is the stream's (a 200) and ``request_id`` its ``x-request-id``; ``status_code`` is
    None, as the HTTP exchange itself succeeded.
    """


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

_HINTS: dict[type[APIStatusError], str] = {
    AuthenticationError: "Check the API key: pass api_key=... or set RUN_WIDGETS_API_KEY (or OPENAI_API_KEY).",
    PermissionDeniedError: "The key was accepted but may not do this; check which key the server expects.",
    NotFoundError: "Check the id and that base_url points at the server that holds it.",
    RateLimitError: "The server is rate limiting; wait a little, or raise max_retries.",
    InternalServerError: "The server failed; try again, and check its logs if it keeps failing.",
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)


def make_status_error(
    response: httpx2.Response, secret: str | None, *, retries_taken: int = 0
) -> APIStatusError:
    """The typed error for an error response, its text scrubbed of ``secret``."""
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = response.text
    body = redact_value(body, secret)
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        message = error["message"]
    elif isinstance(body, str) and body.strip():
        message = body.strip()[:500]
    else:
        message = "the server gave no error message."
    cls = status_error_class(response.status_code)
    hint = _HINTS.get(cls)
    if retries_taken:
        hint = f"{hint or ''} (Retried {retries_taken} time{'s' if retries_taken != 1 else ''}.)".strip()
    return cls(message, response=response, body=error, hint=hint)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
