"""Spec-shaped wire objects, built from the field-exact reference (runs-wire-api.md §2, §3).

Every builder returns a fresh dict, so a test may change it freely. Together they cover each variant
the reference lists: every run status, required_action, last_error, incomplete_details, usage,
truncation_strategy, every response_format and tool_choice form, all three tools, every step detail
(message creation; function, code interpreter with logs and images, file search with results and
content), every message content part and annotation, the deltas, lists and the error envelope.
"""

from __future__ import annotations

import copy
from typing import Any

JSON = dict[str, Any]

RUN_STATUSES = (
    "queued",
    "in_progress",
    "requires_action",
    "cancelling",
    "cancelled",
    "failed",
    "completed",
    "incomplete",
    "expired",
)
STEP_STATUSES = ("in_progress", "cancelled", "failed", "completed", "expired")
MESSAGE_STATUSES = ("in_progress", "incomplete", "completed")

CREATED = 1699063290

FUNCTION_TOOL: JSON = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
        "strict": False,
    },
}
CODE_INTERPRETER_TOOL: JSON = {"type": "code_interpreter"}
FILE_SEARCH_TOOL: JSON = {
    "type": "file_search",
    "file_search": {
        "max_num_results": 20,
        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.5},
    },
}
ALL_TOOLS: list[JSON] = [FUNCTION_TOOL, CODE_INTERPRETER_TOOL, FILE_SEARCH_TOOL]

TOOL_CHOICES: list[Any] = [
    "none",
    "auto",
    "required",
    {"type": "function", "function": {"name": "get_current_weather"}},
    {"type": "code_interpreter"},
    {"type": "file_search"},
]
JSON_SCHEMA_FORMAT: JSON = {
    "type": "json_schema",
    "json_schema": {
        "name": "weather_report",
        "description": "A weather report",
        "schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "degrees": {"type": "number"}},
            "required": ["city", "degrees"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
RESPONSE_FORMATS: list[Any] = ["auto", {"type": "text"}, {"type": "json_object"}, JSON_SCHEMA_FORMAT]
TRUNCATION_STRATEGIES: list[JSON] = [
    {"type": "auto", "last_messages": None},
    {"type": "last_messages", "last_messages": 10},
]
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")


def _fresh(value: Any) -> Any:
    return copy.deepcopy(value)


# --- runs -------------------------------------------------------------------------------------------


def run(status: str = "queued", **changes: Any) -> JSON:
    """A RunObject with every spec-required key, shaped like the spec's examples."""
    data: JSON = {
        "id": "run_abc123",
        "object": "thread.run",
        "created_at": CREATED,
        "assistant_id": "asst_abc123",
        "thread_id": "thread_abc123",
        "status": status,
        "started_at": None,
        "expires_at": CREATED + 600,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "model": "gpt-4o",
        "instructions": "You are a helpful assistant.",
        "tools": [],
        "metadata": {},
        "incomplete_details": None,
        "usage": None,
        "temperature": 1.0,
        "top_p": 1.0,
        "max_prompt_tokens": 1000,
        "max_completion_tokens": 1000,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "response_format": "auto",
        "tool_choice": "auto",
        "parallel_tool_calls": True,
    }
    if status != "queued":
        data["started_at"] = CREATED + 1
    if status in ("cancelled", "failed", "completed", "incomplete", "expired"):
        data["expires_at"] = None
        data["usage"] = {"prompt_tokens": 123, "completion_tokens": 456, "total_tokens": 579}
    stamp = {"cancelled": "cancelled_at", "failed": "failed_at", "completed": "completed_at"}.get(status)
    if stamp:
        data[stamp] = CREATED + 5
    if status == "requires_action":
        data["tools"] = [_fresh(FUNCTION_TOOL)]
        data["required_action"] = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {
                "tool_calls": [
                    {
                        "id": "call_FthC9qRpsL5kBpwwyw6c7j4k",
                        "type": "function",
                        "function": {
                            "name": "get_current_weather",
                            "arguments": '{"location":"San Francisco, CA","unit":"fahrenheit"}',
                        },
                    },
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "get_current_weather", "arguments": '{"location":"Paris"}'},
                    },
                ]
            },
        }
    if status == "failed":
        data["last_error"] = {"code": "server_error", "message": "Something went wrong."}
    if status == "incomplete":
        data["incomplete_details"] = {"reason": "max_completion_tokens"}
    data.update(_fresh(changes))
    return data


def full_run() -> JSON:
    """A completed run that uses every option at once: all tools, json_schema, a forced function."""
    return run(
        "completed",
        tools=ALL_TOOLS,
        metadata={"user": "ada", "purpose": "demo"},
        response_format=JSON_SCHEMA_FORMAT,
        tool_choice={"type": "function", "function": {"name": "get_current_weather"}},
        truncation_strategy={"type": "last_messages", "last_messages": 10},
        temperature=0.2,
        top_p=0.9,
        parallel_tool_calls=False,
    )


# --- steps ------------------------------------------------------------------------------------------


def step(details: JSON, status: str = "completed", **changes: Any) -> JSON:
    data: JSON = {
        "id": "step_abc123",
        "object": "thread.run.step",
        "created_at": CREATED,
        "run_id": "run_abc123",
        "assistant_id": "asst_abc123",
        "thread_id": "thread_abc123",
        "type": details["type"],
        "status": status,
        "cancelled_at": None,
        "completed_at": CREATED + 2 if status == "completed" else None,
        "expired_at": None,
        "failed_at": None,
        "last_error": None,
        "step_details": _fresh(details),
        "metadata": None,
        "usage": {"prompt_tokens": 123, "completion_tokens": 456, "total_tokens": 579}
        if status == "completed"
        else None,
    }
    if status == "failed":
        data["failed_at"] = CREATED + 3
        data["last_error"] = {"code": "rate_limit_exceeded", "message": "Slow down."}
    if status == "cancelled":
        data["cancelled_at"] = CREATED + 3
    if status == "expired":
        data["expired_at"] = CREATED + 600
    data.update(_fresh(changes))
    return data


MESSAGE_CREATION_DETAILS: JSON = {
    "type": "message_creation",
    "message_creation": {"message_id": "msg_abc123"},
}
FUNCTION_CALL: JSON = {
    "id": "call_FthC9qRpsL5kBpwwyw6c7j4k",
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "arguments": '{"location":"San Francisco, CA"}',
        "output": "70 degrees and sunny.",
    },
}
CODE_INTERPRETER_CALL: JSON = {
    "id": "call_code",
    "type": "code_interpreter",
    "code_interpreter": {
        "input": "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nprint(6 * 7)",
        "outputs": [
            {"type": "logs", "logs": "42\n"},
            {"type": "image", "image": {"file_id": "file-plot123"}},
        ],
    },
}
FILE_SEARCH_CALL: JSON = {
    "id": "call_search",
    "type": "file_search",
    "file_search": {
        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0},
        "results": [
            {
                "file_id": "file-doc1",
                "file_name": "handbook.pdf",
                "score": 0.87,
                "content": [{"type": "text", "text": "Holidays are booked through the portal."}],
            },
            {"file_id": "file-doc2", "file_name": "faq.md", "score": 0.42},
        ],
    },
}
TOOL_CALLS_DETAILS: JSON = {
    "type": "tool_calls",
    "tool_calls": [FUNCTION_CALL, CODE_INTERPRETER_CALL, FILE_SEARCH_CALL],
}


def all_steps() -> dict[str, JSON]:
    """One step per step-detail variant, plus a step holding every tool call kind at once."""
    return {
        "message_creation": step(MESSAGE_CREATION_DETAILS),
        "function": step({"type": "tool_calls", "tool_calls": [FUNCTION_CALL]}),
        "function_pending": step(
            {
                "type": "tool_calls",
                "tool_calls": [{**FUNCTION_CALL, "function": {**FUNCTION_CALL["function"], "output": None}}],
            },
            status="in_progress",
        ),
        "code_interpreter": step({"type": "tool_calls", "tool_calls": [CODE_INTERPRETER_CALL]}),
        "file_search": step({"type": "tool_calls", "tool_calls": [FILE_SEARCH_CALL]}),
        "all_tool_calls": step(TOOL_CALLS_DETAILS),
        "failed": step(MESSAGE_CREATION_DETAILS, status="failed"),
    }


# --- messages ---------------------------------------------------------------------------------------


_CITED = "The handbook says so【4:0†handbook.pdf】. Download the chart: sandbox:/mnt/data/chart.png"
_CITATION = "【4:0†handbook.pdf】"
_PATH = "sandbox:/mnt/data/chart.png"
TEXT_WITH_ANNOTATIONS: JSON = {
    "type": "text",
    "text": {
        "value": _CITED,
        "annotations": [
            {
                "type": "file_citation",
                "text": _CITATION,
                "file_citation": {"file_id": "file-doc1"},
                "start_index": _CITED.index(_CITATION),
                "end_index": _CITED.index(_CITATION) + len(_CITATION),
            },
            {
                "type": "file_path",
                "text": _PATH,
                "file_path": {"file_id": "file-chart"},
                "start_index": _CITED.index(_PATH),
                "end_index": _CITED.index(_PATH) + len(_PATH),
            },
        ],
    },
}
IMAGE_FILE_PART: JSON = {"type": "image_file", "image_file": {"file_id": "file-plot123", "detail": "high"}}
IMAGE_URL_PART: JSON = {
    "type": "image_url",
    "image_url": {"url": "https://example.com/cat.png", "detail": "low"},
}
REFUSAL_PART: JSON = {"type": "refusal", "refusal": "I can't help with that."}


def message(content: list[JSON] | None = None, **changes: Any) -> JSON:
    data: JSON = {
        "id": "msg_abc123",
        "object": "thread.message",
        "created_at": CREATED,
        "thread_id": "thread_abc123",
        "status": "completed",
        "incomplete_details": None,
        "completed_at": CREATED + 3,
        "incomplete_at": None,
        "role": "assistant",
        "content": _fresh(content if content is not None else [TEXT_WITH_ANNOTATIONS]),
        "assistant_id": "asst_abc123",
        "run_id": "run_abc123",
        "attachments": [],
        "metadata": {},
    }
    data.update(_fresh(changes))
    return data


def all_messages() -> dict[str, JSON]:
    return {
        "text": message(),
        "image_file": message([IMAGE_FILE_PART]),
        "image_url": message([IMAGE_URL_PART]),
        "refusal": message([REFUSAL_PART]),
        "every_part": message([TEXT_WITH_ANNOTATIONS, IMAGE_FILE_PART, IMAGE_URL_PART, REFUSAL_PART]),
        "user_with_attachments": message(
            [{"type": "text", "text": {"value": "Summarise this file", "annotations": []}}],
            role="user",
            assistant_id=None,
            run_id=None,
            attachments=[
                {"file_id": "file-doc1", "tools": [{"type": "file_search"}, {"type": "code_interpreter"}]}
            ],
            metadata={"source": "upload"},
        ),
        "incomplete": message(
            [{"type": "text", "text": {"value": "The answer is", "annotations": []}}],
            status="incomplete",
            completed_at=None,
            incomplete_at=CREATED + 4,
            incomplete_details={"reason": "max_tokens"},
        ),
        "in_progress": message([], status="in_progress", completed_at=None),
    }


# --- threads, assistants ----------------------------------------------------------------------------


def thread(**changes: Any) -> JSON:
    data: JSON = {
        "id": "thread_abc123",
        "object": "thread",
        "created_at": CREATED,
        "tool_resources": {
            "code_interpreter": {"file_ids": ["file-data"]},
            "file_search": {"vector_store_ids": ["vs_abc123"]},
        },
        "metadata": {"topic": "weather"},
    }
    data.update(_fresh(changes))
    return data


def assistant(**changes: Any) -> JSON:
    data: JSON = {
        "id": "asst_abc123",
        "object": "assistant",
        "created_at": CREATED,
        "name": "Math Tutor",
        "description": "Answers maths questions",
        "model": "gpt-4o",
        "instructions": "You are a personal math tutor.",
        "tools": _fresh(ALL_TOOLS),
        "tool_resources": {"code_interpreter": {"file_ids": []}, "file_search": {"vector_store_ids": []}},
        "metadata": {},
        "top_p": 1.0,
        "temperature": 1.0,
        "response_format": "auto",
    }
    data.update(_fresh(changes))
    return data


# --- deltas -----------------------------------------------------------------------------------------


def message_delta(content: list[JSON], role: str | None = None) -> JSON:
    delta: JSON = {"content": _fresh(content)}
    if role is not None:
        delta["role"] = role
    return {"id": "msg_abc123", "object": "thread.message.delta", "delta": delta}


def all_message_deltas() -> dict[str, JSON]:
    return {
        "first_text": message_delta(
            [{"index": 0, "type": "text", "text": {"value": "Hello", "annotations": []}}], role="assistant"
        ),
        "more_text": message_delta([{"index": 0, "type": "text", "text": {"value": " today"}}]),
        "annotations": message_delta(
            [
                {
                    "index": 0,
                    "type": "text",
                    "text": {
                        "value": "【4:0†handbook.pdf】",
                        "annotations": [
                            {
                                "index": 0,
                                "type": "file_citation",
                                "text": "【4:0†handbook.pdf】",
                                "file_citation": {
                                    "file_id": "file-doc1",
                                    "quote": "booked through the portal",
                                },
                                "start_index": 0,
                                "end_index": 18,
                            },
                            {
                                "index": 1,
                                "type": "file_path",
                                "text": "sandbox:/mnt/data/chart.png",
                                "file_path": {"file_id": "file-chart"},
                                "start_index": 20,
                                "end_index": 47,
                            },
                        ],
                    },
                }
            ]
        ),
        "image_file": message_delta(
            [{"index": 1, "type": "image_file", "image_file": {"file_id": "file-plot123", "detail": "auto"}}]
        ),
        "image_url": message_delta(
            [
                {
                    "index": 2,
                    "type": "image_url",
                    "image_url": {"url": "https://example.com/a.png", "detail": "low"},
                }
            ]
        ),
        "refusal": message_delta([{"index": 0, "type": "refusal", "refusal": "I can't"}]),
    }


def step_delta(details: JSON) -> JSON:
    return {
        "id": "step_abc123",
        "object": "thread.run.step.delta",
        "delta": {"step_details": _fresh(details)},
    }


def all_step_deltas() -> dict[str, JSON]:
    return {
        "message_creation": step_delta(
            {"type": "message_creation", "message_creation": {"message_id": "msg_1"}}
        ),
        "function_first": step_delta(
            {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_XX",
                        "type": "function",
                        "function": {"name": "get_current_weather", "arguments": "", "output": None},
                    }
                ],
            }
        ),
        "function_more": step_delta(
            {
                "type": "tool_calls",
                "tool_calls": [{"index": 0, "type": "function", "function": {"arguments": '{"'}}],
            }
        ),
        "code_interpreter": step_delta(
            {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_code",
                        "type": "code_interpreter",
                        "code_interpreter": {
                            "input": "print(6 * 7)",
                            "outputs": [
                                {"index": 0, "type": "logs", "logs": "42\n"},
                                {"index": 1, "type": "image", "image": {"file_id": "file-plot123"}},
                            ],
                        },
                    }
                ],
            }
        ),
        "file_search": step_delta(
            {
                "type": "tool_calls",
                "tool_calls": [{"index": 2, "id": "call_search", "type": "file_search", "file_search": {}}],
            }
        ),
    }


# --- lists, errors ----------------------------------------------------------------------------------


def list_of(items: list[JSON], has_more: bool = False) -> JSON:
    return {
        "object": "list",
        "data": _fresh(items),
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": has_more,
    }


def error_envelope(**changes: Any) -> JSON:
    error: JSON = {
        "message": "Thread thread_abc123 already has an active run run_abc123.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    error.update(changes)
    return {"error": error}
