"""RunStep and its details: message creation, function, code interpreter and file search calls."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, Tag

from ._base import WireModel, to_datetime
from .common import FileSearchRankingOptions, LastError, Metadata, Usage, type_tag

RunStepStatus = Literal["in_progress", "cancelled", "failed", "completed", "expired"]
RunStepType = Literal["message_creation", "tool_calls"]

FILE_SEARCH_CONTENT_INCLUDE = "step_details.tool_calls[*].file_search.results[*].content"
"""The one ``include[]`` value: file search results carry their content."""


class MessageCreation(WireModel):
    message_id: str


class MessageCreationStepDetails(WireModel):
    type: Literal["message_creation"] = "message_creation"
    message_creation: MessageCreation


class FunctionToolCallFunction(WireModel):
    name: str
    arguments: str
    output: str | None = None


class FunctionToolCall(WireModel):
    id: str
    type: Literal["function"] = "function"
    function: FunctionToolCallFunction


class CodeInterpreterLogsOutput(WireModel):
    type: Literal["logs"] = "logs"
    logs: str


class CodeInterpreterImage(WireModel):
    file_id: str


class CodeInterpreterImageOutput(WireModel):
    type: Literal["image"] = "image"
    image: CodeInterpreterImage


class UnknownCodeInterpreterOutput(WireModel):
    type: str


CodeInterpreterOutput = Annotated[
    Annotated[CodeInterpreterLogsOutput, Tag("logs")]
    | Annotated[CodeInterpreterImageOutput, Tag("image")]
    | Annotated[UnknownCodeInterpreterOutput, Tag("unknown")],
    type_tag(frozenset({"logs", "image"})),
]


class CodeInterpreter(WireModel):
    input: str
    outputs: list[CodeInterpreterOutput] = Field(default_factory=list)


class CodeInterpreterToolCall(WireModel):
    id: str
    type: Literal["code_interpreter"] = "code_interpreter"
    code_interpreter: CodeInterpreter


class FileSearchResultContent(WireModel):
    type: Literal["text"] | str = "text"
    text: str | None = None


class FileSearchResult(WireModel):
    file_id: str
    file_name: str
    score: float
    content: list[FileSearchResultContent] | None = None


class FileSearch(WireModel):
    ranking_options: FileSearchRankingOptions | None = None
    results: list[FileSearchResult] | None = None


class FileSearchToolCall(WireModel):
    id: str
    type: Literal["file_search"] = "file_search"
    file_search: FileSearch | dict[str, Any] = Field(default_factory=dict)


class UnknownToolCall(WireModel):
    id: str | None = None
    type: str


ToolCall = Annotated[
    Annotated[FunctionToolCall, Tag("function")]
    | Annotated[CodeInterpreterToolCall, Tag("code_interpreter")]
    | Annotated[FileSearchToolCall, Tag("file_search")]
    | Annotated[UnknownToolCall, Tag("unknown")],
    type_tag(frozenset({"function", "code_interpreter", "file_search"})),
]


class ToolCallsStepDetails(WireModel):
    type: Literal["tool_calls"] = "tool_calls"
    tool_calls: list[ToolCall] = Field(default_factory=list)


class UnknownStepDetails(WireModel):
    type: str


StepDetails = Annotated[
    Annotated[MessageCreationStepDetails, Tag("message_creation")]
    | Annotated[ToolCallsStepDetails, Tag("tool_calls")]
    | Annotated[UnknownStepDetails, Tag("unknown")],
    type_tag(frozenset({"message_creation", "tool_calls"})),
]


class RunStep(WireModel):
    """One step of a run (``object: "thread.run.step"``): a message it wrote or tools it called."""

    id: str
    object: Literal["thread.run.step"] = "thread.run.step"
    created_at: int
    assistant_id: str
    thread_id: str
    run_id: str
    type: RunStepType | str
    status: RunStepStatus | str
    step_details: StepDetails
    last_error: LastError | None = None
    expired_at: int | None = None
    cancelled_at: int | None = None
    failed_at: int | None = None
    completed_at: int | None = None
    metadata: Metadata | None = None
    usage: Usage | None = None

    @property
    def created(self) -> datetime:
        return to_datetime(self.created_at)  # type: ignore[return-value]

    @property
    def expired(self) -> datetime | None:
        return to_datetime(self.expired_at)

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
    def ended_at(self) -> int | None:
        """When the step stopped, whatever the outcome."""
        return self.completed_at or self.failed_at or self.cancelled_at or self.expired_at
