"""Stream events shaped exactly like the wire's (runs-wire-api.md §3.3 orderings A, B, C and D).

These stand in for a server only in the pure tests (views, batching, requests); the integration
tests run the real server over loopback.
"""

from __future__ import annotations

import json
from typing import Any

T0 = 1_700_000_000


class Script:
    """Builds the events of one run, keeping its state between them like a server would."""

    def __init__(
        self, run_id: str = "run_1", thread_id: str = "thread_1", assistant_id: str = "asst_1"
    ) -> None:
        self.run_id = run_id
        self.thread_id = thread_id
        self.assistant_id = assistant_id
        self.t = T0
        self.status = "queued"
        self.extra: dict[str, Any] = {}
        self._n = 0

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}_{self._n:04d}"

    def run(self, status: str, *, event: str | None = None, **fields: Any) -> dict[str, Any]:
        self.status = status
        self.extra.update(fields)
        data: dict[str, Any] = {
            "id": self.run_id,
            "object": "thread.run",
            "created_at": T0,
            "thread_id": self.thread_id,
            "assistant_id": self.assistant_id,
            "status": status,
            "required_action": None,
            "last_error": None,
            "expires_at": None
            if status in ("completed", "failed", "cancelled", "expired", "incomplete")
            else T0 + 600,
            "started_at": T0 + 1 if status != "queued" else None,
            "cancelled_at": None,
            "failed_at": None,
            "completed_at": None,
            "incomplete_details": None,
            "model": "gpt-test",
            "instructions": "Be brief.",
            "tools": [
                {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
                {"type": "code_interpreter"},
            ],
            "metadata": {},
            "usage": None,
            "temperature": 1.0,
            "top_p": 1.0,
            "max_prompt_tokens": None,
            "max_completion_tokens": None,
            "truncation_strategy": {"type": "auto", "last_messages": None},
            "tool_choice": "auto",
            "parallel_tool_calls": True,
            "response_format": "auto",
        }
        data.update(fields)
        return {"event": f"thread.run.{event or status}", "data": data}

    def step(
        self, step_id: str, kind: str, status: str, details: dict[str, Any], **fields: Any
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": step_id,
            "object": "thread.run.step",
            "created_at": T0 + 2,
            "assistant_id": self.assistant_id,
            "thread_id": self.thread_id,
            "run_id": self.run_id,
            "type": kind,
            "status": status,
            "step_details": details,
            "last_error": None,
            "expired_at": None,
            "cancelled_at": None,
            "failed_at": None,
            "completed_at": T0 + 5 if status == "completed" else None,
            "metadata": {},
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
            if status == "completed"
            else None,
        }
        data.update(fields)
        return {"event": f"thread.run.step.{status}", "data": data}

    def message(
        self, message_id: str, status: str, text: str | None, event: str | None = None
    ) -> dict[str, Any]:
        content = [] if text is None else [{"type": "text", "text": {"value": text, "annotations": []}}]
        data = {
            "id": message_id,
            "object": "thread.message",
            "created_at": T0 + 2,
            "thread_id": self.thread_id,
            "status": status,
            "incomplete_details": None,
            "completed_at": T0 + 5 if status == "completed" else None,
            "incomplete_at": None,
            "role": "assistant",
            "content": content,
            "assistant_id": self.assistant_id,
            "run_id": self.run_id,
            "attachments": [],
            "metadata": {},
        }
        return {"event": f"thread.message.{event or status}", "data": data}

    # --- whole sequences ---------------------------------------------------------------------------

    def start(self) -> list[dict[str, Any]]:
        return [self.run("queued", event="created"), self.run("queued"), self.run("in_progress")]

    def message_step(
        self, pieces: list[str], *, step_id: str | None = None, message_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Ordering A's middle: step created, message created, deltas, message and step completed."""
        step_id = step_id or self._id("step")
        message_id = message_id or self._id("msg")
        details = {"type": "message_creation", "message_creation": {"message_id": message_id}}
        events = [
            {
                "event": "thread.run.step.created",
                "data": self.step(step_id, "message_creation", "in_progress", details)["data"],
            },
            self.step(step_id, "message_creation", "in_progress", details),
            self.message(message_id, "in_progress", None, event="created"),
            self.message(message_id, "in_progress", None),
        ]
        for i, piece in enumerate(pieces):
            text: dict[str, Any] = {"value": piece}
            if i == 0:
                text["annotations"] = []
            events.append(
                {
                    "event": "thread.message.delta",
                    "data": {
                        "id": message_id,
                        "object": "thread.message.delta",
                        "delta": {"content": [{"index": 0, "type": "text", "text": text}]},
                    },
                }
            )
        events.append(self.message(message_id, "completed", "".join(pieces)))
        events.append(self.step(step_id, "message_creation", "completed", details))
        return events

    def text_run(self, pieces: list[str]) -> list[dict[str, Any]]:
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        return [
            *self.start(),
            *self.message_step(pieces),
            self.run("completed", completed_at=T0 + 6, usage=usage),
            {"event": "done", "data": "[DONE]"},
        ]

    def tool_calls_until_action(
        self, calls: list[tuple[str, str, str]], *, step_id: str = "step_tools"
    ) -> list[dict[str, Any]]:
        """Ordering B: a tool_calls step whose arguments stream, then requires_action and done."""
        self.tool_step_id = step_id
        self.calls = calls
        details: dict[str, Any] = {"type": "tool_calls", "tool_calls": []}
        events = [
            *self.start(),
            {
                "event": "thread.run.step.created",
                "data": self.step(step_id, "tool_calls", "in_progress", details)["data"],
            },
            self.step(step_id, "tool_calls", "in_progress", details),
        ]
        for index, (call_id, name, arguments) in enumerate(calls):
            first = {
                "index": index,
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": "", "output": None},
            }
            events.append(self._step_delta(step_id, first))
            half = len(arguments) // 2
            for piece in (arguments[:half], arguments[half:]):
                events.append(
                    self._step_delta(
                        step_id, {"index": index, "type": "function", "function": {"arguments": piece}}
                    )
                )
        required = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {
                "tool_calls": [
                    {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
                    for call_id, name, arguments in calls
                ]
            },
        }
        events.append(self.run("requires_action", required_action=required))
        events.append({"event": "done", "data": "[DONE]"})
        return events

    def _step_delta(self, step_id: str, call: dict[str, Any]) -> dict[str, Any]:
        return {
            "event": "thread.run.step.delta",
            "data": {
                "id": step_id,
                "object": "thread.run.step.delta",
                "delta": {"step_details": {"type": "tool_calls", "tool_calls": [call]}},
            },
        }

    def after_outputs(self, outputs: dict[str, str], reply: list[str]) -> list[dict[str, Any]]:
        """Ordering C: the tool step completes with its outputs, the run resumes and answers."""
        calls = [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": arguments, "output": outputs[call_id]},
            }
            for call_id, name, arguments in self.calls
        ]
        details = {"type": "tool_calls", "tool_calls": calls}
        self.extra.pop("required_action", None)
        return [
            self.step(self.tool_step_id, "tool_calls", "completed", details),
            self.run("queued", required_action=None),
            self.run("in_progress"),
            *self.message_step(reply),
            self.run(
                "completed",
                completed_at=T0 + 9,
                usage={"prompt_tokens": 20, "completion_tokens": 9, "total_tokens": 29},
            ),
            {"event": "done", "data": "[DONE]"},
        ]

    def code_interpreter_step(self, step_id: str = "step_code") -> list[dict[str, Any]]:
        call = {
            "id": "call_code",
            "type": "code_interpreter",
            "code_interpreter": {
                "input": "import math\nprint(math.pi)",
                "outputs": [
                    {"type": "logs", "logs": "3.14159\n"},
                    {"type": "image", "image": {"file_id": "file_png"}},
                ],
            },
        }
        return [self.step(step_id, "tool_calls", "completed", {"type": "tool_calls", "tool_calls": [call]})]

    def file_search_step(self, step_id: str = "step_search") -> list[dict[str, Any]]:
        call = {
            "id": "call_search",
            "type": "file_search",
            "file_search": {
                "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0},
                "results": [
                    {
                        "file_id": "file_a",
                        "file_name": "a.txt",
                        "score": 0.9,
                        "content": [{"type": "text", "text": "alpha"}],
                    },
                    {"file_id": "file_b", "file_name": "b.txt", "score": 0.5},
                ],
            },
        }
        return [self.step(step_id, "tool_calls", "completed", {"type": "tool_calls", "tool_calls": [call]})]


def weather_calls() -> list[tuple[str, str, str]]:
    return [
        ("call_1", "get_weather", json.dumps({"city": "Paris"})),
        ("call_2", "get_time", json.dumps({"tz": "UTC", "precise": True})),
    ]
