"""``client.threads.runs``: start runs, stream them, poll them, answer their tool calls, cancel them.

Names and arguments follow the official SDK (``client.beta.threads.runs``); results are
``run_widgets.models`` objects, and streams are ``RunStream`` / ``AsyncRunStream`` (typed events,
a running snapshot, resume after a dropped connection). The SDK's ``event_handler`` is not taken:
iterate the stream instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

from ...models import Run
from .. import _routes
from .._params import (
    AdditionalMessages,
    Include,
    Metadata,
    Order,
    ReasoningEffort,
    ResponseFormat,
    ToolChoice,
    ToolOutputs,
    Tools,
    Truncation,
)
from .._polling import STOP_STATUSES, poll_delay_ms
from .._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout
from ..pagination import AsyncPager, SyncPage, sync_page
from ..streaming import AsyncRunStream, RunStream
from ._resource import AsyncResource, SyncResource, args, options
from .steps import AsyncSteps, Steps

if TYPE_CHECKING:
    from .._base_client import AsyncAPIClient, SyncAPIClient


def _included(include: Include | NotGiven) -> list[str] | None:
    """The ``include`` values a stream passes on when it polls steps to resume."""
    return None if isinstance(include, NotGiven) else list(include)


class Runs(SyncResource):
    """Runs of an assistant on a thread: start, stream, poll, answer tool calls, cancel."""

    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.steps = Steps(client)

    @overload
    def create(
        self,
        thread_id: str,
        *,
        assistant_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: Literal[False] | NotGiven = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run: ...

    @overload
    def create(
        self,
        thread_id: str,
        *,
        assistant_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: Literal[True],
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> RunStream: ...

    def create(
        self,
        thread_id: str,
        *,
        assistant_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: bool | NotGiven = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run | RunStream:
        """Start a run; with ``stream=True``, a stream of its events (sent at once)."""
        params, request_options = args(locals(), exclude=("thread_id", "include"))
        request = _routes.create_run(thread_id, params, include, request_options)
        if stream:
            opened = RunStream(self._client, request, thread_id=thread_id, include=_included(include))
            return opened.open()
        return self._client.request(request)

    def retrieve(
        self,
        run_id: str,
        *,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        return self._client.request(_routes.retrieve_run(thread_id, run_id, options(locals())))

    def update(
        self,
        run_id: str,
        *,
        thread_id: str,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        params, request_options = args(locals(), exclude=("run_id", "thread_id"))
        return self._client.request(_routes.update_run(thread_id, run_id, params, request_options))

    def list(
        self,
        thread_id: str,
        *,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        order: Order | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> SyncPage[Run]:
        """A page of the thread's runs; iterate it for all of them."""
        return sync_page(self._client, _routes.list_runs(thread_id, *args(locals(), exclude=("thread_id",))))

    def cancel(
        self,
        run_id: str,
        *,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        """Ask the run to stop: it answers ``cancelling``, then becomes ``cancelled``."""
        return self._client.request(_routes.cancel_run(thread_id, run_id, options(locals())))

    @overload
    def submit_tool_outputs(
        self,
        run_id: str,
        *,
        thread_id: str,
        tool_outputs: ToolOutputs,
        stream: Literal[False] | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run: ...

    @overload
    def submit_tool_outputs(
        self,
        run_id: str,
        *,
        thread_id: str,
        tool_outputs: ToolOutputs,
        stream: Literal[True],
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> RunStream: ...

    def submit_tool_outputs(
        self,
        run_id: str,
        *,
        thread_id: str,
        tool_outputs: ToolOutputs,
        stream: bool | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run | RunStream:
        """Answer a ``requires_action`` run's tool calls, all in one request."""
        params, request_options = args(locals(), exclude=("run_id", "thread_id"))
        request = _routes.submit_tool_outputs(thread_id, run_id, params, request_options)
        if stream:
            opened = RunStream(self._client, request, thread_id=thread_id, run_id=run_id)
            return opened.open()
        return self._client.request(request)

    def stream(
        self,
        *,
        assistant_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> RunStream:
        """Start a run and stream its events; the request goes out when the stream is entered or iterated."""
        params, request_options = args(locals(), exclude=("thread_id", "include"))
        request = _routes.create_run(thread_id, {**params, "stream": True}, include, request_options)
        return RunStream(self._client, request, thread_id=thread_id, include=_included(include))

    def create_and_stream(
        self,
        *,
        assistant_id: str,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> RunStream:
        """``stream()`` without ``include`` (the SDK's older name)."""
        params, request_options = args(locals(), exclude=("thread_id",))
        request = _routes.create_run(thread_id, {**params, "stream": True}, NOT_GIVEN, request_options)
        return RunStream(self._client, request, thread_id=thread_id)

    def submit_tool_outputs_stream(
        self,
        *,
        tool_outputs: ToolOutputs,
        run_id: str,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> RunStream:
        """Answer the tool calls and stream the rest of the run (sent when entered or iterated)."""
        params, request_options = args(locals(), exclude=("run_id", "thread_id"))
        request = _routes.submit_tool_outputs(thread_id, run_id, {**params, "stream": True}, request_options)
        return RunStream(self._client, request, thread_id=thread_id, run_id=run_id)

    def create_and_poll(
        self,
        *,
        assistant_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        """Start a run and poll it until it pauses (``requires_action``) or ends."""
        params, request_options = args(locals(), exclude=("thread_id", "include", "poll_interval_ms"))
        run = self._client.request(_routes.create_run(thread_id, params, include, request_options))
        return self.poll(run.id, thread_id, extra_headers, extra_query, extra_body, timeout, poll_interval_ms)

    def poll(
        self,
        run_id: str,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
    ) -> Run:
        """GET the run until it pauses (``requires_action``) or ends.

        Between GETs it waits ``poll_interval_ms`` if given, else what the server's
        ``openai-poll-after-ms`` asks on each answer, else one second.
        """
        request = _routes.retrieve_run(thread_id, run_id, options(locals()))
        while True:
            run, response = self._client.fetch(request)
            if run.status in STOP_STATUSES:
                return run
            self._client.sleep(poll_delay_ms(response.headers, poll_interval_ms) / 1000)

    def submit_tool_outputs_and_poll(
        self,
        *,
        tool_outputs: ToolOutputs,
        run_id: str,
        thread_id: str,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        """Answer the tool calls, then poll until the run pauses again or ends."""
        params, request_options = args(locals(), exclude=("run_id", "thread_id", "poll_interval_ms"))
        run = self._client.request(_routes.submit_tool_outputs(thread_id, run_id, params, request_options))
        return self.poll(run.id, thread_id, extra_headers, extra_query, extra_body, timeout, poll_interval_ms)


class AsyncRuns(AsyncResource):
    """Runs of an assistant on a thread: start, stream, poll, answer tool calls, cancel."""

    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.steps = AsyncSteps(client)

    @overload
    async def create(
        self,
        thread_id: str,
        *,
        assistant_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: Literal[False] | NotGiven = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run: ...

    @overload
    async def create(
        self,
        thread_id: str,
        *,
        assistant_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: Literal[True],
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncRunStream: ...

    async def create(
        self,
        thread_id: str,
        *,
        assistant_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        stream: bool | NotGiven = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run | AsyncRunStream:
        """Start a run; with ``stream=True``, a stream of its events (sent at once)."""
        params, request_options = args(locals(), exclude=("thread_id", "include"))
        request = _routes.create_run(thread_id, params, include, request_options)
        if stream:
            opened = AsyncRunStream(self._client, request, thread_id=thread_id, include=_included(include))
            return await opened.open()
        return await self._client.request(request)

    async def retrieve(
        self,
        run_id: str,
        *,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        return await self._client.request(_routes.retrieve_run(thread_id, run_id, options(locals())))

    async def update(
        self,
        run_id: str,
        *,
        thread_id: str,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        params, request_options = args(locals(), exclude=("run_id", "thread_id"))
        return await self._client.request(_routes.update_run(thread_id, run_id, params, request_options))

    def list(
        self,
        thread_id: str,
        *,
        after: str | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        limit: int | NotGiven = NOT_GIVEN,
        order: Order | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncPager[Run]:
        """``await`` it for the first page, or ``async for`` over it for all the thread's runs."""
        return AsyncPager(self._client, _routes.list_runs(thread_id, *args(locals(), exclude=("thread_id",))))

    async def cancel(
        self,
        run_id: str,
        *,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        """Ask the run to stop: it answers ``cancelling``, then becomes ``cancelled``."""
        return await self._client.request(_routes.cancel_run(thread_id, run_id, options(locals())))

    @overload
    async def submit_tool_outputs(
        self,
        run_id: str,
        *,
        thread_id: str,
        tool_outputs: ToolOutputs,
        stream: Literal[False] | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run: ...

    @overload
    async def submit_tool_outputs(
        self,
        run_id: str,
        *,
        thread_id: str,
        tool_outputs: ToolOutputs,
        stream: Literal[True],
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncRunStream: ...

    async def submit_tool_outputs(
        self,
        run_id: str,
        *,
        thread_id: str,
        tool_outputs: ToolOutputs,
        stream: bool | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run | AsyncRunStream:
        """Answer a ``requires_action`` run's tool calls, all in one request."""
        params, request_options = args(locals(), exclude=("run_id", "thread_id"))
        request = _routes.submit_tool_outputs(thread_id, run_id, params, request_options)
        if stream:
            opened = AsyncRunStream(self._client, request, thread_id=thread_id, run_id=run_id)
            return await opened.open()
        return await self._client.request(request)

    def stream(
        self,
        *,
        assistant_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncRunStream:
        """Start a run and stream its events; the request goes out when the stream is entered or iterated."""
        params, request_options = args(locals(), exclude=("thread_id", "include"))
        request = _routes.create_run(thread_id, {**params, "stream": True}, include, request_options)
        return AsyncRunStream(self._client, request, thread_id=thread_id, include=_included(include))

    def create_and_stream(
        self,
        *,
        assistant_id: str,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncRunStream:
        """``stream()`` without ``include`` (the SDK's older name)."""
        params, request_options = args(locals(), exclude=("thread_id",))
        request = _routes.create_run(thread_id, {**params, "stream": True}, NOT_GIVEN, request_options)
        return AsyncRunStream(self._client, request, thread_id=thread_id)

    def submit_tool_outputs_stream(
        self,
        *,
        tool_outputs: ToolOutputs,
        run_id: str,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> AsyncRunStream:
        """Answer the tool calls and stream the rest of the run (sent when entered or iterated)."""
        params, request_options = args(locals(), exclude=("run_id", "thread_id"))
        request = _routes.submit_tool_outputs(thread_id, run_id, {**params, "stream": True}, request_options)
        return AsyncRunStream(self._client, request, thread_id=thread_id, run_id=run_id)

    async def create_and_poll(
        self,
        *,
        assistant_id: str,
        include: Include | NotGiven = NOT_GIVEN,
        additional_instructions: str | NotGiven | None = NOT_GIVEN,
        additional_messages: AdditionalMessages | NotGiven | None = NOT_GIVEN,
        instructions: str | NotGiven | None = NOT_GIVEN,
        max_completion_tokens: int | NotGiven | None = NOT_GIVEN,
        max_prompt_tokens: int | NotGiven | None = NOT_GIVEN,
        metadata: Metadata | NotGiven | None = NOT_GIVEN,
        model: str | NotGiven | None = NOT_GIVEN,
        parallel_tool_calls: bool | NotGiven = NOT_GIVEN,
        reasoning_effort: ReasoningEffort | NotGiven | None = NOT_GIVEN,
        response_format: ResponseFormat | NotGiven | None = NOT_GIVEN,
        temperature: float | NotGiven | None = NOT_GIVEN,
        tool_choice: ToolChoice | NotGiven | None = NOT_GIVEN,
        tools: Tools | NotGiven | None = NOT_GIVEN,
        top_p: float | NotGiven | None = NOT_GIVEN,
        truncation_strategy: Truncation | NotGiven | None = NOT_GIVEN,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        """Start a run and poll it until it pauses (``requires_action``) or ends."""
        params, request_options = args(locals(), exclude=("thread_id", "include", "poll_interval_ms"))
        run = await self._client.request(_routes.create_run(thread_id, params, include, request_options))
        return await self.poll(
            run.id, thread_id, extra_headers, extra_query, extra_body, timeout, poll_interval_ms
        )

    async def poll(
        self,
        run_id: str,
        thread_id: str,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
    ) -> Run:
        """GET the run until it pauses (``requires_action``) or ends.

        Between GETs it waits ``poll_interval_ms`` if given, else what the server's
        ``openai-poll-after-ms`` asks on each answer, else one second.
        """
        request = _routes.retrieve_run(thread_id, run_id, options(locals()))
        while True:
            run, response = await self._client.fetch(request)
            if run.status in STOP_STATUSES:
                return run
            await self._client.sleep(poll_delay_ms(response.headers, poll_interval_ms) / 1000)

    async def submit_tool_outputs_and_poll(
        self,
        *,
        tool_outputs: ToolOutputs,
        run_id: str,
        thread_id: str,
        poll_interval_ms: int | NotGiven = NOT_GIVEN,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
    ) -> Run:
        """Answer the tool calls, then poll until the run pauses again or ends."""
        params, request_options = args(locals(), exclude=("run_id", "thread_id", "poll_interval_ms"))
        run = await self._client.request(
            _routes.submit_tool_outputs(thread_id, run_id, params, request_options)
        )
        return await self.poll(
            run.id, thread_id, extra_headers, extra_query, extra_body, timeout, poll_interval_ms
        )
