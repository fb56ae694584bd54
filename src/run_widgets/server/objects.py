"""Wire objects built from validated requests: what a create or update call stores and returns.

Pure functions of (request, ids, clock); the routes validate first and persist after.
"""

from __future__ import annotations

from typing import Any

from ..models import Assistant, Message, Run, RunStep, Thread
from ..models._base import SAMPLING_FIELDS
from ..models.requests import (
    CreateAssistantRequest,
    CreateMessageRequest,
    CreateRunRequest,
    CreateThreadAndRunRequest,
    CreateThreadRequest,
    ImageFilePartParam,
    ImageURLPartParam,
    ModifyAssistantRequest,
    ToolResourcesParam,
)
from .ids import Clock, IdFactory

DEFAULT_TRUNCATION: dict[str, Any] = {"type": "auto", "last_messages": None}


def _dump(value: Any) -> Any:
    """A request-side value as plain JSON data (only what the caller gave)."""
    if isinstance(value, list):
        return [_dump(item) for item in value]
    if hasattr(value, "to_body"):
        return value.to_body()
    return value


def message_content(content: str | list[Any]) -> list[dict[str, Any]]:
    """Request content (a string or parts) as the response's content blocks."""
    if isinstance(content, str):
        return [{"type": "text", "text": {"value": content, "annotations": []}}]
    blocks: list[dict[str, Any]] = []
    for part in content:
        if isinstance(part, ImageFilePartParam):
            blocks.append({"type": "image_file", "image_file": part.image_file.to_body()})
        elif isinstance(part, ImageURLPartParam):
            blocks.append({"type": "image_url", "image_url": part.image_url.to_body()})
        else:
            blocks.append({"type": "text", "text": {"value": part.text, "annotations": []}})
    return blocks


def tool_resources(param: ToolResourcesParam | None, ids: IdFactory) -> dict[str, Any] | None:
    """Tool resources as stored; the ``vector_stores`` helper becomes (empty) vector store ids."""
    if param is None:
        return None
    out: dict[str, Any] = {}
    if param.code_interpreter is not None:
        out["code_interpreter"] = {"file_ids": list(param.code_interpreter.file_ids)}
    if param.file_search is not None:
        store_ids = list(param.file_search.vector_store_ids or [])
        store_ids += [ids.new("vs_") for _ in param.file_search.vector_stores or []]
        out["file_search"] = {"vector_store_ids": store_ids}
    return out


def new_message(
    request: CreateMessageRequest,
    thread_id: str,
    ids: IdFactory,
    clock: Clock,
) -> Message:
    now = clock.now()
    return Message.model_validate(
        {
            "id": ids.new("msg_"),
            "object": "thread.message",
            "created_at": now,
            "thread_id": thread_id,
            "status": "completed",
            "incomplete_details": None,
            "completed_at": now,
            "incomplete_at": None,
            "role": request.role,
            "content": message_content(request.content),
            "assistant_id": None,
            "run_id": None,
            "attachments": _dump(request.attachments) or [],
            "metadata": request.metadata or {},
        }
    )


def new_thread(request: CreateThreadRequest, ids: IdFactory, clock: Clock) -> Thread:
    return Thread.model_validate(
        {
            "id": ids.new("thread_"),
            "object": "thread",
            "created_at": clock.now(),
            "tool_resources": tool_resources(request.tool_resources, ids) or {},
            "metadata": request.metadata or {},
        }
    )


def new_assistant(request: CreateAssistantRequest, ids: IdFactory, clock: Clock) -> Assistant:
    body = request.to_body()
    assistant = Assistant.model_validate(
        {
            "id": ids.new("asst_"),
            "object": "assistant",
            "created_at": clock.now(),
            "name": body.get("name"),
            "description": body.get("description"),
            "model": request.model,
            "instructions": body.get("instructions"),
            "tools": body.get("tools") or [],
            "tool_resources": tool_resources(request.tool_resources, ids) or {},
            "metadata": request.metadata or {},
            "temperature": 1.0 if request.temperature is None else request.temperature,
            "top_p": 1.0 if request.top_p is None else request.top_p,
            "response_format": body.get("response_format") or "auto",
            "reasoning_effort": request.reasoning_effort,
        }
    )
    assistant.mark_sampling_given(name for name in SAMPLING_FIELDS if body.get(name) is not None)
    return assistant


def updated_assistant(assistant: Assistant, request: ModifyAssistantRequest, ids: IdFactory) -> Assistant:
    """The assistant with the fields the request gave replaced (``None`` clears a nullable field)."""
    data = assistant.model_dump(mode="json")
    given = set(assistant.sampling_given)
    for name, value in request.to_body().items():
        if name in SAMPLING_FIELDS and value is not None:
            given.add(name)
        elif name in SAMPLING_FIELDS:
            given.discard(name)
        if name == "tool_resources":
            value = tool_resources(request.tool_resources, ids)
        elif name in ("model", "tools") and value is None:
            continue  # not nullable: null means "leave as is"
        elif name == "metadata" and value is None:
            value = {}
        data[name] = value
    changed = Assistant.model_validate(data)
    changed.mark_sampling_given(given)
    return changed


def new_run(
    request: CreateRunRequest | CreateThreadAndRunRequest,
    thread_id: str,
    assistant: Assistant,
    ids: IdFactory,
    clock: Clock,
    expires_in: float,
) -> Run:
    """A queued run: the request's settings over the assistant's."""
    body = request.to_body()
    instructions = request.instructions if request.instructions is not None else assistant.instructions or ""
    extra = getattr(request, "additional_instructions", None)
    if extra:
        instructions = f"{instructions}\n\n{extra}" if instructions else extra
    now = clock.now()
    tools = (
        body["tools"] if request.tools is not None else [t.model_dump(mode="json") for t in assistant.tools]
    )

    def pick(name: str, default: Any) -> Any:
        value = body.get(name)
        if value is None:
            value = getattr(assistant, name, None)
        return default if value is None else value

    response_format = body.get("response_format")
    if response_format is None:
        response_format = (
            assistant.model_dump(mode="json")["response_format"] if assistant.response_format else "auto"
        )
    run = Run.model_validate(
        {
            "id": ids.new("run_"),
            "object": "thread.run",
            "created_at": now,
            "thread_id": thread_id,
            "assistant_id": assistant.id,
            "status": "queued",
            "required_action": None,
            "last_error": None,
            "expires_at": now + round(expires_in) if expires_in > 0 else None,
            "started_at": None,
            "cancelled_at": None,
            "failed_at": None,
            "completed_at": None,
            "incomplete_details": None,
            "model": request.model or assistant.model,
            "instructions": instructions,
            "tools": tools,
            "metadata": request.metadata or {},
            "usage": None,
            "temperature": pick("temperature", 1.0),
            "top_p": pick("top_p", 1.0),
            "max_prompt_tokens": request.max_prompt_tokens,
            "max_completion_tokens": request.max_completion_tokens,
            "truncation_strategy": body.get("truncation_strategy") or dict(DEFAULT_TRUNCATION),
            "tool_choice": body.get("tool_choice") or "auto",
            "parallel_tool_calls": True
            if request.parallel_tool_calls is None
            else request.parallel_tool_calls,
            "response_format": response_format,
            "reasoning_effort": pick("reasoning_effort", None),
        }
    )
    run.mark_sampling_given(
        name for name in SAMPLING_FIELDS if body.get(name) is not None or name in assistant.sampling_given
    )
    return run


def strip_file_search_content(step: RunStep) -> bytes | None:
    """The step's JSON without file search result contents, or None if it has none to strip."""
    data = step.model_dump(mode="json")
    details = data.get("step_details") or {}
    stripped = False
    for call in details.get("tool_calls") or []:
        if call.get("type") != "file_search":
            continue
        for result in (call.get("file_search") or {}).get("results") or []:
            if "content" in result:
                del result["content"]
                stripped = True
    if not stripped:
        return None
    from .eventlog import encode_json

    return encode_json(data)
