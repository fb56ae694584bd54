"""Pieces shared by runs, assistants and steps: tools, tool choice, response format, usage, errors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag

from ._base import WireModel

Metadata = dict[str, str]

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]


def type_tag(known: frozenset[str], key: str = "type") -> Any:
    """A discriminator that sends unknown tags to the ``unknown`` variant instead of failing."""

    def pick(value: Any) -> str:
        tag = value.get(key) if isinstance(value, dict) else getattr(value, key, None)
        return tag if tag in known else "unknown"

    return Discriminator(pick)


def unknown_only(known: frozenset[str], key: str = "type") -> Any:
    """Metadata for the catch-all variant after a tagged union: it refuses the known tags.

    ``Annotated[A | B, Discriminator("type")] | Annotated[Unknown, unknown_only({...})]`` with
    ``union_mode="left_to_right"`` picks a known variant by its tag inside pydantic-core (no Python
    call per object, which matters for the millions of deltas a stream carries), sends unknown tags
    to the catch-all, and still fails on a known variant that does not match its schema.
    """

    def refuse_known(value: Any) -> Any:
        tag = getattr(value, key, None)
        if tag in known:
            raise ValueError(f"this {tag!r} object does not match the {tag!r} schema")
        return value

    return AfterValidator(refuse_known)


class Usage(WireModel):
    """Token counts of a run or a step (null until it ends)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class LastError(WireModel):
    """Why a run or step failed. ``code`` is server_error, rate_limit_exceeded or invalid_prompt."""

    code: Literal["server_error", "rate_limit_exceeded", "invalid_prompt"] | str
    message: str


# --- tools ---------------------------------------------------------------------------------------


class FunctionDefinition(WireModel):
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class FunctionTool(WireModel):
    type: Literal["function"] = "function"
    function: FunctionDefinition


class CodeInterpreterTool(WireModel):
    type: Literal["code_interpreter"] = "code_interpreter"


class FileSearchRankingOptions(WireModel):
    ranker: Literal["auto", "default_2024_08_21"] | str | None = None
    score_threshold: float


class FileSearchSettings(WireModel):
    max_num_results: int | None = None
    ranking_options: FileSearchRankingOptions | None = None


class FileSearchTool(WireModel):
    type: Literal["file_search"] = "file_search"
    file_search: FileSearchSettings | None = None


class UnknownTool(WireModel):
    """A tool type this version does not know; kept as it came."""

    type: str


Tool = Annotated[
    Annotated[FunctionTool, Tag("function")]
    | Annotated[CodeInterpreterTool, Tag("code_interpreter")]
    | Annotated[FileSearchTool, Tag("file_search")]
    | Annotated[UnknownTool, Tag("unknown")],
    type_tag(frozenset({"function", "code_interpreter", "file_search"})),
]


# --- tool choice, response format, truncation ----------------------------------------------------


class ToolChoiceFunction(WireModel):
    name: str


class ToolChoiceObject(WireModel):
    """Forces one tool: ``{"type": "function", "function": {"name": "f"}}`` or a built-in type."""

    type: Literal["function", "code_interpreter", "file_search"] | str
    function: ToolChoiceFunction | None = None


ToolChoice = Literal["none", "auto", "required"] | ToolChoiceObject | str
"""``none``/``auto``/``required``, an object forcing a tool, or (read tolerantly) a newer string."""


class ResponseFormatText(WireModel):
    type: Literal["text"] = "text"


class ResponseFormatJSONObject(WireModel):
    type: Literal["json_object"] = "json_object"


class JSONSchemaFormat(WireModel):
    name: str
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponseFormatJSONSchema(WireModel):
    type: Literal["json_schema"] = "json_schema"
    json_schema: JSONSchemaFormat


class UnknownResponseFormat(WireModel):
    type: str


ResponseFormatObject = Annotated[
    Annotated[ResponseFormatText, Tag("text")]
    | Annotated[ResponseFormatJSONObject, Tag("json_object")]
    | Annotated[ResponseFormatJSONSchema, Tag("json_schema")]
    | Annotated[UnknownResponseFormat, Tag("unknown")],
    type_tag(frozenset({"text", "json_object", "json_schema"})),
]

ResponseFormat = Literal["auto"] | ResponseFormatObject | str
"""``auto``, a format object, or (read tolerantly) a newer string."""


class TruncationStrategy(WireModel):
    """How the thread is cut before the run: ``auto`` or the ``last_messages`` N."""

    type: Literal["auto", "last_messages"] | str
    last_messages: int | None = None


# --- tool resources ------------------------------------------------------------------------------


class CodeInterpreterResources(WireModel):
    file_ids: list[str] = Field(default_factory=list)


class FileSearchResources(WireModel):
    vector_store_ids: list[str] = Field(default_factory=list)


class ToolResources(WireModel):
    code_interpreter: CodeInterpreterResources | None = None
    file_search: FileSearchResources | None = None


# --- error envelope -------------------------------------------------------------------------------


class ErrorObject(WireModel):
    """The body of every error: ``{"error": {"message", "type", "param", "code"}}``."""

    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None


class ErrorResponse(WireModel):
    error: ErrorObject
