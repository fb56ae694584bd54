"""A run segment as one Chat Completions request.

The prompt is what the model would have seen had it been answering all along:
- the run's instructions (``additional_instructions`` already appended) as the system message;
- the thread's messages (as the run's ``truncation_strategy`` keeps them) as user and assistant turns;
- this run's own turn, step by step: text it wrote, then each round of function calls as one
  assistant message with ``tool_calls`` followed by one ``tool`` message per call, carrying the
  ids the client answered (so the model sees its calls and their outputs, never user messages);
- the run's function tools, ``tool_choice`` and ``parallel_tool_calls`` (tools stay on after outputs
  are submitted, so a model can chain as many rounds as it needs), sampling, ``response_format``
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
from ..base import RunContext
from .options import ChatOptions

Body = dict[str, Any]


def build_request(ctx: RunContext, options: ChatOptions, *, remaining_tokens: int | None) -> Body:
    """The request body for this segment (``stream`` and the token limit field are set by the caller)."""
    run = ctx.run
    body: Body = {"model": options.model or run.model, "messages": build_messages(ctx)}
    tools = [_tool(tool) for tool in run.tools if isinstance(tool, FunctionTool)]
    if tools:
        body["tools"] = tools
        choice = _tool_choice(run.tool_choice)
        if choice is not None:
            body["tool_choice"] = choice
        body["parallel_tool_calls"] = run.parallel_tool_calls
    if run.temperature is not None:
        body["temperature"] = run.temperature
    if run.top_p is not None:
        body["top_p"] = run.top_p
    response_format = run.response_format
    if response_format is not None and not isinstance(response_format, str):
        body["response_format"] = response_format.model_dump(mode="json", by_alias=True, exclude_none=True)
    if remaining_tokens is not None:
        body["max_completion_tokens"] = remaining_tokens
    body.update(options.extra_body)
    return body


def build_messages(ctx: RunContext) -> list[Body]:
    run = ctx.run
    messages: list[Body] = []
    if run.instructions:
        messages.append({"role": "system", "content": run.instructions})
    for message in ctx.truncated_messages():
        if message.role == "assistant" and message.run_id == run.id:
            continue  # this run's own words come back below, in step order, beside its tool calls
        entry = _thread_message(message)
        if entry is not None:
            messages.append(entry)
    messages.extend(_this_turn(ctx))
    return messages


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
