"""Delta objects carried by ``thread.message.delta`` and ``thread.run.step.delta`` events.

Every list entry carries ``index`` (its position in the snapshot's list); strings are appended to
what came before. ``run_widgets.state`` applies them. Their unions pick a variant by its ``type``
inside pydantic-core (see ``common.unknown_only``): a stream parses one of these per frame.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field

from ._base import WireModel
from .common import unknown_only

# --- message deltas -------------------------------------------------------------------------------


class FileCitationDelta(WireModel):
    file_id: str | None = None
    quote: str | None = None


class FilePathDelta(WireModel):
    file_id: str | None = None


class AnnotationDelta(WireModel):
    index: int
    type: Literal["file_citation", "file_path"] | str
    text: str | None = None
    file_citation: FileCitationDelta | None = None
    file_path: FilePathDelta | None = None
    start_index: int | None = None
    end_index: int | None = None


class TextDelta(WireModel):
    value: str | None = None
    annotations: list[AnnotationDelta] | None = None


class TextDeltaBlock(WireModel):
    index: int
    type: Literal["text"] = "text"
    text: TextDelta | None = None


class ImageFileDelta(WireModel):
    file_id: str | None = None
    detail: str | None = None


class ImageFileDeltaBlock(WireModel):
    index: int
    type: Literal["image_file"] = "image_file"
    image_file: ImageFileDelta | None = None


class ImageURLDelta(WireModel):
    url: str | None = None
    detail: str | None = None


class ImageURLDeltaBlock(WireModel):
    index: int
    type: Literal["image_url"] = "image_url"
    image_url: ImageURLDelta | None = None


class RefusalDeltaBlock(WireModel):
    index: int
    type: Literal["refusal"] = "refusal"
    refusal: str | None = None


class UnknownDeltaBlock(WireModel):
    index: int
    type: str


MessageContentDelta = Annotated[
    Annotated[
        TextDeltaBlock | ImageFileDeltaBlock | ImageURLDeltaBlock | RefusalDeltaBlock, Discriminator("type")
    ]
    | Annotated[UnknownDeltaBlock, unknown_only(frozenset({"text", "image_file", "image_url", "refusal"}))],
    Field(union_mode="left_to_right"),
]


class MessageDelta(WireModel):
    role: Literal["user", "assistant"] | str | None = None
    content: list[MessageContentDelta] | None = None


class MessageDeltaEvent(WireModel):
    """The data of ``thread.message.delta``."""

    id: str
    object: Literal["thread.message.delta"] = "thread.message.delta"
    delta: MessageDelta


# --- run step deltas ------------------------------------------------------------------------------


class MessageCreationDelta(WireModel):
    message_id: str | None = None


class MessageCreationDeltaDetails(WireModel):
    type: Literal["message_creation"] = "message_creation"
    message_creation: MessageCreationDelta | None = None


class FunctionDelta(WireModel):
    name: str | None = None
    arguments: str | None = None
    output: str | None = None


class FunctionToolCallDelta(WireModel):
    index: int
    type: Literal["function"] = "function"
    id: str | None = None
    function: FunctionDelta | None = None


class CodeInterpreterLogsDelta(WireModel):
    index: int
    type: Literal["logs"] = "logs"
    logs: str | None = None


class CodeInterpreterImageDelta(WireModel):
    file_id: str | None = None


class CodeInterpreterImageOutputDelta(WireModel):
    index: int
    type: Literal["image"] = "image"
    image: CodeInterpreterImageDelta | None = None


class UnknownCodeInterpreterOutputDelta(WireModel):
    index: int
    type: str


CodeInterpreterOutputDelta = Annotated[
    Annotated[CodeInterpreterLogsDelta | CodeInterpreterImageOutputDelta, Discriminator("type")]
    | Annotated[UnknownCodeInterpreterOutputDelta, unknown_only(frozenset({"logs", "image"}))],
    Field(union_mode="left_to_right"),
]


class CodeInterpreterDelta(WireModel):
    input: str | None = None
    outputs: list[CodeInterpreterOutputDelta] | None = None


class CodeInterpreterToolCallDelta(WireModel):
    index: int
    type: Literal["code_interpreter"] = "code_interpreter"
    id: str | None = None
    code_interpreter: CodeInterpreterDelta | None = None


class FileSearchToolCallDelta(WireModel):
    index: int
    type: Literal["file_search"] = "file_search"
    id: str | None = None
    file_search: dict[str, Any] = Field(default_factory=dict)


class UnknownToolCallDelta(WireModel):
    index: int
    type: str
    id: str | None = None


ToolCallDelta = Annotated[
    Annotated[
        FunctionToolCallDelta | CodeInterpreterToolCallDelta | FileSearchToolCallDelta, Discriminator("type")
    ]
    | Annotated[
        UnknownToolCallDelta, unknown_only(frozenset({"function", "code_interpreter", "file_search"}))
    ],
    Field(union_mode="left_to_right"),
]


class ToolCallsDeltaDetails(WireModel):
    type: Literal["tool_calls"] = "tool_calls"
    tool_calls: list[ToolCallDelta] | None = None


class UnknownStepDeltaDetails(WireModel):
    type: str


StepDetailsDelta = Annotated[
    Annotated[MessageCreationDeltaDetails | ToolCallsDeltaDetails, Discriminator("type")]
    | Annotated[UnknownStepDeltaDetails, unknown_only(frozenset({"message_creation", "tool_calls"}))],
    Field(union_mode="left_to_right"),
]


class RunStepDelta(WireModel):
    step_details: StepDetailsDelta | None = None


class RunStepDeltaEvent(WireModel):
    """The data of ``thread.run.step.delta``."""

    id: str
    object: Literal["thread.run.step.delta"] = "thread.run.step.delta"
    delta: RunStepDelta
