"""Records real streams from the embedded server, with what GET returns after each, for the reducer's tests.

Each scenario sends one user message to the scripted assistant (docs/server.md: `call` lines and the
`/code`, `/search`, `/fail`, `/cancel`, `/incomplete`, `/expire` directives) and reads the run's SSE
stream as raw frames, straight from the wire (no client of ours in between). After each stream it
GETs the run, its steps and its messages (and the thread, for create-and-run). A scenario that pauses
for tool outputs submits them and records the second stream too.

The server runs with a fixed seed at full speed, so ids, timestamps and texts are the same on every
recording. Regenerate the stored fixtures (tests/state/recorded/*.json) after a wire change with:

    PYTHONPATH=src python tests/state/recorder.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

RECORDED = Path(__file__).resolve().parent / "recorded"
SEED = 7
INCLUDE = "step_details.tool_calls[*].file_search.results[*].content"
TOOLS: list[dict[str, Any]] = [
    {"type": "code_interpreter"},
    {"type": "file_search"},
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
        },
    },
]


@dataclass(frozen=True)
class Scenario:
    name: str
    message: str
    create_and_run: bool = False
    include: bool = False
    outputs: tuple[str, ...] = ()
    """Tool outputs to submit, in call order, when the run stops at requires_action."""


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("text", "Hello! Tell me about runs."),
    Scenario("create_and_run", "Hello from a new thread.", create_and_run=True),
    Scenario(
        "tool_calls",
        'call get_weather {"city": "Paris"}\ncall get_weather {"city": "Rome"}',
        outputs=("22C, sunny", "18C, cloudy"),
    ),
    Scenario("code_interpreter", "/code\nPlot the numbers."),
    Scenario("file_search", "/search how do runs stream?", include=True),
    Scenario("failed", "/fail rate_limit_exceeded Slow down\nThis reply will not finish."),
    Scenario("cancelled", "/cancel\nThis reply will be cancelled."),
    Scenario("incomplete", "/incomplete\nA long answer, please."),
    Scenario("expired", "/expire 1\nThis reply will run out of time."),
)


class Recorder:
    """Talks to a running server over plain HTTP and records streams and objects as wire JSON."""

    def __init__(self, base_url: str, api_key: str, assistant_id: str) -> None:
        self.http = httpx2.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {api_key}", "OpenAI-Beta": "assistants=v2"},
            timeout=60,
        )
        self.assistant_id = assistant_id

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def stream(
        self, path: str, body: dict[str, Any], params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Every frame of the SSE stream, as ``{"event": name, "data": parsed JSON or the raw text}``."""
        frames: list[dict[str, Any]] = []
        with self.http.stream("POST", path, json={**body, "stream": True}, params=params) as response:
            response.raise_for_status()
            for frame in httpx2.EventSource(response):
                data = frame.data if frame.data == "[DONE]" else json.loads(frame.data)
                frames.append({"event": frame.event, "data": data})
        return frames

    def state(self, thread_id: str, run_id: str, include: bool) -> dict[str, Any]:
        """What GET returns once the stream has ended: the run, its steps, its messages."""
        step_params: dict[str, Any] = {"order": "asc", "limit": 100}
        if include:
            step_params["include[]"] = INCLUDE
        messages = self.get(f"/threads/{thread_id}/messages", order="asc", limit=100, run_id=run_id)
        return {
            "run": self.get(f"/threads/{thread_id}/runs/{run_id}"),
            "steps": self.get(f"/threads/{thread_id}/runs/{run_id}/steps", **step_params)["data"],
            "messages": messages["data"],
        }

    def record(self, scenario: Scenario) -> dict[str, Any]:
        params = {"include[]": INCLUDE} if scenario.include else None
        user = {"role": "user", "content": scenario.message}
        if scenario.create_and_run:
            body = {"assistant_id": self.assistant_id, "tools": TOOLS, "thread": {"messages": [user]}}
            frames = self.stream("/threads/runs", body)
            thread_id = next(f["data"]["id"] for f in frames if f["event"] == "thread.created")
        else:
            thread_id = self.http.post("/threads", json={"messages": [user]}).raise_for_status().json()["id"]
            frames = self.stream(
                f"/threads/{thread_id}/runs", {"assistant_id": self.assistant_id, "tools": TOOLS}, params
            )
        run_id = next(f["data"]["id"] for f in frames if f["event"] == "thread.run.created")
        streams = [{"events": frames, "after": self.state(thread_id, run_id, scenario.include)}]
        if scenario.outputs:
            run = streams[0]["after"]["run"]
            assert run["status"] == "requires_action", (
                f"{scenario.name}: the run did not pause ({run['status']})"
            )
            calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
            outputs = [
                {"tool_call_id": c["id"], "output": o} for c, o in zip(calls, scenario.outputs, strict=True)
            ]
            frames = self.stream(
                f"/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", {"tool_outputs": outputs}
            )
            streams.append({"events": frames, "after": self.state(thread_id, run_id, scenario.include)})
        if scenario.create_and_run:
            streams[-1]["after"]["thread"] = self.get(f"/threads/{thread_id}")
        return {"name": scenario.name, "message": scenario.message, "streams": streams}


@contextmanager
def recorder() -> Iterator[Recorder]:
    """A fresh seeded embedded server at full speed, and a recorder wired to it."""
    from run_widgets.server import start

    with start(seed=SEED, words_per_second=0) as server:
        made = Recorder(server.base_url, server.api_key, server.ensure_default_assistant())
        try:
            yield made
        finally:
            made.close()


def record_all() -> list[dict[str, Any]]:
    with recorder() as made:
        return [made.record(scenario) for scenario in SCENARIOS]


def load_recorded() -> list[dict[str, Any]]:
    """The stored recordings, in scenario order."""
    return [json.loads((RECORDED / f"{s.name}.json").read_text(encoding="utf-8")) for s in SCENARIOS]


def main() -> int:
    RECORDED.mkdir(exist_ok=True)
    for recording in record_all():
        path = RECORDED / f"{recording['name']}.json"
        path.write_text(json.dumps(recording, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        events = sum(len(stream["events"]) for stream in recording["streams"])
        print(f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}: {events} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
