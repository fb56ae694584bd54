"""``client.threads.messages``: the messages of a thread."""

from __future__ import annotations

from typing import Literal

from ...models import Message, MessageDeleted
from .. import _routes
from .._params import Attachments, MessageContent, Metadata, Order
from .._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout
from ..pagination import AsyncPager, SyncPage, sync_page
from ._resource import AsyncResource, SyncResource, args, options


class Messages(SyncResource):
    def create(
        self,
        thread_id: str,
        *,
        content: MessageContent,
        role: Literal["user", "assistant"],
        attachments: Attachments | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Message:
        """Add a message to a thread (400 while a run on the thread is active)."""
        return self._client.request(
            _routes.create_message(thread_id, *args(locals(), exclude=("thread_id",)))
        )

    def retrieve(
        self,
        message_id: str,
        *,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Message:
        return self._client.request(_routes.retrieve_message(thread_id, message_id, options(locals())))

    def update(
        self,
        message_id: str,
        *,
        thread_id: str,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Message:
        params, request_options = args(locals(), exclude=("message_id", "thread_id"))
        return self._client.request(_routes.update_message(thread_id, message_id, params, request_options))

    def list(
        self,
        thread_id: str,
        *,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        order: Order | NotGiven = NOT_GIVEN,
        run_id: str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SyncPage[Message]:
        """A page of the thread's messages (``run_id=`` keeps one run's); iterate it for all of them."""
        return sync_page(
            self._client, _routes.list_messages(thread_id, *args(locals(), exclude=("thread_id",)))
        )

    def delete(
        self,
        message_id: str,
        *,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> MessageDeleted:
        return self._client.request(_routes.delete_message(thread_id, message_id, options(locals())))


class AsyncMessages(AsyncResource):
    async def create(
        self,
        thread_id: str,
        *,
        content: MessageContent,
        role: Literal["user", "assistant"],
        attachments: Attachments | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Message:
        """Add a message to a thread (400 while a run on the thread is active)."""
        request = _routes.create_message(thread_id, *args(locals(), exclude=("thread_id",)))
        return await self._client.request(request)

    async def retrieve(
        self,
        message_id: str,
        *,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Message:
        return await self._client.request(_routes.retrieve_message(thread_id, message_id, options(locals())))

    async def update(
        self,
        message_id: str,
        *,
        thread_id: str,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Message:
        params, request_options = args(locals(), exclude=("message_id", "thread_id"))
        return await self._client.request(
            _routes.update_message(thread_id, message_id, params, request_options)
        )

    def list(
        self,
        thread_id: str,
        *,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        order: Order | NotGiven = NOT_GIVEN,
        run_id: str | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncPager[Message]:
        """``await`` it for the first page, or ``async for`` over it for all the thread's messages."""
        return AsyncPager(
            self._client, _routes.list_messages(thread_id, *args(locals(), exclude=("thread_id",)))
        )

    async def delete(
        self,
        message_id: str,
        *,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> MessageDeleted:
        return await self._client.request(_routes.delete_message(thread_id, message_id, options(locals())))
