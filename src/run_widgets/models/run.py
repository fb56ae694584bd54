"""The Run object: one invocation of an assistant on a thread."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ._base import SamplingGiven, WireModel, to_datetime
from .common import (
    LastError,
    Metadata,
    ReasoningEffort,
    ResponseFormat,
    Tool,
    ToolChoice,
    TruncationStrategy,
    Usage,
)

RunStatus = Literal[
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

TERMINAL_RUN_STATUSES: frozenset[str] = frozenset(
    {"cancelled", "failed", "completed", "incomplete", "expired"}
)
"""Statuses a run never leaves."""

PAUSED_RUN_STATUSES: frozenset[str] = TERMINAL_RUN_STATUSES | {"requires_action"}
"""Statuses where a stream ends and polling stops (the SDK's ``poll()`` set)."""

CANCELLABLE_RUN_STATUSES: frozenset[str] = frozenset({"queued", "in_progress", "requires_action"})


class FunctionCall(WireModel):
    name: str
    arguments: str


class RequiredActionFunctionToolCall(WireModel):
    """A call the client must answer with ``submit_tool_outputs``."""

    id: str
    type: Literal["function"] | str = "function"
    function: FunctionCall


class SubmitToolOutputsAction(WireModel):
    tool_calls: list[RequiredActionFunctionToolCall]


class RequiredAction(WireModel):
    """What the run waits for. Only ``submit_tool_outputs`` exists today; another ``type`` is read
    as is, its payload kept among the extra fields, and ``submit_tool_outputs`` is then None."""

    type: Literal["submit_tool_outputs"] | str = "submit_tool_outputs"
    submit_tool_outputs: SubmitToolOutputsAction | None = None


class IncompleteDetails(WireModel):
    reason: Literal["max_completion_tokens", "max_prompt_tokens"] | str | None = None


class Run(SamplingGiven):
    """An invocation of an assistant on a thread (``object: "thread.run"``).

    Timestamps keep their wire names in unix seconds (``created_at``); the matching properties
    without ``_at`` (``created``, ``completed``) give aware datetimes.
    """

    id: str
    object: Literal["thread.run"] = "thread.run"
    created_at: int
    thread_id: str
    assistant_id: str
    status: RunStatus | str
    required_action: RequiredAction | None = None
    last_error: LastError | None = None
    expires_at: int | None = None
    started_at: int | None = None
    cancelled_at: int | None = None
    failed_at: int | None = None
    completed_at: int | None = None
    incomplete_details: IncompleteDetails | None = None
    model: str
    instructions: str | None = ""
    """A string on the wire (the SDK requires one), but the spec's own examples send null."""
    tools: list[Tool] = Field(default_factory=list)
    metadata: Metadata | None = None
    usage: Usage | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_prompt_tokens: int | None = None
    max_completion_tokens: int | None = None
    truncation_strategy: TruncationStrategy | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool = True
    response_format: ResponseFormat | None = None
    reasoning_effort: ReasoningEffort | str | None = None

    @property
    def created(self) -> datetime:
        return to_datetime(self.created_at)  # type: ignore[return-value]

    @property
    def expires(self) -> datetime | None:
        return to_datetime(self.expires_at)

    @property
    def started(self) -> datetime | None:
        return to_datetime(self.started_at)

    @property
    def cancelled(self) -> datetime | None:
        return to_datetime(self.cancelled_at)

    @property
    def failed(self) -> datetime | None:
        return to_datetime(self.failed_at)

    @property
    def completed(self) -> datetime | None:
        return to_datetime(self.completed_at)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_RUN_STATUSES

    @property
    def pending_tool_calls(self) -> list[RequiredActionFunctionToolCall]:
        """The calls waiting for outputs (empty unless the run requires tool outputs)."""
        action = self.required_action
        if action is None or action.submit_tool_outputs is None:
            return []
        return list(action.submit_tool_outputs.tool_calls)
