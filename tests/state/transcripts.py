"""Hand-written stream transcripts that follow runs-wire-api.md section 3, with the objects GET returns after.

Each ``Transcript`` is the wire's event sequence (``(event name, data)`` pairs, ``done`` included)
and the final run, steps and messages that a server would return for the same ids once the stream
is over. The reducer must turn the one into the other; the client tests serve these bytes through
``httpx2.MockTransport`` to our client and to the official SDK.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

T0 = 1_700_000_000
THREAD = "thread_abc123"
ASSISTANT = "asst_abc123"

TOOLS: list[dict[str, Any]] = [
    {"type": "code_interpreter"},
    {"type": "file_search", "file_search": {"max_num_results": 5}},
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
            "strict": False,
        },
    },
]

Event = tuple[str, Any]


@dataclass
class Transcript:
    """A stream's events and the state a GET returns after it."""

    name: str
    events: list[Event]
    run: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    thread: dict[str, Any] | None = None

    def sse(self) -> bytes:
        """The stream as the server writes it: ``event:``/``data:`` lines, one blank line after each."""
        return sse(self.events)

    @property
    def text(self) -> str:
        """Every text delta joined: what a reader sees streamed."""
        pieces = []
        for name, data in self.events:
            if name == "thread.message.delta":
                for part in data["delta"].get("content", []):
                    if part.get("type") == "text":
                        pieces.append(part.get("text", {}).get("value") or "")
        return "".join(pieces)


def sse(events: list[Event]) -> bytes:
    out = []
    for name, data in events:
        payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
        out.append(f"event: {name}\ndata: {payload}\n\n")
    return "".join(out).encode()


# --- objects ------------------------------------------------------------------------------------


def run_object(run_id: str, status: str, **changes: Any) -> dict[str, Any]:
    """A Run with all 25 spec-required keys (null where nullable), as the wire carries it."""
    run = {
        "id": run_id,
        "object": "thread.run",
        "created_at": T0,
        "thread_id": THREAD,
        "assistant_id": ASSISTANT,
        "status": status,
        "required_action": None,
        "last_error": None,
        "expires_at": T0 + 600,
        "started_at": None,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "model": "gpt-4o",
        "instructions": "You are a helpful assistant.",
        "tools": copy.deepcopy(TOOLS),
        "metadata": {},
        "usage": None,
        "incomplete_details": None,
        "max_prompt_tokens": None,
        "max_completion_tokens": None,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "response_format": "auto",
        "temperature": 1.0,
        "top_p": 1.0,
    }
    run.update(changes)
    return run


def step_object(step_id: str, run_id: str, details: dict[str, Any], **changes: Any) -> dict[str, Any]:
    step = {
        "id": step_id,
        "object": "thread.run.step",
        "created_at": T0 + 2,
        "assistant_id": ASSISTANT,
        "thread_id": THREAD,
        "run_id": run_id,
        "type": details["type"],
        "status": "in_progress",
        "step_details": details,
        "last_error": None,
        "expired_at": None,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "metadata": None,
        "usage": None,
    }
    step.update(changes)
    return step


def message_object(
    message_id: str, run_id: str, content: list[dict[str, Any]], **changes: Any
) -> dict[str, Any]:
    message = {
        "id": message_id,
        "object": "thread.message",
        "created_at": T0 + 3,
        "thread_id": THREAD,
        "status": "in_progress",
        "incomplete_details": None,
        "completed_at": None,
        "incomplete_at": None,
        "role": "assistant",
        "content": content,
        "assistant_id": ASSISTANT,
        "run_id": run_id,
        "attachments": [],
        "metadata": {},
    }
    message.update(changes)
    return message


def text_part(value: str, annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": "text", "text": {"value": value, "annotations": annotations or []}}


def message_delta(message_id: str, *parts: dict[str, Any]) -> dict[str, Any]:
    return {"id": message_id, "object": "thread.message.delta", "delta": {"content": list(parts)}}


def step_delta(step_id: str, *calls: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": step_id,
        "object": "thread.run.step.delta",
        "delta": {"step_details": {"type": "tool_calls", "tool_calls": list(calls)}},
    }


USAGE = {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
DONE: Event = ("done", "[DONE]")


# --- A. a plain text run ------------------------------------------------------------------------


def text_run(run_id: str = "run_text", pieces: tuple[str, ...] | None = None) -> Transcript:
    """Section 3.3 A: created, queued, in_progress, a message_creation step, N deltas, completed."""
    pieces = pieces or ("Hello", " there", ", how", " can I", " help", " you today?")
    text = "".join(pieces)
    msg, step_id = f"msg_{run_id}", f"step_{run_id}"
    queued = run_object(run_id, "queued")
    started = run_object(run_id, "in_progress", started_at=T0 + 1)
    details = {"type": "message_creation", "message_creation": {"message_id": msg}}
    step_started = step_object(step_id, run_id, details)
    message_started = message_object(msg, run_id, [])
    message_done = message_object(msg, run_id, [text_part(text)], status="completed", completed_at=T0 + 5)
    step_done = step_object(step_id, run_id, details, status="completed", completed_at=T0 + 5, usage=USAGE)
    run_done = run_object(
        run_id, "completed", started_at=T0 + 1, completed_at=T0 + 6, expires_at=None, usage=USAGE
    )
    deltas: list[Event] = [
        (
            "thread.message.delta",
            message_delta(msg, {"index": 0, "type": "text", "text": {"value": pieces[0], "annotations": []}}),
        )
    ]
    deltas += [
        ("thread.message.delta", message_delta(msg, {"index": 0, "type": "text", "text": {"value": piece}}))
        for piece in pieces[1:]
    ]
    events: list[Event] = [
        ("thread.run.created", queued),
        ("thread.run.queued", queued),
        ("thread.run.in_progress", started),
        ("thread.run.step.created", step_started),
        ("thread.run.step.in_progress", step_started),
        ("thread.message.created", message_started),
        ("thread.message.in_progress", message_started),
        *deltas,
        ("thread.message.completed", message_done),
        ("thread.run.step.completed", step_done),
        ("thread.run.completed", run_done),
        DONE,
    ]
    return Transcript("text", events, run_done, [step_done], [message_done])


# --- B. a run that calls functions, then resumes after the outputs ------------------------------

CALLS = (
    ("call_weather_paris", "get_weather", ('{"ci', 'ty": "Pa', 'ris"}')),
    ("call_weather_oslo", "get_weather", ('{"city"', ': "Oslo"}')),
)


def tool_call_run(run_id: str = "run_tools") -> Transcript:
    """Section 3.3 B: a tool_calls step whose two parallel calls stream their arguments, then requires_action."""
    step_id = f"step_{run_id}_calls"
    queued = run_object(run_id, "queued")
    started = run_object(run_id, "in_progress", started_at=T0 + 1)
    step_started = step_object(step_id, run_id, {"type": "tool_calls", "tool_calls": []})
    deltas: list[Event] = []
    for index, (call_id, name, fragments) in enumerate(CALLS):
        deltas.append(
            (
                "thread.run.step.delta",
                step_delta(
                    step_id,
                    {
                        "index": index,
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": "", "output": None},
                    },
                ),
            )
        )
        deltas += [
            (
                "thread.run.step.delta",
                step_delta(step_id, {"index": index, "type": "function", "function": {"arguments": piece}}),
            )
            for piece in fragments
        ]
    pending = [
        {"id": call_id, "type": "function", "function": {"name": name, "arguments": "".join(fragments)}}
        for call_id, name, fragments in CALLS
    ]
    paused = run_object(
        run_id,
        "requires_action",
        started_at=T0 + 1,
        required_action={"type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": pending}},
    )
    step_after = step_object(
        step_id,
        run_id,
        {
            "type": "tool_calls",
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": "".join(fragments), "output": None},
                }
                for call_id, name, fragments in CALLS
            ],
        },
    )
    events: list[Event] = [
        ("thread.run.created", queued),
        ("thread.run.queued", queued),
        ("thread.run.in_progress", started),
        ("thread.run.step.created", step_started),
        ("thread.run.step.in_progress", step_started),
        *deltas,
        ("thread.run.requires_action", paused),
        DONE,
    ]
    return Transcript("tool-calls", events, paused, [step_after], [])


def tool_outputs_stream(run_id: str = "run_tools") -> Transcript:
    """Section 3.3 C: the stream of submit_tool_outputs(stream=True) after ``tool_call_run``."""
    calls_step = f"step_{run_id}_calls"
    answer_step = f"step_{run_id}_answer"
    msg = f"msg_{run_id}_answer"
    outputs = {"call_weather_paris": "18C and sunny", "call_weather_oslo": "4C and rain"}
    step_done = step_object(
        calls_step,
        run_id,
        {
            "type": "tool_calls",
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": "".join(fragments), "output": outputs[call_id]},
                }
                for call_id, name, fragments in CALLS
            ],
        },
        status="completed",
        completed_at=T0 + 20,
        usage=USAGE,
    )
    queued = run_object(run_id, "queued", started_at=T0 + 1)
    started = run_object(run_id, "in_progress", started_at=T0 + 21)
    details = {"type": "message_creation", "message_creation": {"message_id": msg}}
    answer_started = step_object(answer_step, run_id, details, created_at=T0 + 21)
    message_started = message_object(msg, run_id, [], created_at=T0 + 21)
    pieces = ("Paris: 18C and sunny.", " Oslo: 4C", " and rain.")
    message_done = message_object(
        msg,
        run_id,
        [text_part("".join(pieces))],
        created_at=T0 + 21,
        status="completed",
        completed_at=T0 + 22,
    )
    answer_done = step_object(
        answer_step,
        run_id,
        details,
        created_at=T0 + 21,
        status="completed",
        completed_at=T0 + 22,
        usage=USAGE,
    )
    run_done = run_object(
        run_id, "completed", started_at=T0 + 21, completed_at=T0 + 23, expires_at=None, usage=USAGE
    )
    events: list[Event] = [
        ("thread.run.step.completed", step_done),
        ("thread.run.queued", queued),
        ("thread.run.in_progress", started),
        ("thread.run.step.created", answer_started),
        ("thread.run.step.in_progress", answer_started),
        ("thread.message.created", message_started),
        ("thread.message.in_progress", message_started),
        (
            "thread.message.delta",
            message_delta(msg, {"index": 0, "type": "text", "text": {"value": pieces[0], "annotations": []}}),
        ),
        *[
            (
                "thread.message.delta",
                message_delta(msg, {"index": 0, "type": "text", "text": {"value": piece}}),
            )
            for piece in pieces[1:]
        ],
        ("thread.message.completed", message_done),
        ("thread.run.step.completed", answer_done),
        ("thread.run.completed", run_done),
        DONE,
    ]
    return Transcript("tool-outputs", events, run_done, [step_done, answer_done], [message_done])


# --- C. code interpreter, file search, and an annotated answer ----------------------------------


def tools_run(run_id: str = "run_builtin", *, thread_created: bool = True) -> Transcript:
    """createThreadAndRun: code interpreter (input and logs stream), file search, then a cited answer."""
    code_step, search_step, answer_step = (
        f"step_{run_id}_code",
        f"step_{run_id}_search",
        f"step_{run_id}_answer",
    )
    msg = f"msg_{run_id}"
    thread = {"id": THREAD, "object": "thread", "created_at": T0, "tool_resources": {}, "metadata": {}}
    queued = run_object(run_id, "queued")
    started = run_object(run_id, "in_progress", started_at=T0 + 1)
    code = "import math\nprint(math.sqrt(2))"
    code_empty = step_object(code_step, run_id, {"type": "tool_calls", "tool_calls": []})
    code_done = step_object(
        code_step,
        run_id,
        {
            "type": "tool_calls",
            "tool_calls": [
                {
                    "id": "call_code",
                    "type": "code_interpreter",
                    "code_interpreter": {
                        "input": code,
                        "outputs": [{"type": "logs", "logs": "1.4142135623730951\n"}],
                    },
                }
            ],
        },
        status="completed",
        completed_at=T0 + 4,
        usage=USAGE,
    )
    search_empty = step_object(
        search_step, run_id, {"type": "tool_calls", "tool_calls": []}, created_at=T0 + 5
    )
    search_done = step_object(
        search_step,
        run_id,
        {
            "type": "tool_calls",
            "tool_calls": [
                {
                    "id": "call_search",
                    "type": "file_search",
                    "file_search": {
                        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0},
                        "results": [
                            {
                                "file_id": "file_notes",
                                "file_name": "notes.md",
                                "score": 0.92,
                                "content": [
                                    {"type": "text", "text": "The square root of two is irrational."}
                                ],
                            }
                        ],
                    },
                }
            ],
        },
        created_at=T0 + 5,
        status="completed",
        completed_at=T0 + 6,
        usage=USAGE,
    )
    details = {"type": "message_creation", "message_creation": {"message_id": msg}}
    answer_started = step_object(answer_step, run_id, details, created_at=T0 + 7)
    message_started = message_object(msg, run_id, [], created_at=T0 + 7)
    cite = "【4:0†notes.md】"
    text = f"The square root of 2 is about 1.41421, and it is irrational{cite}."
    annotation = {
        "type": "file_citation",
        "text": cite,
        "file_citation": {"file_id": "file_notes"},
        "start_index": text.index(cite),
        "end_index": text.index(cite) + len(cite),
    }
    message_done = message_object(
        msg,
        run_id,
        [text_part(text, [annotation])],
        created_at=T0 + 7,
        status="completed",
        completed_at=T0 + 9,
    )
    answer_done = step_object(
        answer_step, run_id, details, created_at=T0 + 7, status="completed", completed_at=T0 + 9, usage=USAGE
    )
    run_done = run_object(
        run_id, "completed", started_at=T0 + 1, completed_at=T0 + 10, expires_at=None, usage=USAGE
    )
    split = text.index(cite)
    events: list[Event] = [
        *([("thread.created", thread)] if thread_created else []),
        ("thread.run.created", queued),
        ("thread.run.queued", queued),
        ("thread.run.in_progress", started),
        ("thread.run.step.created", code_empty),
        ("thread.run.step.in_progress", code_empty),
        (
            "thread.run.step.delta",
            step_delta(
                code_step,
                {
                    "index": 0,
                    "id": "call_code",
                    "type": "code_interpreter",
                    "code_interpreter": {"input": "", "outputs": []},
                },
            ),
        ),
        (
            "thread.run.step.delta",
            step_delta(
                code_step,
                {"index": 0, "type": "code_interpreter", "code_interpreter": {"input": "import math\n"}},
            ),
        ),
        (
            "thread.run.step.delta",
            step_delta(
                code_step,
                {
                    "index": 0,
                    "type": "code_interpreter",
                    "code_interpreter": {"input": "print(math.sqrt(2))"},
                },
            ),
        ),
        (
            "thread.run.step.delta",
            step_delta(
                code_step,
                {
                    "index": 0,
                    "type": "code_interpreter",
                    "code_interpreter": {
                        "outputs": [{"index": 0, "type": "logs", "logs": "1.4142135623730951\n"}]
                    },
                },
            ),
        ),
        ("thread.run.step.completed", code_done),
        ("thread.run.step.created", search_empty),
        ("thread.run.step.in_progress", search_empty),
        (
            "thread.run.step.delta",
            step_delta(
                search_step, {"index": 0, "id": "call_search", "type": "file_search", "file_search": {}}
            ),
        ),
        ("thread.run.step.completed", search_done),
        ("thread.run.step.created", answer_started),
        ("thread.run.step.in_progress", answer_started),
        ("thread.message.created", message_started),
        ("thread.message.in_progress", message_started),
        (
            "thread.message.delta",
            message_delta(msg, {"index": 0, "type": "text", "text": {"value": text[:20], "annotations": []}}),
        ),
        (
            "thread.message.delta",
            message_delta(msg, {"index": 0, "type": "text", "text": {"value": text[20:split]}}),
        ),
        (
            "thread.message.delta",
            message_delta(
                msg,
                {
                    "index": 0,
                    "type": "text",
                    "text": {
                        "value": cite,
                        "annotations": [{"index": 0, **annotation}],
                    },
                },
            ),
        ),
        (
            "thread.message.delta",
            message_delta(msg, {"index": 0, "type": "text", "text": {"value": text[split + len(cite) :]}}),
        ),
        ("thread.message.completed", message_done),
        ("thread.run.step.completed", answer_done),
        ("thread.run.completed", run_done),
        DONE,
    ]
    return Transcript(
        "builtin-tools", events, run_done, [code_done, search_done, answer_done], [message_done], thread
    )


def all_transcripts() -> list[Transcript]:
    return [text_run(), tool_call_run(), tool_outputs_stream(), tools_run()]
