"""The chat engine: each segment of a run is one Chat Completions call to an OpenAI-compatible backend.

The executor calls ``run`` when the run starts and again after each ``submit_tool_outputs``, so a
model may chain as many rounds of tool calls as it needs. Streamed text becomes message deltas,
streamed tool calls a ``tool_calls`` step and then ``requires_action``; the backend's usage becomes
the step's usage; ``finish_reason: "length"`` ends the run ``incomplete``. Cancelling the run
closes the HTTP request (the executor cancels the task or closes this generator).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from ..base import Engine, EngineItem, EngineSettings, Incomplete, RunContext, TextDelta, Usage
from .backend import ChatBackend
from .options import ChatOptions
from .request import build_request
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
        body = build_request(ctx, self.options, remaining_tokens=remaining)
        calls = ToolCallAssembler()
        text = _LeadingSpace()
        usage: Any = None
        finish_reason: Any = None
        chunks = self._backend.completion(body, tools="tools" in body)
        async with contextlib.aclosing(chunks):
            async for chunk in chunks:
                if chunk.get("usage"):
                    usage = chunk["usage"]
                choice = _first_choice(chunk)
                if choice is None:
                    continue
                delta = choice.get("delta")
                if isinstance(delta, dict):
                    content = delta.get("content") or delta.get("refusal")
                    if isinstance(content, str) and content:
                        piece = text.take(content)
                        if piece:
                            yield TextDelta(piece)
                    fragments = delta.get("tool_calls")
                    if isinstance(fragments, list):
                        for fragment in fragments:
                            for item in calls.add(fragment):
                                yield item
                if choice.get("finish_reason"):
                    finish_reason = choice["finish_reason"]
        for item in calls.finish():
            yield item
        reported = _usage(usage)
        if reported is not None:
            yield reported
        if finish_reason == "length":
            yield Incomplete("max_completion_tokens")


def create_engine(settings: EngineSettings) -> ChatEngine:
    return ChatEngine(ChatOptions.from_settings(settings))


class _LeadingSpace:
    """Drops the whitespace some models send before they write (or call tools), and only that."""

    def __init__(self) -> None:
        self.started = False

    def take(self, text: str) -> str:
        if self.started:
            return text
        text = text.lstrip()
        self.started = bool(text)
        return text


def _first_choice(chunk: dict[str, Any]) -> dict[str, Any] | None:
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        return None
    for choice in choices:
        if isinstance(choice, dict) and choice.get("index", 0) == 0:
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
