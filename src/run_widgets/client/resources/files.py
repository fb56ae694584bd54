"""``client.files``: a file's metadata and its bytes (the images code interpreter steps make)."""

from __future__ import annotations

from ...models import FileObject
from .. import _routes
from .._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout
from ..binary import BinaryResponseContent
from ._resource import AsyncResource, SyncResource, options


def _checked(max_bytes: int | None) -> int | None:
    if max_bytes is not None and (
        not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 0
    ):
        raise ValueError(f"max_bytes must be a whole number >= 0 (or None for no limit), got {max_bytes!r}.")
    return max_bytes


class Files(SyncResource):
    def retrieve(
        self,
        file_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> FileObject:
        """The file's metadata: name, size, purpose."""
        return self._client.request(_routes.retrieve_file(file_id, options(locals())))

    def content(
        self,
        file_id: str,
        *,
        max_bytes: int | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> BinaryResponseContent:
        """The file's bytes (``.content``) and the type the server gave them (``.content_type``).

        ``max_bytes`` (not in the SDK) refuses a larger file with ``ContentTooLargeError`` without
        downloading the rest of it.
        """
        limit = _checked(max_bytes)
        return self._client.download(_routes.file_content(file_id, options(locals())), max_bytes=limit)


class AsyncFiles(AsyncResource):
    async def retrieve(
        self,
        file_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> FileObject:
        """The file's metadata: name, size, purpose."""
        return await self._client.request(_routes.retrieve_file(file_id, options(locals())))

    async def content(
        self,
        file_id: str,
        *,
        max_bytes: int | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> BinaryResponseContent:
        """The file's bytes (``.content``) and the type the server gave them (``.content_type``).

        ``max_bytes`` (not in the SDK) refuses a larger file with ``ContentTooLargeError`` without
        downloading the rest of it.
        """
        limit = _checked(max_bytes)
        request = _routes.file_content(file_id, options(locals()))
        return await self._client.download(request, max_bytes=limit)
