"""Threads and assistants."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ._base import SamplingGiven, WireModel, to_datetime
from .common import Metadata, ReasoningEffort, ResponseFormat, Tool, ToolResources


class Thread(WireModel):
    """A conversation (``object: "thread"``)."""

    id: str
    object: Literal["thread"] = "thread"
    created_at: int
    tool_resources: ToolResources | None = None
    metadata: Metadata | None = None

    @property
    def created(self) -> datetime:
        return to_datetime(self.created_at)  # type: ignore[return-value]


class ThreadDeleted(WireModel):
    id: str
    object: Literal["thread.deleted"] = "thread.deleted"
    deleted: bool


class Assistant(SamplingGiven):
    """A configured assistant (``object: "assistant"``): model, instructions and tools a run starts from."""

    id: str
    object: Literal["assistant"] = "assistant"
    created_at: int
    name: str | None = None
    description: str | None = None
    model: str
    instructions: str | None = None
    tools: list[Tool] = Field(default_factory=list)
    tool_resources: ToolResources | None = None
    metadata: Metadata | None = None
    temperature: float | None = None
    top_p: float | None = None
    response_format: ResponseFormat | None = None
    reasoning_effort: ReasoningEffort | str | None = None

    @property
    def created(self) -> datetime:
        return to_datetime(self.created_at)  # type: ignore[return-value]


class AssistantDeleted(WireModel):
    id: str
    object: Literal["assistant.deleted"] = "assistant.deleted"
    deleted: bool
