"""The chat engine: each segment of a run is one Chat Completions call to an OpenAI-compatible backend.

The executor calls ``run`` when the run starts and again after each ``submit_tool_outputs``, so a
model may chain as many rounds of tool calls as it needs. Streamed text becomes message deltas,
streamed tool calls a ``tool_calls`` step and then ``requires_action``; the backend's usage becomes
the step's usage; ``finish_reason: "length"`` ends the run ``incomplete``. A run that keeps asking
for tools past ``max_tool_rounds`` rounds fails (a looping model). Cancelling the run
closes the HTTP request (the executor cancels the task or closes this generator).

Chunks that arrive together become one item (``batching``): a backend faster than the run gives
fewer, longer deltas instead of a growing backlog.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from ..base import (
    Engine,
    EngineError,
    EngineItem,
    EngineSettings,
    FunctionCallDelta,
    Incomplete,
    RunContext,
    TextDelta,
    Usage,
)
from .backend import ChatBackend
from .options import ChatOptions
from .request import PromptTooLong, build_request
from .toolcalls import ToolCallAssembler


class ChatEngine(Engine):
    """Answers runs with a Chat Completions backend (Ollama, vLLM, llama.cpp, LM Studio, hosted APIs)."""

    name = "chat"

    def __init__(self, options: ChatOptions) -> None:
        self.options = options
        self._backend = ChatBackend(options)

    def __repr__(self) -> str:
        return f"<ChatEngine {self.options.shown_url} model={self.options.model!r}>"

    async def aclose(self) -> None:
        await self._backend.aclose()

    async def run(self, ctx: RunContext) -> AsyncIterator[EngineItem]:
        remaining = _remaining_completion_tokens(ctx)
        if remaining is not None and remaining <= 0:
            yield Incomplete("max_completion_tokens")
            return
        try:
            body = build_request(ctx, self.options, remaining_tokens=remaining)
        except PromptTooLong:  # checked before calling: the backend is never asked
            yield Incomplete("max_prompt_tokens")
            return
        rounds = len(ctx.tool_rounds())
        answer = _Answer(limited=remaining is not None)
        batches = self._backend.completion(body, tools="tools" in body)
        async with contextlib.aclosing(batches):
            async for batch in batches:
                for item in answer.read(batch):
                    if isinstance(item, FunctionCallDelta) and rounds >= self.options.max_tool_rounds:
                        raise self._too_many_rounds(rounds)
                    yield item
        for item in answer.finish():
            if isinstance(item, FunctionCallDelta) and rounds >= self.options.max_tool_rounds:
                raise self._too_many_rounds(rounds)
            yield item

    def _too_many_rounds(self, rounds: int) -> EngineError:
        # A model that keeps calling tools (the same call, or ever new ones) would otherwise hold
        # the thread until the run expires, and every round costs the backend a whole prompt.
        return EngineError(
            f"The model asked for tools again after {rounds} rounds of tool calls in this run, so the "
            "run was stopped (it may be looping). Check the tool outputs it gets, ask more precisely, "
            "or raise the limit with the chat option max_tool_rounds."
        )


def create_engine(settings: EngineSettings) -> ChatEngine:
    return ChatEngine(ChatOptions.from_settings(settings))


class _Answer:
    """The backend's chunks as engine items: a batch of chunks gives as few items as it can."""

    def __init__(self, *, limited: bool) -> None:
        self.limited = limited
        """Whether the request carried the run's ``max_completion_tokens``."""
        self.calls = ToolCallAssembler()
        self.started = False
        self.usage: Any = None
        self.finish_reason: Any = None

    def read(self, chunks: list[dict[str, Any]]) -> list[EngineItem]:
        items: list[EngineItem] = []
        text: list[str] = []
        for chunk in chunks:
            if chunk.get("usage"):
                self.usage = chunk["usage"]
            choice = _first_choice(chunk)
            if choice is None:
                continue
            delta = choice.get("delta")
            if isinstance(delta, dict):
                content = delta.get("content") or delta.get("refusal")
                if isinstance(content, str) and content:
                    if not self.started:  # drop the blank lines some models send first
                        content = content.lstrip()
                        self.started = bool(content)
                    if content:
                        text.append(content)
                fragments = delta.get("tool_calls")
                if isinstance(fragments, list) and fragments:
                    if text:
                        items.append(TextDelta("".join(text)))
                        text = []
                    for fragment in fragments:
                        for call_delta in self.calls.add(fragment):
                            _append_merged(items, call_delta)
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
        if text:
            items.append(TextDelta("".join(text)))
        return items

    def finish(self) -> list[EngineItem]:
        items: list[EngineItem] = list(self.calls.finish())
        reported = _usage(self.usage)
        if reported is not None:
            items.append(reported)
        if self.finish_reason == "length":
            # Our limit, if we sent one; else the backend's own (its default output cap, or the
            # model's context filling up), which is none of the run's limits: no reason is claimed.
            items.append(Incomplete("max_completion_tokens" if self.limited else None))
        return items


def _append_merged(items: list[EngineItem], delta: FunctionCallDelta) -> None:
    """Add a call delta, folding more arguments into the previous delta of the same call."""
    last = items[-1] if items else None
    if delta.name is None and isinstance(last, FunctionCallDelta) and last.index == delta.index:
        items[-1] = FunctionCallDelta(last.index, last.name, last.arguments + delta.arguments)
    else:
        items.append(delta)


def _first_choice(chunk: dict[str, Any]) -> dict[str, Any] | None:
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        return None
    for choice in choices:
        if isinstance(choice, dict) and choice.get("index") in (0, None):
            return choice
    return None


def _usage(usage: Any) -> Usage | None:
    if not isinstance(usage, dict):
        return None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if not isinstance(prompt, int) or not isinstance(completion, int) or prompt < 0 or completion < 0:
        return None
    return Usage(prompt_tokens=prompt, completion_tokens=completion)


def _remaining_completion_tokens(ctx: RunContext) -> int | None:
    """What is left of the run's ``max_completion_tokens`` after its earlier segments."""
    limit = ctx.run.max_completion_tokens
    if limit is None:
        return None
    used = sum(step.usage.completion_tokens for step in ctx.steps if step.usage is not None)
    return limit - used
