"""The runs client: ``Client`` and ``AsyncClient`` over httpx2, shaped like the official SDK without ``beta``.

Every route, validated requests, SDK-style retries, typed errors, auto-paginating lists, polling
that honours ``openai-poll-after-ms``, and run streams with a running snapshot that resume by
polling when the connection drops. See ``docs/client.md``.
"""

from ..models import FILE_SEARCH_CONTENT_INCLUDE, RequestValidationError
from ._client import AsyncClient, Client
from ._types import NOT_GIVEN, NotGiven
from .binary import BinaryResponseContent
from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ContentTooLargeError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from .pagination import AsyncPage, AsyncPager, SyncPage
from .streaming import AsyncRunStream, RunStream

__all__ = [
    "FILE_SEARCH_CONTENT_INCLUDE",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APIStreamError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncPage",
    "AsyncPager",
    "AsyncRunStream",
    "AuthenticationError",
    "BadRequestError",
    "BinaryResponseContent",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "ContentTooLargeError",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "RunStream",
    "SyncPage",
    "UnprocessableEntityError",
]
