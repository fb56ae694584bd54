"""Event streams for the card's browser tests: what an Assistants server sends, event by event.

``RunScript`` writes wire-shaped stream events (``{"event": name, "data": {...}}``) the way a server
streams a run: run status changes, steps created/completed, message and step deltas. The scenarios
below cover every run status, every step type and the hostile texts the card must keep inert.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

Event = dict[str, Any]

# A 1x1 PNG (a code interpreter image the kernel could fetch): inline data, no network.
PNG_DATA_URL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAE"
    "hAH/q5s2WQAAAABJRU5ErkJggg=="
)


class RunScript:
    """Builds one run's event stream. Time is simulated: ``tick(s)`` moves the clock on."""

    def __init__(
        self,
        *,
        run_id: str = "run_8fK2mQ4wZ1",
        thread_id: str = "thread_Xc81mWq0pL",
        assistant_id: str = "asst_weather_7Qa",
        model: str = "gpt-4o-mini",
        tools: list[dict[str, Any]] | None = None,
        started: float | None = None,
        instructions: str = "You are a concise weather assistant. Use the tools.",
    ) -> None:
        self.now = int(started if started is not None else time.time() - 40)
        self.events: list[Event] = []
        self._step_n = 0
        self._msg_n = 0
        self._call_n = 0
        self.run: dict[str, Any] = {
            "id": run_id,
            "object": "thread.run",
            "created_at": self.now,
            "thread_id": thread_id,
            "assistant_id": assistant_id,
            "status": "queued",
            "model": model,
            "instructions": instructions,
            "tools": tools
            if tools is not None
            else [
                {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
                {"type": "code_interpreter"},
                {"type": "file_search"},
            ],
            "metadata": {"notebook": "weather.ipynb"},
            "temperature": 0.7,
            "top_p": 1.0,
            "parallel_tool_calls": True,
        }
        self.steps: dict[str, dict[str, Any]] = {}

    # --- plumbing --------------------------------------------------------------------------------

    def tick(self, seconds: int = 1) -> RunScript:
        self.now += seconds
        return self

    def emit(self, name: str, data: dict[str, Any]) -> None:
        self.events.append({"event": name, "data": copy.deepcopy(data)})

    def _step(self, step_type: str, details: dict[str, Any]) -> dict[str, Any]:
        self._step_n += 1
        step = {
            "id": f"step_{self._step_n:03d}{self.run['id'][-4:]}",
            "object": "thread.run.step",
            "created_at": self.now,
            "assistant_id": self.run["assistant_id"],
            "thread_id": self.run["thread_id"],
            "run_id": self.run["id"],
            "type": step_type,
            "status": "in_progress",
            "step_details": details,
        }
        self.steps[step["id"]] = step
        self.emit("thread.run.step.created", step)
        self.emit("thread.run.step.in_progress", step)
        return step

    def _end_step(self, step: dict[str, Any], status: str = "completed", **fields: Any) -> None:
        step["status"] = status
        key = {
            "completed": "completed_at",
            "failed": "failed_at",
            "cancelled": "cancelled_at",
            "expired": "expired_at",
        }[status]
        step[key] = self.now
        step.update(fields)
        if status == "completed":
            step.setdefault("usage", {"prompt_tokens": 120, "completion_tokens": 24, "total_tokens": 144})
        self.emit(f"thread.run.step.{status}", step)

    # --- the run ---------------------------------------------------------------------------------

    def status(self, status: str, **fields: Any) -> RunScript:
        self.run["status"] = status
        if status == "in_progress" and self.run.get("started_at") is None:
            self.run["started_at"] = self.now
        stamp = {"completed": "completed_at", "failed": "failed_at", "cancelled": "cancelled_at"}.get(status)
        if stamp:
            self.run[stamp] = self.now
        if status != "requires_action":
            self.run["required_action"] = None
        self.run.update(fields)
        name = "created" if not self.events and status == "queued" else status
        self.emit(f"thread.run.{name}", self.run)
        return self

    def start(self) -> RunScript:
        self.status("queued")
        self.tick(1)
        return self.status("in_progress")

    def usage(self, prompt: int, completion: int) -> RunScript:
        self.run["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        return self

    # --- steps -----------------------------------------------------------------------------------

    def message(
        self, text: str, *, chunk_words: int = 1, finish: bool = True, status: str = "completed"
    ) -> str:
        """A message-creation step whose text streams in word by word; returns the step id."""
        self._msg_n += 1
        message = {
            "id": f"msg_{self._msg_n:03d}{self.run['id'][-4:]}",
            "object": "thread.message",
            "created_at": self.now,
            "thread_id": self.run["thread_id"],
            "status": "in_progress",
            "role": "assistant",
            "content": [],
            "assistant_id": self.run["assistant_id"],
            "run_id": self.run["id"],
        }
        step = self._step(
            "message_creation",
            {"type": "message_creation", "message_creation": {"message_id": message["id"]}},
        )
        self.emit("thread.message.created", message)
        self.emit("thread.message.in_progress", message)
        words = text.split(" ")
        pieces = [" ".join(words[i : i + chunk_words]) for i in range(0, len(words), chunk_words)]
        for i, piece in enumerate(pieces):
            value = piece if i == 0 else " " + piece
            part: dict[str, Any] = {"index": 0, "type": "text", "text": {"value": value}}
            if i == 0:
                part["text"]["annotations"] = []
            self.emit(
                "thread.message.delta",
                {"id": message["id"], "object": "thread.message.delta", "delta": {"content": [part]}},
            )
        if finish:
            self.tick(2)
            message["status"] = status
            message["content"] = [{"type": "text", "text": {"value": text, "annotations": []}}]
            if status == "completed":
                message["completed_at"] = self.now
            else:
                message["incomplete_at"] = self.now
                message["incomplete_details"] = {"reason": "max_tokens"}
            self.emit(f"thread.message.{status}", message)
            self._end_step(step, "completed")
        return str(step["id"])

    def function_calls(
        self, calls: list[tuple[str, dict[str, Any] | str]], *, outputs: list[str] | None = None
    ) -> tuple[str, list[str]]:
        """A tool_calls step with function calls. Without outputs it stays in progress (requires_action)."""
        tool_calls = []
        for name, args in calls:
            self._call_n += 1
            arguments = args if isinstance(args, str) else json.dumps(args)
            tool_calls.append(
                {
                    "id": f"call_{self._call_n:03d}{self.run['id'][-4:]}",
                    "type": "function",
                    "function": {"name": name, "arguments": arguments, "output": None},
                }
            )
        step = self._step("tool_calls", {"type": "tool_calls", "tool_calls": tool_calls})
        ids = [c["id"] for c in tool_calls]
        if outputs is not None:
            self.tick(1)
            for call, output in zip(tool_calls, outputs, strict=True):
                call["function"]["output"] = output
            self._end_step(step, "completed")
        return str(step["id"]), ids

    def require_action(self, step_id: str, expires_in: int = 600) -> RunScript:
        calls = self.steps[step_id]["step_details"]["tool_calls"]
        self.run["required_action"] = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {
                "tool_calls": [
                    {
                        "id": c["id"],
                        "type": "function",
                        "function": {"name": c["function"]["name"], "arguments": c["function"]["arguments"]},
                    }
                    for c in calls
                ]
            },
        }
        self.run["expires_at"] = self.now + expires_in
        return self.status("requires_action")

    def submit_outputs(self, step_id: str, outputs: list[str]) -> RunScript:
        step = self.steps[step_id]
        for call, output in zip(step["step_details"]["tool_calls"], outputs, strict=True):
            call["function"]["output"] = output
        self.run["expires_at"] = None
        self.status("queued")
        self.tick(1)
        self.status("in_progress")
        self._end_step(step, "completed")
        return self

    def code_interpreter(self, code: str, logs: str, image_file: str | None = "file-plot01") -> str:
        outputs: list[dict[str, Any]] = [{"type": "logs", "logs": logs}]
        if image_file:
            outputs.append({"type": "image", "image": {"file_id": image_file}})
        call = {
            "id": f"call_ci{self._step_n:03d}",
            "type": "code_interpreter",
            "code_interpreter": {"input": code, "outputs": []},
        }
        step = self._step("tool_calls", {"type": "tool_calls", "tool_calls": [call]})
        self.tick(2)
        call["code_interpreter"]["outputs"] = outputs
        self._end_step(step)
        return str(step["id"])

    def file_search(self, results: list[tuple[str, float, str]]) -> str:
        call = {
            "id": f"call_fs{self._step_n:03d}",
            "type": "file_search",
            "file_search": {
                "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.4},
                "results": [
                    {
                        "file_id": f"file-{i}",
                        "file_name": name,
                        "score": score,
                        "content": [{"type": "text", "text": text}],
                    }
                    for i, (name, score, text) in enumerate(results)
                ],
            },
        }
        step = self._step("tool_calls", {"type": "tool_calls", "tool_calls": [call]})
        self.tick(1)
        self._end_step(step)
        return str(step["id"])

    def other_tool(self, call_type: str, payload: dict[str, Any]) -> str:
        """A tool call of a type this version does not model (a newer server's)."""
        call = {"id": f"call_x{self._step_n:03d}", "type": call_type, call_type: payload}
        step = self._step("tool_calls", {"type": "tool_calls", "tool_calls": [call]})
        self.tick(1)
        self._end_step(step)
        return str(step["id"])

    def fail_step(self, step_id: str, code: str, message: str) -> None:
        self._end_step(self.steps[step_id], "failed", last_error={"code": code, "message": message})

    def end_step(self, step_id: str, status: str) -> None:
        self._end_step(self.steps[step_id], status)


# --- scenarios -----------------------------------------------------------------------------------

WEATHER_TEXT = (
    "It is **18 °C** and sunny in Paris right now.\n\n"
    "| day | high | low |\n|---|---|---|\n| Mon | 19 | 11 |\n| Tue | 21 | 12 |\n\n"
    "Take a light jacket for the evening; see [Météo-France](https://meteofrance.com) for details."
)


def completed_run() -> RunScript:
    """Every step type: a function call with its output, code interpreter, file search, a message."""
    s = RunScript()
    s.start()
    s.tick(1)
    s.function_calls(
        [("get_weather", {"city": "Paris", "unit": "celsius"})],
        outputs=['{"temp_c": 18, "sky": "sunny", "wind_kmh": 9}'],
    )
    s.tick(1)
    s.code_interpreter(
        "import statistics\nhighs = [19, 21, 20]\nprint(statistics.mean(highs))",
        "20.0\n",
    )
    s.tick(1)
    s.file_search(
        [
            ("paris-climate.pdf", 0.912, "Paris has an oceanic climate: mild summers, cool winters."),
            ("travel-notes.md", 0.633, "Pack layers: evenings by the Seine get chilly."),
        ]
    )
    s.tick(1)
    s.message(WEATHER_TEXT, chunk_words=4)
    s.usage(812, 434)
    s.tick(1)
    s.status("completed")
    return s


PROSE_TEXT = (
    "Paris is sunny today with a high of 18 degrees and a light westerly wind, so an afternoon walk "
    "along the Seine sounds perfect; take a jacket for the evening, when it cools to 11 degrees."
)


def streaming_run(words_done: int = 12, text: str = WEATHER_TEXT) -> tuple[RunScript, str]:
    """In progress: a function call done, the answer streaming (not finished)."""
    s = RunScript()
    s.start()
    s.tick(1)
    s.function_calls([("get_weather", {"city": "Paris"})], outputs=['{"temp_c": 18, "sky": "sunny"}'])
    s.tick(1)
    text = " ".join(text.split(" ")[:words_done])
    step_id = s.message(text, finish=False)
    return s, step_id


def requires_action_run(*, python_tool: bool = False) -> tuple[RunScript, list[str]]:
    """Two parallel calls waiting for outputs."""
    s = RunScript()
    s.start()
    s.tick(2)
    step_id, ids = s.function_calls(
        [("get_weather", {"city": "Paris"}), ("get_time", {"timezone": "Europe/Paris"})]
    )
    s.require_action(step_id, expires_in=9 * 60 + 30)
    return s, ids


def failed_run() -> tuple[RunScript, str]:
    s = RunScript()
    s.start()
    s.tick(1)
    s.message("Let me look that up.", chunk_words=3)
    s.tick(1)
    step_id, _ = s.function_calls([("get_weather", {"city": "Atlantis"})])
    s.tick(2)
    s.fail_step(step_id, "server_error", "The tool server returned 502 Bad Gateway.")
    s.status(
        "failed", last_error={"code": "server_error", "message": "The run failed while calling get_weather."}
    )
    return s, step_id


def run_in_status(status: str) -> RunScript:
    """A small run that ends (or rests) in ``status``: one of the nine run statuses."""
    s = RunScript(run_id=f"run_status_{status}")
    if status == "queued":
        return s.status("queued")
    s.start()
    s.tick(1)
    if status == "in_progress":
        s.message("Checking the forecast", finish=False)
        return s
    if status == "requires_action":
        step_id, _ = s.function_calls([("get_weather", {"city": "Paris"})])
        return s.require_action(step_id)
    if status in ("cancelling", "cancelled"):
        step_id, _ = s.function_calls([("get_weather", {"city": "Paris"})])
        s.status("cancelling")
        if status == "cancelled":
            s.tick(1)
            s.end_step(step_id, "cancelled")
            s.status("cancelled")
        return s
    if status == "failed":
        return failed_run()[0]
    if status == "completed":
        s.message("Sunny, 18 °C.", chunk_words=2)
        s.usage(100, 12)
        return s.status("completed")
    if status == "incomplete":
        s.message(
            "The forecast for the next ten days is long, so here is the start",
            chunk_words=5,
            status="incomplete",
        )
        s.usage(4000, 256)
        return s.status("incomplete", incomplete_details={"reason": "max_completion_tokens"})
    if status == "expired":
        step_id, _ = s.function_calls([("get_weather", {"city": "Paris"})])
        s.require_action(step_id, expires_in=5)
        s.tick(6)
        s.end_step(step_id, "expired")
        return s.status("expired")
    raise ValueError(status)


RUN_STATUSES = [
    "queued",
    "in_progress",
    "requires_action",
    "cancelling",
    "cancelled",
    "failed",
    "completed",
    "incomplete",
    "expired",
]
STEP_STATUSES = ["in_progress", "cancelled", "failed", "completed", "expired"]


def step_statuses_run() -> RunScript:
    """One step in each step status (a run that stopped part-way; the wire allows this mix)."""
    s = RunScript(run_id="run_stepstatus")
    s.start()
    ids = []
    for status in STEP_STATUSES:
        s.tick(1)
        step_id, _ = s.function_calls([(f"tool_{status}", {"n": 1})])
        ids.append((step_id, status))
    for step_id, status in ids:
        if status == "failed":
            s.fail_step(step_id, "server_error", "boom")
        elif status != "in_progress":
            s.end_step(step_id, status)
    return s


HOSTILE_MARKDOWN = (
    "Hello <img src=x onerror=\"window.__pwned='img'\"> and <script>window.__pwned='script'</script>\n\n"
    "[click me](javascript:window.__pwned='link') · [data](data:text/html,<script>alert(1)</script>) · "
    "[ok link](https://example.com/docs)\n\n"
    "![remote chart](https://tracker.example.net/pixel.png)\n\n"
    '<a href="https://evil.example" onclick="window.__pwned=\'a\'">raw anchor</a>\n\n'
    '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>\n\n'
    "```html\n<b>code stays text</b>\n```"
)
HOSTILE_TOOL_NAME = "<img src=x onerror=\"window.__pwned='name'\">get_weather"
HOSTILE_ARGS = '{"city": "<script>window.__pwned=\'args\'</script>", "html": "<b onmouseover=alert(1)>x</b>"}'


def hostile_run() -> RunScript:
    s = RunScript(run_id="run_hostile")
    s.start()
    s.tick(1)
    s.function_calls(
        [(HOSTILE_TOOL_NAME, HOSTILE_ARGS)], outputs=["<img src=x onerror=\"window.__pwned='output'\">"]
    )
    s.tick(1)
    s.message(HOSTILE_MARKDOWN, chunk_words=6)
    s.tick(1)
    step2, _ = s.function_calls([(HOSTILE_TOOL_NAME, HOSTILE_ARGS)])
    s.require_action(step2)
    return s


def invalid_json_run() -> RunScript:
    s = RunScript(run_id="run_badjson")
    s.start()
    s.function_calls([("get_weather", '{"city": "Paris",')], outputs=["not json at all"])
    s.message("Done.")
    return s.status("completed")


def long_text_run(length: int = 30000) -> tuple[RunScript, str]:
    """A message longer than the text cap: the synced state holds only its start."""
    s = RunScript(run_id="run_longtext")
    s.start()
    paragraph = "The quick brown fox jumps over the lazy dog. " * 20 + "\n\n"
    text = (paragraph * (length // len(paragraph) + 1))[:length] + " THE-END"
    step_id = s.message(text, chunk_words=400)
    s.status("completed")
    return s, step_id


def long_output_run(length: int = 9000) -> tuple[RunScript, str]:
    """A function call whose output is longer than the JSON cap, then a short answer."""
    s = RunScript(run_id="run_longjson")
    s.start()
    rows = [{"day": i, "temp_c": 10 + i % 15, "note": "mild and dry"} for i in range(length // 45)]
    output = json.dumps({"rows": rows, "end": "THE-END"})
    step_id, _ = s.function_calls([("get_forecast", {"city": "Paris", "days": len(rows)})], outputs=[output])
    s.message("Here is the forecast.")
    s.status("completed")
    return s, step_id


def many_steps_run(n: int = 1000) -> RunScript:
    """A run with ``n`` steps: alternating function calls and short messages, still running."""
    s = RunScript(run_id="run_thousand", started=time.time() - n)
    s.start()
    for i in range(n):
        if i % 2 == 0:
            s.function_calls(
                [("lookup", {"i": i, "q": f"item {i}"})], outputs=[json.dumps({"i": i, "ok": True})]
            )
        else:
            s.message(f"Step {i}: found item {i - 1}.", chunk_words=8)
        if i % 3 == 0:
            s.tick(1)
    return s
