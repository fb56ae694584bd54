"""``client.assistants``: create, retrieve, list, update and delete assistants."""

from __future__ import annotations

from ...models import Assistant, AssistantDeleted
from .. import _routes
from .._params import Metadata, Order, ReasoningEffort, ResponseFormat, ToolResources, Tools
from .._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout
from ..pagination import AsyncPager, SyncPage, sync_page
from ._resource import AsyncResource, SyncResource, args, options


class Assistants(SyncResource):
    def create(
        self,
        *,
        model: str,
        description: str | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Assistant:
        """Create an assistant: a model, instructions and tools that runs start from."""
        return self._client.request(_routes.create_assistant(*args(locals())))

    def retrieve(
        self,
        assistant_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Assistant:
        return self._client.request(_routes.retrieve_assistant(assistant_id, options(locals())))

    def update(
        self,
        assistant_id: str,
        *,
        description: str | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Assistant:
        return self._client.request(
            _routes.update_assistant(assistant_id, *args(locals(), exclude=("assistant_id",)))
        )

    def list(
        self,
        *,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        order: Order | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SyncPage[Assistant]:
        """A page of assistants; iterate it for all of them."""
        return sync_page(self._client, _routes.list_assistants(*args(locals())))

    def delete(
        self,
        assistant_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AssistantDeleted:
        return self._client.request(_routes.delete_assistant(assistant_id, options(locals())))


class AsyncAssistants(AsyncResource):
    async def create(
        self,
        *,
        model: str,
        description: str | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Assistant:
        """Create an assistant: a model, instructions and tools that runs start from."""
        return await self._client.request(_routes.create_assistant(*args(locals())))

    async def retrieve(
        self,
        assistant_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Assistant:
        return await self._client.request(_routes.retrieve_assistant(assistant_id, options(locals())))

    async def update(
        self,
        assistant_id: str,
        *,
        description: str | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven = NOT_GIVEN,
        name: str | NotGiven | None = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Assistant:
        return await self._client.request(
            _routes.update_assistant(assistant_id, *args(locals(), exclude=("assistant_id",)))
        )

    def list(
        self,
        *,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        order: Order | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncPager[Assistant]:
        """``await`` it for the first page, or ``async for`` over it for all assistants."""
        return AsyncPager(self._client, _routes.list_assistants(*args(locals())))

    async def delete(
        self,
        assistant_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AssistantDeleted:
        return await self._client.request(_routes.delete_assistant(assistant_id, options(locals())))
