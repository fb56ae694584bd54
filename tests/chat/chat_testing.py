"""Helpers for the chat engine tests."""

from __future__ import annotations

from typing import Any

import openai
from openai import AssistantEventHandler

from run_widgets.server import ServerHandle, start

BACKEND_KEY = "sk-backend-secret-0123456789"
"""The key our server sends to the backend; no test output may ever show it."""


def chat_server(base_url: str, **options: object) -> ServerHandle:
    return start(
        engine="chat",
        chat_base_url=base_url,
        chat_model="fake-model",
        chat_api_key=BACKEND_KEY,
        chat_options=options,
    )


def sdk(handle: ServerHandle) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=handle.base_url, api_key=handle.api_key, max_retries=0, _strict_response_validation=True
    )


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
TIME = {
    "type": "function",
    "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}},
}


def assistant(client: openai.OpenAI, *, tools: list[Any] | None = None, **fields: Any) -> str:
    created = client.beta.assistants.create(
        model="whatever-the-client-says", instructions="Be brief.", tools=tools or [], **fields
    )
    return created.id


class Recorder(AssistantEventHandler):
    """What the SDK's own stream helper saw."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []
        self.deltas: list[str] = []
        self.tool_calls_done: list[Any] = []
        self.runs: list[Any] = []

    def on_event(self, event: Any) -> None:
        self.events.append(event.event)
        if event.event.startswith("thread.run.") and not event.event.startswith("thread.run.step"):
            self.runs.append(event.data)

    def on_text_delta(self, delta: Any, snapshot: Any) -> None:
        self.deltas.append(delta.value or "")

    def on_tool_call_done(self, tool_call: Any) -> None:
        self.tool_calls_done.append(tool_call)


def reply_text(client: openai.OpenAI, thread_id: str, run_id: str) -> str:
    messages = client.beta.threads.messages.list(thread_id=thread_id, run_id=run_id, order="asc")
    return "".join(
        block.text.value for message in messages.data for block in message.content if block.type == "text"
    )


def pending_calls(run: Any) -> list[tuple[str, str]]:
    """(name, arguments) of a run's required action."""
    return [
        (call.function.name, call.function.arguments)
        for call in run.required_action.submit_tool_outputs.tool_calls
    ]
