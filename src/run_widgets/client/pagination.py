"""Pages of a list route that fetch the following pages as you iterate.

A page holds one response (``data``, ``has_more``, ``first_id``, ``last_id``). Iterating it yields
every item of every page: the next page is asked for with ``after=<id of the last item>``, keeping
the first call's ``order``, ``limit`` and filters, until ``has_more`` is false or a page is empty
(the official SDK's rule).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..models import ListObject
from ._request import APIRequest

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient

T = TypeVar("T")


class _Page(Generic[T]):
    def __init__(self, request: APIRequest[ListObject[T]], result: ListObject[T]) -> None:
        self._request = request
        self.data: list[T] = list(result.data)
        self.has_more: bool = bool(result.has_more)
        self.first_id: str | None = result.first_id
        self.last_id: str | None = result.last_id

    def has_next_page(self) -> bool:
        return self.has_more and self._next_request() is not None

    def _next_request(self) -> APIRequest[ListObject[T]] | None:
        if not self.data:
            return None
        last_id = getattr(self.data[-1], "id", None)
        if not isinstance(last_id, str):
            return None
        return self._request.with_query(after=last_id)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(items={len(self.data)}, has_more={self.has_more})"


class SyncPage(_Page[T]):
    """One page of a list; iterate it for all items across pages."""

    def __init__(
        self, client: SyncAPIClient, request: APIRequest[ListObject[T]], result: ListObject[T]
    ) -> None:
        super().__init__(request, result)
        self._client = client

    def next_page(self) -> SyncPage[T] | None:
        """The page after this one, or None when this is the last."""
        following = self._next_request() if self.has_more else None
        if following is None:
            return None
        return SyncPage(self._client, following, self._client.request(following))

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        page: SyncPage[T] | None = self
        while page is not None:
            yield page
            page = page.next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data


class AsyncPage(_Page[T]):
    """One page of a list; ``async for`` over it for all items across pages."""

    def __init__(
        self, client: AsyncAPIClient, request: APIRequest[ListObject[T]], result: ListObject[T]
    ) -> None:
        super().__init__(request, result)
        self._client = client

    async def next_page(self) -> AsyncPage[T] | None:
        """The page after this one, or None when this is the last."""
        following = self._next_request() if self.has_more else None
        if following is None:
            return None
        return AsyncPage(self._client, following, await self._client.request(following))

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page: AsyncPage[T] | None = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class AsyncPager(Generic[T]):
    """What an async ``list()`` returns: ``await`` it for the first page, or ``async for`` over all items."""

    def __init__(self, client: AsyncAPIClient, request: APIRequest[ListObject[T]]) -> None:
        self._client = client
        self._request = request

    async def _first_page(self) -> AsyncPage[T]:
        return AsyncPage(self._client, self._request, await self._client.request(self._request))

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for item in await self._first_page():
            yield item


def sync_page(client: SyncAPIClient, request: APIRequest[ListObject[Any]]) -> SyncPage[Any]:
    return SyncPage(client, request, client.request(request))


async def async_page(client: AsyncAPIClient, request: APIRequest[ListObject[Any]]) -> AsyncPage[Any]:
    return AsyncPage(client, request, await client.request(request))
