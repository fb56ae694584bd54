"""Helpers for the server tests: raw SSE capture, the wire's invariants, normalised transcripts."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx2
import openai

from run_widgets.models import parse_event
from run_widgets.server import ServerHandle

RUN_KEYS = {
    "id", "object", "created_at", "thread_id", "assistant_id", "status", "required_action", "last_error",
    "expires_at", "started_at", "cancelled_at", "failed_at", "completed_at", "model", "instructions", "tools",
    "metadata", "usage", "incomplete_details", "max_prompt_tokens", "max_completion_tokens",
    "truncation_strategy", "tool_choice", "parallel_tool_calls", "response_format",
}  # fmt: skip
"""The 25 keys the spec requires on every Run."""

STEP_KEYS = {
    "id", "object", "created_at", "assistant_id", "thread_id", "run_id", "type", "status", "step_details",
    "last_error", "expired_at", "cancelled_at", "failed_at", "completed_at", "metadata", "usage",
}  # fmt: skip

MESSAGE_KEYS = {
    "id", "object", "created_at", "thread_id", "status", "incomplete_details", "completed_at", "incomplete_at",
    "role", "content", "assistant_id", "run_id", "attachments", "metadata",
}  # fmt: skip


@dataclass
class Frame:
    event: str
    raw: str

    @property
    def data(self) -> Any:
        return None if self.raw == "[DONE]" else json.loads(self.raw)


def read_stream(response: httpx2.Response) -> tuple[str, list[Frame]]:
    """The raw text of an SSE response and its frames, checking the framing as it goes."""
    text = response.read().decode()
    frames: list[Frame] = []
    assert text.endswith("\n\n"), "a stream ends with a blank line"
    for block in text.split("\n\n")[:-1]:
        lines = block.split("\n")
        assert len(lines) == 2, f"one event line and one data line per event, got {lines!r}"
        assert lines[0].startswith("event: ") and lines[1].startswith("data: "), lines
        frames.append(Frame(lines[0][len("event: ") :], lines[1][len("data: ") :]))
    return text, frames


def stream(http: httpx2.Client, method: str, url: str, **kwargs: Any) -> tuple[str, list[Frame]]:
    with http.stream(method, url, **kwargs) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers.get("x-request-id")
        return read_stream(response)


def check_wire(frames: list[Frame]) -> dict[str, Any]:
    """Assert the reference's rules on one stream; return the last data seen per object id."""
    assert frames and frames[-1].event == "done" and frames[-1].raw == "[DONE]"
    assert [f.event for f in frames].count("done") == 1
    continuation = frames[0].event not in ("thread.run.created", "thread.created")
    last: dict[str, Any] = {}
    created_steps: set[str] = set()
    open_message: str | None = None
    seen_messages: set[str] = set()
    text: dict[str, str] = {}
    tool_calls: dict[str, dict[int, dict[str, Any]]] = {}
    for frame in frames[:-1]:
        parse_event(frame.event, frame.raw)  # every frame parses as our typed event
        data = frame.data
        event = frame.event
        if event.startswith("thread.run.step."):
            if event == "thread.run.step.delta":
                assert data["id"] in created_steps, "step.created precedes its deltas"
                merge_delta(last[data["id"]], data["delta"])
                details = data["delta"]["step_details"]
                calls = tool_calls.setdefault(data["id"], {})
                for entry in details.get("tool_calls", []):
                    index = entry["index"]
                    assert isinstance(index, int)
                    if index not in calls:
                        assert index == len(calls), "tool call indexes are contiguous from 0"
                        assert entry.get("id") and entry.get("type"), (
                            "the first delta of a call has id and type"
                        )
                        if entry["type"] == "function":
                            assert entry["function"]["name"]
                        calls[index] = {
                            "id": entry["id"],
                            "type": entry["type"],
                            "arguments": "",
                            "input": "",
                        }
                    else:
                        assert "id" not in entry, "a call's id is sent once"
                    if entry["type"] == "function":
                        calls[index]["arguments"] += entry["function"].get("arguments", "")
                    if entry["type"] == "code_interpreter":
                        code = entry["code_interpreter"]
                        calls[index]["input"] += code.get("input", "")
                        outputs = code.get("outputs", [])
                        assert [o["index"] for o in outputs] == list(range(len(outputs)))
                continue
            assert set(data) >= STEP_KEYS
            if event == "thread.run.step.created":
                created_steps.add(data["id"])
                assert data["usage"] is None and data["status"] == "in_progress"
            else:
                assert data["id"] in created_steps or continuation, (
                    "a step finishes in the stream that made it, or a submit stream"
                )
            last[data["id"]] = data
        elif event.startswith("thread.message."):
            if event == "thread.message.delta":
                assert data["id"] == open_message, (
                    "message deltas follow their message.created, never interleaved"
                )
                for part in data["delta"]["content"]:
                    assert part["index"] == 0 and part["type"] == "text"
                    text[data["id"]] = text.get(data["id"], "") + part["text"]["value"]
                continue
            assert set(data) >= MESSAGE_KEYS
            if event == "thread.message.created":
                assert open_message is None and data["id"] not in seen_messages
                assert data["content"] == [] and data["status"] == "in_progress"
                open_message = data["id"]
                seen_messages.add(data["id"])
            elif event in ("thread.message.completed", "thread.message.incomplete"):
                assert data["id"] == open_message
                open_message = None
                value = data["content"][0]["text"]["value"] if data["content"] else ""
                assert value == text.get(data["id"], ""), "delta texts add up to the message"
            last[data["id"]] = data
        elif event.startswith("thread.run."):
            assert set(data) >= RUN_KEYS
            assert isinstance(data["instructions"], str) and isinstance(data["parallel_tool_calls"], bool)
            if data["status"] in ("completed", "failed", "cancelled", "expired", "incomplete"):
                assert data["expires_at"] is None and data["usage"] is not None
            if event == "thread.run.requires_action":
                required = data["required_action"]["submit_tool_outputs"]["tool_calls"]
                streamed = [
                    c for step in tool_calls.values() for c in step.values() if c["type"] == "function"
                ]
                assert [(c["id"], c["function"]["arguments"]) for c in required] == [
                    (c["id"], c["arguments"]) for c in streamed
                ], "required_action lists the streamed calls, arguments as concatenated"
            last[data["id"]] = data
        elif event == "thread.created":
            last[data["id"]] = data
    assert open_message is None or frames[-2].event == "thread.run.requires_action"
    return last


def merge_delta(acc: dict[str, Any], delta: dict[str, Any]) -> None:
    """Apply a delta as the wire says: strings append, objects merge, list entries go by ``index``."""
    for key, value in delta.items():
        if key not in acc or acc[key] is None:
            if isinstance(value, list):
                acc[key] = []
            elif isinstance(value, dict):
                acc[key] = {}
            else:
                acc[key] = value
                continue
        current = acc[key]
        if key in ("index", "type"):
            acc[key] = value
        elif isinstance(current, str):
            acc[key] = current + value
        elif isinstance(current, dict):
            merge_delta(current, value)
        elif isinstance(current, list):
            for entry in value:
                entry = dict(entry)
                index = entry.pop("index")
                if index == len(current):
                    current.append({})
                merge_delta(current[index], entry)


def assert_streamed_equals_get(http: httpx2.Client, last: dict[str, Any], include: bool = False) -> None:
    """What each object looked like last on the stream is what GET returns now."""
    suffix = "?include[]=step_details.tool_calls[*].file_search.results[*].content" if include else ""
    for object_id, data in last.items():
        kind = data["object"]
        if kind == "thread.run":
            url = f"/threads/{data['thread_id']}/runs/{object_id}"
        elif kind == "thread.run.step":
            url = f"/threads/{data['thread_id']}/runs/{data['run_id']}/steps/{object_id}{suffix}"
        elif kind == "thread.message":
            url = f"/threads/{data['thread_id']}/messages/{object_id}"
        else:
            url = f"/threads/{object_id}"
        got = http.get(url)
        assert got.status_code == 200
        assert got.json() == data, f"{kind} {object_id} differs between the stream and GET"


_ID = re.compile(r"\b(asst|thread|msg|run|step|call|file|req|vs)[_-][A-Za-z0-9]{8,}\b")
_TIMESTAMP_KEYS = ("created_at", "expires_at", "started_at", "cancelled_at", "failed_at", "completed_at",
                   "incomplete_at", "expired_at")  # fmt: skip


def normalise(text: str) -> str:
    """A transcript with ids replaced by ``<run_1>``-style names and timestamps by ``<t>``."""
    names: dict[str, str] = {}
    counters: dict[str, int] = {}

    def rename(match: re.Match[str]) -> str:
        found = match.group(0)
        if found not in names:
            kind = match.group(1)
            counters[kind] = counters.get(kind, 0) + 1
            names[found] = f"<{kind}_{counters[kind]}>"
        return names[found]

    out = _ID.sub(rename, text)
    for key in _TIMESTAMP_KEYS:
        out = re.sub(rf'"{key}":\d+', f'"{key}":"<t>"', out)
    return out


TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    },
    {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}},
    {"type": "code_interpreter"},
    {"type": "file_search"},
]


def http_client(handle: ServerHandle) -> httpx2.Client:
    return httpx2.Client(
        base_url=handle.base_url, headers={"Authorization": f"Bearer {handle.api_key}"}, timeout=30
    )


def sdk_client(handle: ServerHandle) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=handle.base_url, api_key=handle.api_key, max_retries=0, _strict_response_validation=True
    )


def new_thread(http: httpx2.Client, text: str | None = None) -> str:
    body = {"messages": [{"role": "user", "content": text}]} if text is not None else {}
    response = http.post("/threads", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def wait_for_status(http: httpx2.Client, thread_id: str, run_id: str, statuses: set[str]) -> dict[str, Any]:
    """Poll a run until its status is one of ``statuses`` (the test's timeout bounds the wait)."""
    while True:
        run = http.get(f"/threads/{thread_id}/runs/{run_id}").json()
        if run["status"] in statuses:
            return dict(run)
        time.sleep(0.02)
