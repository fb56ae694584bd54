"""A run segment as one Chat Completions request.

The prompt is what the model would have seen had it been answering all along:
- the run's instructions (``additional_instructions`` already appended) as the system message;
- the thread's messages but this run's own replies (as the run's ``truncation_strategy`` keeps
  them, and under ``max_prompt_tokens``) as user and assistant turns;
- this run's own turn, step by step: text it wrote, then each round of function calls as one
  assistant message with ``tool_calls`` followed by one ``tool`` message per call, carrying the
  ids the client answered (so the model sees its calls and their outputs, never user messages);
- the run's function tools, ``tool_choice`` and ``parallel_tool_calls`` (tools stay on after outputs
  are submitted, so a model can chain its rounds), the sampling the client set, ``response_format``
  and what is left of ``max_completion_tokens``.
"""

from __future__ import annotations

from typing import Any

from ....models import (
    FunctionTool,
    FunctionToolCall,
    ImageFileContentBlock,
    ImageURLContentBlock,
    Message,
    MessageCreationStepDetails,
    TextContentBlock,
    ToolCallsStepDetails,
    ToolChoiceObject,
)
from ...tokens import count_tokens
from ..base import RunContext
from .options import ChatOptions

Body = dict[str, Any]


class PromptTooLong(Exception):
    """The prompt cannot be brought under the run's ``max_prompt_tokens``: end the run ``incomplete``."""


def build_request(ctx: RunContext, options: ChatOptions, *, remaining_tokens: int | None) -> Body:
    """The request body for this segment (``stream`` and the token limit field are set by the caller).

    Raises ``PromptTooLong`` when the prompt cannot fit the run's ``max_prompt_tokens``.
    """
    run = ctx.run
    body: Body = {"model": options.model or run.model, "messages": build_messages(ctx)}
    tools = [_tool(tool) for tool in run.tools if isinstance(tool, FunctionTool)]
    if tools:
        body["tools"] = tools
        choice = _tool_choice(run.tool_choice)
        if choice is not None:
            body["tool_choice"] = choice
        body["parallel_tool_calls"] = run.parallel_tool_calls
    # Only what the client chose: the wire shows 1.0 for "not set", and sending that would
    # override the sampling a local model is tuned for (Qwen, Llama and others ship their own).
    given = run.sampling_given
    if run.temperature is not None and "temperature" in given:
        body["temperature"] = run.temperature
    if run.top_p is not None and "top_p" in given:
        body["top_p"] = run.top_p
    response_format = run.response_format
    if response_format is not None and not isinstance(response_format, str):
        body["response_format"] = response_format.model_dump(mode="json", by_alias=True, exclude_none=True)
    if remaining_tokens is not None:
        body["max_completion_tokens"] = remaining_tokens
    body.update(options.extra_body)
    return body


def build_messages(ctx: RunContext) -> list[Body]:
    """System, thread and this run's turn; the thread trimmed by ``truncation_strategy`` and, for
    ``auto``, oldest first until the server's estimate fits ``max_prompt_tokens`` (never the latest
    thread message: without it the model has no question to answer)."""
    run = ctx.run
    system: list[Body] = [{"role": "system", "content": run.instructions}] if run.instructions else []
    # This run's own words come back in ``_this_turn``, in step order beside its tool calls; they
    # must not use up a ``last_messages`` window meant for the conversation before the run.
    earlier = [m for m in ctx.messages if not (m.role == "assistant" and m.run_id == run.id)]
    strategy = run.truncation_strategy
    if strategy is not None and strategy.type == "last_messages" and strategy.last_messages:
        earlier = earlier[-strategy.last_messages :]
    thread = [entry for entry in map(_thread_message, earlier) if entry is not None]
    turn = _this_turn(ctx)
    limit = run.max_prompt_tokens
    if limit is not None:
        fixed = sum(map(estimate_tokens, system)) + sum(map(estimate_tokens, turn))
        sizes = [estimate_tokens(entry) for entry in thread]
        total = fixed + sum(sizes)
        if strategy is None or strategy.type == "auto":
            while total > limit and len(thread) > 1:
                total -= sizes.pop(0)
                thread.pop(0)
        if total > limit:
            raise PromptTooLong
    return [*system, *thread, *turn]


def estimate_tokens(message: Body) -> int:
    """The server's estimate of a chat message's prompt tokens (``run_widgets.server.tokens``):
    its text, the calls it makes (names and arguments) and a tool's output, as usage counts them."""
    content = message.get("content")
    total = 0
    if isinstance(content, str):
        total += count_tokens(content)
    elif isinstance(content, list):
        total += sum(count_tokens(part.get("text", "")) for part in content if part.get("type") == "text")
    for call in message.get("tool_calls") or ():
        total += count_tokens(call["function"]["name"]) + count_tokens(call["function"]["arguments"])
    return total


def _thread_message(message: Message) -> Body | None:
    if message.role == "assistant":
        text = message.text
        return {"role": "assistant", "content": text} if text else None
    parts: list[Body] = []
    for block in message.content:
        if isinstance(block, TextContentBlock):
            if block.text.value:
                parts.append({"type": "text", "text": block.text.value})
        elif isinstance(block, ImageURLContentBlock):
            image: Body = {"url": block.image_url.url}
            if block.image_url.detail:
                image["detail"] = block.image_url.detail
            parts.append({"type": "image_url", "image_url": image})
        elif isinstance(block, ImageFileContentBlock):
            # A backend cannot fetch our files; say it was there rather than drop it silently.
            parts.append({"type": "text", "text": f"[an image file, {block.image_file.file_id}, not shown]"})
    if not parts:
        return None
    if all(part["type"] == "text" for part in parts):
        # Plain strings are what every backend (and every chat template) understands.
        return {"role": "user", "content": "\n\n".join(part["text"] for part in parts)}
    return {"role": "user", "content": parts}


def _this_turn(ctx: RunContext) -> list[Body]:
    """This run's steps replayed: text, then each tool round with its outputs."""
    texts = {message.id: message.text for message in ctx.messages}
    turn: list[Body] = []
    pending_text: str | None = None
    for step in ctx.steps:
        details = step.step_details
        if isinstance(details, MessageCreationStepDetails):
            text = texts.get(details.message_creation.message_id, "")
            if text:
                if pending_text is not None:
                    turn.append({"role": "assistant", "content": pending_text})
                pending_text = text
        elif isinstance(details, ToolCallsStepDetails):
            calls = [call for call in details.tool_calls if isinstance(call, FunctionToolCall)]
            if not calls:
                continue
            turn.append(
                {
                    "role": "assistant",
                    "content": pending_text,
                    "tool_calls": [
                        {
                            "id": call.id,
                            "type": "function",
                            "function": {
                                "name": call.function.name,
                                "arguments": call.function.arguments or "{}",
                            },
                        }
                        for call in calls
                    ],
                }
            )
            pending_text = None
            turn.extend(
                {"role": "tool", "tool_call_id": call.id, "content": call.function.output or ""}
                for call in calls
            )
    if pending_text is not None:
        turn.append({"role": "assistant", "content": pending_text})
    return turn


def _tool(tool: FunctionTool) -> Body:
    function: Body = {"name": tool.function.name}
    if tool.function.description is not None:
        function["description"] = tool.function.description
    if tool.function.parameters is not None:
        function["parameters"] = tool.function.parameters
    if tool.function.strict is not None:
        function["strict"] = tool.function.strict
    return {"type": "function", "function": function}


def _tool_choice(choice: object) -> object | None:
    """Chat Completions' form of the run's ``tool_choice`` (None: leave it to the backend)."""
    if isinstance(choice, str):
        return choice if choice in ("none", "auto", "required") else None
    if isinstance(choice, ToolChoiceObject) and choice.type == "function" and choice.function is not None:
        return {"type": "function", "function": {"name": choice.function.name}}
    return None  # a built-in tool (file_search, code_interpreter) no chat backend has
