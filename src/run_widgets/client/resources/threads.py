"""``client.threads``: threads, their messages and runs, and runs that start a new thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

from ...models import Run, Thread, ThreadDeleted
from .. import _routes
from .._params import (
    AdditionalMessages,
    Metadata,
    ResponseFormat,
    ThreadParams,
    ToolChoice,
    ToolResources,
    Tools,
    Truncation,
)
from .._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout
from ..streaming import AsyncRunStream, RunStream
from ._resource import AsyncResource, SyncResource, args, options
from .messages import AsyncMessages, Messages
from .runs import AsyncRuns, Runs

if TYPE_CHECKING:
    from .._base_client import AsyncAPIClient, SyncAPIClient


class Threads(SyncResource):
    """Threads (conversations), and runs that start with a new thread."""

    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.messages = Messages(client)
        self.runs = Runs(client)

    def create(
        self,
        *,
        messages: AdditionalMessages | NotGiven = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Thread:
        """Create a thread, optionally with its first messages (an empty body is fine)."""
        return self._client.request(_routes.create_thread(*args(locals())))

    def retrieve(
        self,
        thread_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Thread:
        return self._client.request(_routes.retrieve_thread(thread_id, options(locals())))

    def update(
        self,
        thread_id: str,
        *,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Thread:
        return self._client.request(_routes.update_thread(thread_id, *args(locals(), exclude=("thread_id",))))

    def delete(
        self,
        thread_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> ThreadDeleted:
        return self._client.request(_routes.delete_thread(thread_id, options(locals())))

    @overload
    def create_and_run(
        self,
        *,
        assistant_id: str,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: Literal[False] | NotGiven = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        thread: ThreadParams | NotGiven = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run: ...

    @overload
    def create_and_run(
        self,
        *,
        assistant_id: str,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: Literal[True],
        temperature: float | NotGiven | None = NOT_GIVEN,
        thread: ThreadParams | NotGiven = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> RunStream: ...

    def create_and_run(
        self,
        *,
        assistant_id: str,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: bool | NotGiven = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        thread: ThreadParams | NotGiven = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run | RunStream:
        """Create a thread and start a run on it; with ``stream=True``, a stream of its events."""
        request = _routes.create_thread_and_run(*args(locals()))
        if stream:
            opened = RunStream(self._client, request)
            return opened.open()
        return self._client.request(request)

    def create_and_run_poll(
        self,
        *,
        assistant_id: str,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        thread: ThreadParams | NotGiven = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        """Create a thread and a run on it, then poll until the run pauses or ends."""
        params, request_options = args(locals(), exclude=("poll_interval_ms",))
        run = self._client.request(_routes.create_thread_and_run(params, request_options))
        return self.runs.poll(
            run.id, run.thread_id, extra_headers, extra_query, extra_body, timeout, poll_interval_ms
        )

    def create_and_run_stream(
        self,
        *,
        assistant_id: str,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        thread: ThreadParams | NotGiven = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> RunStream:
        """Create a thread and a run, streaming its events (sent when entered or iterated)."""
        params, request_options = args(locals())
        request = _routes.create_thread_and_run({**params, "stream": True}, request_options)
        return RunStream(self._client, request)


class AsyncThreads(AsyncResource):
    """Threads (conversations), and runs that start with a new thread."""

    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.messages = AsyncMessages(client)
        self.runs = AsyncRuns(client)

    async def create(
        self,
        *,
        messages: AdditionalMessages | NotGiven = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Thread:
        """Create a thread, optionally with its first messages (an empty body is fine)."""
        return await self._client.request(_routes.create_thread(*args(locals())))

    async def retrieve(
        self,
        thread_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Thread:
        return await self._client.request(_routes.retrieve_thread(thread_id, options(locals())))

    async def update(
        self,
        thread_id: str,
        *,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Thread:
        return await self._client.request(
            _routes.update_thread(thread_id, *args(locals(), exclude=("thread_id",)))
        )

    async def delete(
        self,
        thread_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> ThreadDeleted:
        return await self._client.request(_routes.delete_thread(thread_id, options(locals())))

    @overload
    async def create_and_run(
        self,
        *,
        assistant_id: str,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: Literal[False] | NotGiven = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        thread: ThreadParams | NotGiven = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run: ...

    @overload
    async def create_and_run(
        self,
        *,
        assistant_id: str,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: Literal[True],
        temperature: float | NotGiven | None = NOT_GIVEN,
        thread: ThreadParams | NotGiven = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncRunStream: ...

    async def create_and_run(
        self,
        *,
        assistant_id: str,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: bool | NotGiven = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        thread: ThreadParams | NotGiven = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run | AsyncRunStream:
        """Create a thread and start a run on it; with ``stream=True``, a stream of its events."""
        request = _routes.create_thread_and_run(*args(locals()))
        if stream:
            opened = AsyncRunStream(self._client, request)
            return await opened.open()
        return await self._client.request(request)

    async def create_and_run_poll(
        self,
        *,
        assistant_id: str,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        thread: ThreadParams | NotGiven = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        """Create a thread and a run on it, then poll until the run pauses or ends."""
        params, request_options = args(locals(), exclude=("poll_interval_ms",))
        run = await self._client.request(_routes.create_thread_and_run(params, request_options))
        return await self.runs.poll(
            run.id, run.thread_id, extra_headers, extra_query, extra_body, timeout, poll_interval_ms
        )

    def create_and_run_stream(
        self,
        *,
        assistant_id: str,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        thread: ThreadParams | NotGiven = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tool_resources: ToolResources | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncRunStream:
        """Create a thread and a run, streaming its events (sent when entered or iterated)."""
        params, request_options = args(locals())
        request = _routes.create_thread_and_run({**params, "stream": True}, request_options)
        return AsyncRunStream(self._client, request)
