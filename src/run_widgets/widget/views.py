"""View models: the capped, secret-free JSON the card's traits and messages carry (docs/card-protocol.md).

Every view is built field by field from an allow-list: nothing the protocol does not name reaches the
front end, whatever extra fields a server sends. Texts longer than the cap are cut, and the step says
so (``truncated``), so the front end can ask for the full step.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, TypedDict

from ..models import (
    CodeInterpreterImageOutput,
    CodeInterpreterLogsOutput,
    CodeInterpreterToolCall,
    FileSearchToolCall,
    FunctionToolCall,
    ImageFileContentBlock,
    ImageURLContentBlock,
    LastError,
    Message,
    MessageCreationStepDetails,
    RefusalContentBlock,
    Run,
    RunStep,
    TextContentBlock,
    ToolCallsStepDetails,
    Usage,
)
from . import limits


class UsageView(TypedDict):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ErrorView(TypedDict):
    code: str
    message: str


class ToolCallRequest(TypedDict):
    id: str
    name: str
    arguments: str
    truncated: bool


class RunView(TypedDict):
    id: str
    thread_id: str
    assistant_id: str
    status: str
    model: str
    created_at: int | None
    started_at: int | None
    completed_at: int | None
    failed_at: int | None
    cancelled_at: int | None
    expires_at: int | None
    usage: UsageView | None
    last_error: ErrorView | None
    incomplete_details: dict[str, str | None] | None
    required_action: list[ToolCallRequest] | None
    failed_step_id: str | None
    instructions: str
    metadata: dict[str, str] | None
    temperature: float | None
    top_p: float | None
    tools: list[str]


class MessageView(TypedDict):
    id: str
    role: str
    status: str
    text: str
    images: list[dict[str, str]]
    incomplete_reason: str | None


ImageFields = Mapping[str, Mapping[str, str]]
"""file id -> what the card learnt of that image: ``{"data_url": ...}`` or ``{"note": ...}``."""

_NO_IMAGES: ImageFields = {}
_NO_FIELDS: Mapping[str, str] = {}


class StepView(TypedDict):
    id: str
    type: str
    status: str
    created_at: int | None
    completed_at: int | None
    failed_at: int | None
    cancelled_at: int | None
    expired_at: int | None
    usage: UsageView | None
    last_error: ErrorView | None
    title: str
    message: MessageView | None
    tool_calls: list[dict[str, Any]] | None
    truncated: bool


class Capper:
    """Cuts texts to ``limit`` characters and remembers whether it had to."""

    __slots__ = ("json_limit", "limit", "truncated")

    def __init__(self, limit: int | None, json_limit: int | None = None) -> None:
        self.limit = limit
        self.json_limit = json_limit if json_limit is not None else limit
        self.truncated = False

    def text(self, value: str | None) -> str:
        return self._cut(value or "", self.limit)

    def json(self, value: str | None) -> str:
        return self._cut(value or "", self.json_limit)

    def optional_json(self, value: str | None) -> str | None:
        return None if value is None else self._cut(value, self.json_limit)

    def _cut(self, value: str, limit: int | None) -> str:
        if limit is not None and len(value) > limit:
            self.truncated = True
            return value[:limit]
        return value


# --- small pieces ---------------------------------------------------------------------------------


def usage_view(usage: Usage | None) -> UsageView | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": int(usage.prompt_tokens or 0),
        "completion_tokens": int(usage.completion_tokens or 0),
        "total_tokens": int(usage.total_tokens or 0),
    }


def error_view(error: LastError | None, capper: Capper | None = None) -> ErrorView | None:
    if error is None:
        return None
    message = error.message or ""
    return {"code": str(error.code), "message": capper.text(message) if capper else message}


def _tool_names(run: Run) -> list[str]:
    names: list[str] = []
    for tool in run.tools:
        function = getattr(tool, "function", None)
        name = getattr(function, "name", None)
        names.append(str(name) if name else str(tool.type))
    return names


# --- the run --------------------------------------------------------------------------------------


def run_view(run: Run, *, failed_step_id: str | None = None, cap: int | None = limits.TEXT_CAP) -> RunView:
    """The header's data: ids, status, times, usage, errors, and the calls waiting for outputs."""
    capper = Capper(cap)
    pending: list[ToolCallRequest] | None = None
    if run.status == "requires_action":
        pending = []
        for call in run.pending_tool_calls:
            call_capper = Capper(None, capper.json_limit)
            arguments = call_capper.json(call.function.arguments)
            pending.append(
                {
                    "id": call.id,
                    "name": call.function.name,
                    "arguments": arguments,
                    "truncated": call_capper.truncated,
                }
            )
    incomplete = None
    if run.incomplete_details is not None:
        incomplete = {"reason": run.incomplete_details.reason}
    return {
        "id": run.id,
        "thread_id": run.thread_id,
        "assistant_id": run.assistant_id,
        "status": str(run.status),
        "model": run.model,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "completed_at": run.completed_at,
        "failed_at": run.failed_at,
        "cancelled_at": run.cancelled_at,
        "expires_at": run.expires_at,
        "usage": usage_view(run.usage),
        "last_error": error_view(run.last_error, capper),
        "incomplete_details": incomplete,
        "required_action": pending,
        "failed_step_id": failed_step_id,
        "instructions": capper.text(run.instructions),
        "metadata": {str(k): capper.text(str(v)) for k, v in run.metadata.items()} if run.metadata else None,
        "temperature": run.temperature,
        "top_p": run.top_p,
        "tools": _tool_names(run),
    }


# --- messages and steps ---------------------------------------------------------------------------


def message_text(message: Message) -> str:
    """What a reader sees of a message: its text parts (and refusals) in order."""
    pieces: list[str] = []
    for part in message.content:
        if isinstance(part, TextContentBlock):
            pieces.append(part.text.value)
        elif isinstance(part, RefusalContentBlock):
            pieces.append(part.refusal)
    return "".join(pieces)


def message_view(message: Message, capper: Capper, images: ImageFields = _NO_IMAGES) -> MessageView:
    refs: list[dict[str, str]] = []
    for part in message.content:
        if isinstance(part, ImageFileContentBlock):
            file_id = part.image_file.file_id
            refs.append({"file_id": file_id, **images.get(file_id, _NO_FIELDS)})
        elif isinstance(part, ImageURLContentBlock):
            refs.append({"url": part.image_url.url})
    reason = message.incomplete_details.reason if message.incomplete_details is not None else None
    return {
        "id": message.id,
        "role": str(message.role),
        "status": str(message.status),
        "text": capper.text(message_text(message)),
        "images": refs,
        "incomplete_reason": str(reason) if reason is not None else None,
    }


def tool_call_view(call: Any, index: int, capper: Capper, images: ImageFields = _NO_IMAGES) -> dict[str, Any]:
    """One tool call, by type; unknown types keep their raw JSON (capped). Images are not capped: their
    ``data_url`` counts against the card's image budget instead (``limits.IMAGES_MAX_BYTES``)."""
    if isinstance(call, FunctionToolCall):
        return {
            "id": call.id,
            "type": "function",
            "index": index,
            "name": call.function.name,
            "arguments": capper.json(call.function.arguments),
            "output": capper.optional_json(call.function.output),
        }
    if isinstance(call, CodeInterpreterToolCall):
        logs = "".join(
            o.logs for o in call.code_interpreter.outputs if isinstance(o, CodeInterpreterLogsOutput)
        )
        refs = [
            {"file_id": o.image.file_id, **images.get(o.image.file_id, _NO_FIELDS)}
            for o in call.code_interpreter.outputs
            if isinstance(o, CodeInterpreterImageOutput)
        ]
        return {
            "id": call.id,
            "type": "code_interpreter",
            "index": index,
            "input": capper.text(call.code_interpreter.input),
            "logs": capper.text(logs),
            "images": refs,
        }
    if isinstance(call, FileSearchToolCall):
        return _file_search_view(call, index, capper)
    raw = call.model_dump_json(exclude_unset=True) if hasattr(call, "model_dump_json") else json.dumps(call)
    return {
        "id": getattr(call, "id", None),
        "type": str(getattr(call, "type", "unknown")),
        "index": index,
        "raw": capper.json(raw),
    }


def _file_search_view(call: FileSearchToolCall, index: int, capper: Capper) -> dict[str, Any]:
    search = call.file_search
    results: list[dict[str, Any]] = []
    ranking: dict[str, Any] | None = None
    if isinstance(search, dict):  # a server sent a shape this version does not model
        raw_results = search.get("results") or []
        ranking = search.get("ranking_options")
        for item in raw_results if isinstance(raw_results, list) else []:
            if isinstance(item, dict):
                results.append(
                    {
                        "file_id": str(item.get("file_id", "")),
                        "file_name": str(item.get("file_name", "")),
                        "score": item.get("score"),
                    }
                )
    else:
        if search.ranking_options is not None:
            ranking = {
                "ranker": search.ranking_options.ranker,
                "score_threshold": search.ranking_options.score_threshold,
            }
        for result in search.results or []:
            entry: dict[str, Any] = {
                "file_id": result.file_id,
                "file_name": result.file_name,
                "score": result.score,
            }
            if result.content:
                entry["content"] = capper.text("".join(part.text or "" for part in result.content))
            results.append(entry)
    return {
        "id": call.id,
        "type": "file_search",
        "index": index,
        "results": results,
        "ranking_options": ranking if isinstance(ranking, dict) else None,
    }


def step_view(
    step: RunStep,
    message: Message | None,
    *,
    cap: int | None = limits.TEXT_CAP,
    images: ImageFields = _NO_IMAGES,
) -> StepView:
    """One step with what it made: the message it wrote, or its tool calls (``images``: what the card
    fetched of the image files they show)."""
    capper = Capper(cap)
    details = step.step_details
    message_data: MessageView | None = None
    calls: list[dict[str, Any]] | None = None
    if isinstance(details, MessageCreationStepDetails):
        message_data = message_view(message, capper, images) if message is not None else None
        title = message_title(message_text(message) if message is not None else "")
    elif isinstance(details, ToolCallsStepDetails):
        calls = [tool_call_view(call, i, capper, images) for i, call in enumerate(details.tool_calls)]
        title = tool_calls_title(details.tool_calls)
    else:
        title = str(details.type)
    return {
        "id": step.id,
        "type": str(step.type),
        "status": str(step.status),
        "created_at": step.created_at,
        "completed_at": step.completed_at,
        "failed_at": step.failed_at,
        "cancelled_at": step.cancelled_at,
        "expired_at": step.expired_at,
        "usage": usage_view(step.usage),
        "last_error": error_view(step.last_error, capper),
        "title": title,
        "message": message_data,
        "tool_calls": calls,
        "truncated": capper.truncated,
    }


def live_parts(step: RunStep, message: Message | None) -> list[tuple[str, str]]:
    """The texts of a step that can stream past the cap, as ``(part, full text)``: ``part`` is the JSON
    Pointer of that text in the step's view (``/message/text``, ``/tool_calls/0/arguments``, ``/input``,
    ``/logs``), which is how ``appends`` name them (docs/card-protocol.md)."""
    details = step.step_details
    if isinstance(details, MessageCreationStepDetails):
        return [("/message/text", message_text(message))] if message is not None else []
    parts: list[tuple[str, str]] = []
    if isinstance(details, ToolCallsStepDetails):
        for index, call in enumerate(details.tool_calls):
            if isinstance(call, FunctionToolCall):
                parts.append((f"/tool_calls/{index}/arguments", call.function.arguments or ""))
            elif isinstance(call, CodeInterpreterToolCall):
                code = call.code_interpreter
                logs = "".join(o.logs for o in code.outputs if isinstance(o, CodeInterpreterLogsOutput))
                parts.append((f"/tool_calls/{index}/input", code.input or ""))
                parts.append((f"/tool_calls/{index}/logs", logs))
    return parts


_LIVE_FIELDS = {"function": ("arguments",), "code_interpreter": ("input", "logs")}


def view_live_texts(view: StepView) -> dict[str, str]:
    """The texts of a step's view that ``live_parts`` names, by part (capped, as the view holds them)."""
    texts: dict[str, str] = {}
    if view["message"] is not None:
        texts["/message/text"] = view["message"]["text"]
    for index, call in enumerate(view["tool_calls"] or ()):
        for name in _LIVE_FIELDS.get(str(call.get("type")), ()):
            texts[f"/tool_calls/{index}/{name}"] = call.get(name) or ""
    return texts


def grew_only(old: StepView, new: StepView) -> bool:
    """True when ``new`` differs from ``old`` only by live texts that grew at their end (a delta)."""
    if old.keys() != new.keys():
        return False
    for key, value in new.items():
        if key == "message":
            if not _grew_only_in(old["message"], new["message"], ("text",)):
                return False
        elif key == "tool_calls":
            old_calls, new_calls = old["tool_calls"], new["tool_calls"]
            if old_calls is None or new_calls is None:
                if old_calls is not new_calls:
                    return False
                continue
            if len(old_calls) != len(new_calls):
                return False
            for old_call, new_call in zip(old_calls, new_calls, strict=True):
                if not _grew_only_in(old_call, new_call, _LIVE_FIELDS.get(str(new_call.get("type")), ())):
                    return False
        elif old[key] != value:  # type: ignore[literal-required]
            return False
    return True


def _grew_only_in(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, fields: tuple[str, ...]
) -> bool:
    if old is None or new is None:
        return old is new
    if old.keys() != new.keys():
        return False
    for key, value in new.items():
        if key in fields:
            if not isinstance(value, str) or not isinstance(old[key], str) or not value.startswith(old[key]):
                return False
        elif old[key] != value:
            return False
    return True


def image_file_ids(step: RunStep, message: Message | None) -> list[str]:
    """The image files a step shows: its code interpreter images, or its message's ``image_file`` parts."""
    details = step.step_details
    if isinstance(details, ToolCallsStepDetails):
        return [
            output.image.file_id
            for call in details.tool_calls
            if isinstance(call, CodeInterpreterToolCall)
            for output in call.code_interpreter.outputs
            if isinstance(output, CodeInterpreterImageOutput) and output.image.file_id
        ]
    if message is not None and isinstance(details, MessageCreationStepDetails):
        return [
            part.image_file.file_id
            for part in message.content
            if isinstance(part, ImageFileContentBlock) and part.image_file.file_id
        ]
    return []


def message_id_of(step: RunStep) -> str | None:
    details = step.step_details
    if isinstance(details, MessageCreationStepDetails):
        return details.message_creation.message_id
    return None


# --- titles ---------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_BLOCK_MARKS = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?)", re.MULTILINE)
_INLINE_MARKS = str.maketrans("", "", "`*")


def _plain_words(markdown: str) -> str:
    """Markdown's words without its markup, for a one-line title (links keep their text)."""
    text = _IMAGE.sub(r"\1", markdown)
    text = _LINK.sub(r"\1", text)
    text = _BLOCK_MARKS.sub("", text)
    return text.replace("__", "").translate(_INLINE_MARKS)


def message_title(text: str) -> str:
    """The first words of a message, on one line, without markdown markup."""
    line = _one_line(_plain_words(text[: limits.TITLE_CAP * 4]))
    return _shorten(line, 80) if line else "(message)"


def call_signature(name: str, arguments: str) -> str:
    """``get_weather(city="Paris")``: keyword arguments from the JSON text, ``name(…)`` while it streams."""
    try:
        parsed = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return f"{name}(…)"
    if isinstance(parsed, dict):
        parts = []
        for key, value in parsed.items():
            shown = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
            parts.append(f"{key}={_shorten(shown, 40)}")
        inner = ", ".join(parts)
    else:
        inner = _shorten(json.dumps(parsed, ensure_ascii=False), 40)
    return f"{name}({inner})"


def tool_calls_title(calls: list[Any]) -> str:
    pieces: list[str] = []
    for call in calls:
        if isinstance(call, FunctionToolCall):
            pieces.append(call_signature(call.function.name, call.function.arguments))
        elif isinstance(call, CodeInterpreterToolCall):
            first = next((ln for ln in call.code_interpreter.input.splitlines() if ln.strip()), "")
            pieces.append(f"code_interpreter: {first.strip()}" if first else "code_interpreter")
        elif isinstance(call, FileSearchToolCall):
            results = call.file_search.results if not isinstance(call.file_search, dict) else None
            pieces.append(f"file_search ({len(results)} results)" if results is not None else "file_search")
        else:
            pieces.append(str(getattr(call, "type", "tool")))
    if not pieces:
        return "tool calls"
    return _shorten(_one_line(", ".join(pieces)), limits.TITLE_CAP)


def to_json(value: Any) -> str:
    """Compact JSON, as the wire would carry it (for measuring sizes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
