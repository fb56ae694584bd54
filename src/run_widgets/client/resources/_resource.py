"""The base of every resource: a handle on the client that sends its requests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._request import split_arguments
from .._types import RequestOptions

if TYPE_CHECKING:
    from .._base_client import AsyncAPIClient, SyncAPIClient


class SyncResource:
    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class AsyncResource:
    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


def args(
    arguments: Mapping[str, Any], *, exclude: tuple[str, ...] = ()
) -> tuple[dict[str, Any], RequestOptions]:
    """A method's ``locals()`` as (the arguments given, minus ``exclude``; the request options)."""
    return split_arguments(arguments, exclude=exclude)


def options(arguments: Mapping[str, Any]) -> RequestOptions:
    """Just the request options (``extra_headers``, ``extra_query``, ``extra_body``, ``timeout``) of ``locals()``."""
    return split_arguments(arguments)[1]
