"""``client.threads.runs.steps``: what a run did, step by step."""

from __future__ import annotations

from ...models import RunStep
from .. import _routes
from .._params import Include, Order
from .._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout
from ..pagination import AsyncPager, SyncPage, sync_page
from ._resource import AsyncResource, SyncResource, args, options


class Steps(SyncResource):
    def retrieve(
        self,
        step_id: str,
        *,
        thread_id: str,
        run_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> RunStep:
        """One step; ``include=[FILE_SEARCH_CONTENT_INCLUDE]`` adds file search results' content."""
        return self._client.request(
            _routes.retrieve_step(thread_id, run_id, step_id, include, options(locals()))
        )

    def list(
        self,
        run_id: str,
        *,
        thread_id: str,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        include: Include | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        order: Order | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SyncPage[RunStep]:
        """A page of the run's steps; iterate it for all of them."""
        params, request_options = args(locals(), exclude=("run_id", "thread_id", "include"))
        return sync_page(
            self._client, _routes.list_steps(thread_id, run_id, params, include, request_options)
        )


class AsyncSteps(AsyncResource):
    async def retrieve(
        self,
        step_id: str,
        *,
        thread_id: str,
        run_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> RunStep:
        """One step; ``include=[FILE_SEARCH_CONTENT_INCLUDE]`` adds file search results' content."""
        request = _routes.retrieve_step(thread_id, run_id, step_id, include, options(locals()))
        return await self._client.request(request)

    def list(
        self,
        run_id: str,
        *,
        thread_id: str,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        include: Include | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        order: Order | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncPager[RunStep]:
        """``await`` it for the first page, or ``async for`` over it for all the run's steps."""
        params, request_options = args(locals(), exclude=("run_id", "thread_id", "include"))
        return AsyncPager(
            self._client, _routes.list_steps(thread_id, run_id, params, include, request_options)
        )
