"""Request bodies, validated before they are sent (client) or acted on (server).

Each limit of the wire reference is checked here, once, for both sides: metadata at most 16 keys
(keys <= 64 chars, values <= 512), temperature 0..2, top_p 0..1, token limits >= 256, at most 20
tools on a run and 128 on an assistant, ``last_messages`` >= 1. A bad request raises
``RequestValidationError`` naming the field (``param``), as the server's 400 does.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from ._base import RequestModel

MAX_RUN_TOOLS = 20
MAX_ASSISTANT_TOOLS = 128
MIN_TOKEN_LIMIT = 256

MetadataKey = Annotated[str, StringConstraints(max_length=64)]
MetadataValue = Annotated[str, StringConstraints(max_length=512)]
MetadataParam = Annotated[dict[MetadataKey, MetadataValue], Field(max_length=16)]
Temperature = Annotated[float, Field(ge=0, le=2)]
TopP = Annotated[float, Field(ge=0, le=1)]
TokenLimit = Annotated[int, Field(ge=MIN_TOKEN_LIMIT)]
FUNCTION_NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
"""What a function (tool) name may be on the wire."""
FunctionName = Annotated[str, StringConstraints(pattern=FUNCTION_NAME_PATTERN)]
ReasoningEffortParam = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]


class RequestValidationError(ValueError):
    """A request that breaks the wire's rules. ``param`` names the field, as in a 400 error body."""

    def __init__(self, message: str, param: str | None = None, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        self.errors = errors or []

    @classmethod
    def from_pydantic(
        cls, exc: ValidationError, data: Any = None, prefix: str = ""
    ) -> RequestValidationError:
        errors = exc.errors(include_url=False, include_input=False)
        first = min(errors, key=lambda e: _error_rank(e, data))
        param = _loc_to_param(first["loc"], data, prefix, first["type"])
        message = _describe(first)
        if param:
            message = f"Invalid '{param}': {message}"
        return cls(message, param=param or None, errors=[dict(e) for e in errors])


def _loc_to_param(loc: tuple[int | str, ...], data: Any, prefix: str = "", kind: str = "missing") -> str:
    """The field path of an error, written as the API writes ``param`` (``tools[0].function.name``).

    pydantic puts union tags and validator names into ``loc``; walking the input data tells real
    fields (present in the data) from those markers. A tag can also be a field name
    (``{"type": "text", "text": ...}``), so both readings are tried, the field first.
    """
    found = _walk(loc, 0, data, prefix, kind, strict=True)
    if found is None:  # the last part is a marker of a kind we do not know (``str``, a class name)
        found = _walk(loc, 0, data, prefix, kind, strict=False)
    return prefix if found is None else found


def _walk(loc: tuple[int | str, ...], i: int, cur: Any, out: str, kind: str, *, strict: bool) -> str | None:
    """The path for ``loc[i:]`` inside ``cur``, or None when this reading does not fit the data."""
    if i == len(loc):
        return out
    part, last = loc[i], i == len(loc) - 1
    if not last and loc[i + 1] == "[key]":
        return out  # a bad dict key: the dict is the field at fault, the key goes in the message
    if isinstance(part, int) and isinstance(cur, list) and 0 <= part < len(cur):
        return _walk(loc, i + 1, cur[part], f"{out}[{part}]", kind, strict=strict)
    if isinstance(part, str) and isinstance(cur, dict) and part in cur:
        as_field = _walk(loc, i + 1, cur[part], f"{out}.{part}" if out else part, kind, strict=strict)
        if as_field is not None or cur.get("type") != part:
            return as_field
        return _walk(loc, i + 1, cur, out, kind, strict=strict)  # it was the union's tag, not the field
    if last and kind == "missing" and isinstance(part, str) and isinstance(cur, dict):
        return f"{out}.{part}" if out else part  # the absent field itself
    if not last or not strict or (isinstance(part, str) and _is_marker(part)):
        return _walk(loc, i + 1, cur, out, kind, strict=strict)  # a union tag or validator name
    return None


def _is_marker(part: str) -> bool:
    return "[" in part or "(" in part or part.startswith("function-")


def _error_rank(error: Any, data: Any) -> tuple[int, int]:
    """Prefer the error that says most: deepest real field first, union-branch mismatches last."""
    param = _loc_to_param(error["loc"], data, kind=error["type"])
    depth = param.count(".") + param.count("[")
    kind = error["type"]
    branch_miss = 2 if kind in ("literal_error", "string_type", "model_type", "list_type") else 0
    return (branch_miss + (kind == "union_tag_invalid"), -depth)


def _describe(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown field; remove it (check the spelling)"
    if kind == "missing":
        return "this field is required"
    if kind == "too_long" and "max_length" in ctx:
        what = "keys" if ctx.get("field_type") == "Dictionary" else "items"
        got = f" (got {ctx['actual_length']})" if ctx.get("actual_length") is not None else ""
        return f"at most {ctx['max_length']} {what} allowed{got}"
    if kind == "too_short" and "min_length" in ctx:
        return f"at least {ctx['min_length']} item{'s' if ctx['min_length'] != 1 else ''} required"
    if kind == "string_too_long" and "[key]" in error["loc"]:
        key = str(error["loc"][error["loc"].index("[key]") - 1])
        shown = key if len(key) <= 20 else key[:20] + "…"
        return f"key {shown!r} has {len(key)} characters; keys are at most {ctx['max_length']}"
    if kind == "string_too_long":
        return f"at most {ctx['max_length']} characters allowed"
    if kind == "string_pattern_mismatch":
        return "only letters, digits, '_' and '-' are allowed, 1 to 64 characters"
    if kind == "union_tag_invalid":
        return f"unknown type {ctx.get('tag')}; expected one of {ctx.get('expected_tags')}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a JSON object"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    msg = str(error["msg"])
    return msg[0].lower() + msg[1:] if msg else kind


def validate_request(model: type[RequestModel], data: Any, *, prefix: str = "") -> Any:
    """Validate ``data`` as ``model``; raise ``RequestValidationError`` naming the bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc, data, prefix) from None


# --- tools ---------------------------------------------------------------------------------------


class FunctionDefinitionParam(RequestModel):
    name: FunctionName
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class FunctionToolParam(RequestModel):
    type: Literal["function"]
    function: FunctionDefinitionParam


class CodeInterpreterToolParam(RequestModel):
    type: Literal["code_interpreter"]


class RankingOptionsParam(RequestModel):
    ranker: Literal["auto", "default_2024_08_21"] | None = None
    score_threshold: Annotated[float, Field(ge=0, le=1)]


class FileSearchSettingsParam(RequestModel):
    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    ranking_options: RankingOptionsParam | None = None


class FileSearchToolParam(RequestModel):
    type: Literal["file_search"]
    file_search: FileSearchSettingsParam | None = None


ToolParam = Annotated[
    Annotated[FunctionToolParam, Tag("function")]
    | Annotated[CodeInterpreterToolParam, Tag("code_interpreter")]
    | Annotated[FileSearchToolParam, Tag("file_search")],
    Discriminator("type"),
]


class ToolChoiceFunctionParam(RequestModel):
    name: str


_TOOL_CHOICE_FORMS = (
    "'none', 'auto', 'required', or an object forcing one tool: "
    '{"type": "function", "function": {"name": "my_function"}}, '
    '{"type": "code_interpreter"} or {"type": "file_search"}'
)
_RESPONSE_FORMAT_FORMS = (
    "'auto' or an object: "
    '{"type": "text"}, {"type": "json_object"} or '
    '{"type": "json_schema", "json_schema": {"name": "my_schema", "schema": {...}}}'
)


class ToolChoiceParam(RequestModel):
    type: Literal["function", "code_interpreter", "file_search"]
    function: ToolChoiceFunctionParam | None = None

    @model_validator(mode="after")
    def _function_needs_name(self) -> ToolChoiceParam:
        if self.type == "function" and self.function is None:
            raise ValueError(
                'a function tool choice names the function: {"type": "function", "function": {"name": "my_function"}}'
            )
        return self


ToolChoiceOption = Literal["none", "auto", "required"] | ToolChoiceParam


def _check_tool_choice(value: Any) -> Any:
    """Refuse a wrong *form* of tool_choice with the forms that are allowed (details go to the models)."""
    if value is None or isinstance(value, dict | ToolChoiceParam) or value in ("none", "auto", "required"):
        return value
    raise ValueError(f"{value!r} is not a tool choice; use {_TOOL_CHOICE_FORMS}")


def _check_response_format(value: Any) -> Any:
    if value is None or value == "auto" or isinstance(value, dict | RequestModel):
        return value
    raise ValueError(f"{value!r} is not a response format; use {_RESPONSE_FORMAT_FORMS}")


class ResponseFormatTextParam(RequestModel):
    type: Literal["text"]


class ResponseFormatJSONObjectParam(RequestModel):
    type: Literal["json_object"]


class JSONSchemaParam(RequestModel):
    name: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_-]{1,64}$")]
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponseFormatJSONSchemaParam(RequestModel):
    type: Literal["json_schema"]
    json_schema: JSONSchemaParam


ResponseFormatParam = Annotated[
    Annotated[ResponseFormatTextParam, Tag("text")]
    | Annotated[ResponseFormatJSONObjectParam, Tag("json_object")]
    | Annotated[ResponseFormatJSONSchemaParam, Tag("json_schema")],
    Discriminator("type"),
]
ResponseFormatOption = Literal["auto"] | ResponseFormatParam


class TruncationStrategyParam(RequestModel):
    type: Literal["auto", "last_messages"]
    last_messages: Annotated[int, Field(ge=1)] | None = None


# --- tool resources -------------------------------------------------------------------------------


class CodeInterpreterResourcesParam(RequestModel):
    file_ids: Annotated[list[str], Field(max_length=20)] = Field(default_factory=list)


class VectorStoreHelperParam(RequestModel):
    file_ids: list[str] | None = None
    chunking_strategy: dict[str, Any] | None = None
    metadata: MetadataParam | None = None


class FileSearchResourcesParam(RequestModel):
    vector_store_ids: Annotated[list[str], Field(max_length=1)] | None = None
    vector_stores: Annotated[list[VectorStoreHelperParam], Field(max_length=1)] | None = None


class ToolResourcesParam(RequestModel):
    code_interpreter: CodeInterpreterResourcesParam | None = None
    file_search: FileSearchResourcesParam | None = None


# --- messages -------------------------------------------------------------------------------------


class TextPartParam(RequestModel):
    type: Literal["text"]
    text: str


class ImageFileParam(RequestModel):
    file_id: str
    detail: Literal["auto", "low", "high"] | None = None


class ImageFilePartParam(RequestModel):
    type: Literal["image_file"]
    image_file: ImageFileParam


class ImageURLParam(RequestModel):
    url: str
    detail: Literal["auto", "low", "high"] | None = None


class ImageURLPartParam(RequestModel):
    type: Literal["image_url"]
    image_url: ImageURLParam


ContentPartParam = Annotated[
    Annotated[TextPartParam, Tag("text")]
    | Annotated[ImageFilePartParam, Tag("image_file")]
    | Annotated[ImageURLPartParam, Tag("image_url")],
    Discriminator("type"),
]


class AttachmentToolParam(RequestModel):
    type: Literal["code_interpreter", "file_search"]


class AttachmentParam(RequestModel):
    file_id: str | None = None
    tools: list[AttachmentToolParam] | None = None


class CreateMessageRequest(RequestModel):
    """``POST /threads/{thread_id}/messages`` and each of a run's ``additional_messages``."""

    role: Literal["user", "assistant"]
    content: str | Annotated[list[ContentPartParam], Field(min_length=1)]
    attachments: list[AttachmentParam] | None = None
    metadata: MetadataParam | None = None


class ModifyMessageRequest(RequestModel):
    metadata: MetadataParam | None = None


# --- threads --------------------------------------------------------------------------------------


class CreateThreadRequest(RequestModel):
    """``POST /threads`` (the body may be ``{}``)."""

    messages: list[CreateMessageRequest] | None = None
    tool_resources: ToolResourcesParam | None = None
    metadata: MetadataParam | None = None


class ModifyThreadRequest(RequestModel):
    tool_resources: ToolResourcesParam | None = None
    metadata: MetadataParam | None = None


# --- runs -----------------------------------------------------------------------------------------


class _RunOptions(RequestModel):
    """The options a run takes, shared by create-run and create-thread-and-run."""

    assistant_id: str
    model: str | None = None
    instructions: str | None = None
    tools: Annotated[list[ToolParam], Field(max_length=MAX_RUN_TOOLS)] | None = None
    metadata: MetadataParam | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    stream: bool | None = None
    max_prompt_tokens: TokenLimit | None = None
    max_completion_tokens: TokenLimit | None = None
    truncation_strategy: TruncationStrategyParam | None = None
    tool_choice: ToolChoiceOption | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormatOption | None = None

    @field_validator("assistant_id")
    @classmethod
    def _assistant_id_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("an assistant id is required")
        return value

    @field_validator("tool_choice", mode="before")
    @classmethod
    def _tool_choice_form(cls, value: Any) -> Any:
        return _check_tool_choice(value)

    @field_validator("response_format", mode="before")
    @classmethod
    def _response_format_form(cls, value: Any) -> Any:
        return _check_response_format(value)


class CreateRunRequest(_RunOptions):
    """``POST /threads/{thread_id}/runs``: every field of the seeds' CreateRunRequest."""

    reasoning_effort: ReasoningEffortParam | None = None
    additional_instructions: str | None = None
    additional_messages: list[CreateMessageRequest] | None = None


class CreateThreadAndRunRequest(_RunOptions):
    """``POST /threads/runs``: a new thread and a run on it in one call."""

    thread: CreateThreadRequest | None = None
    tool_resources: ToolResourcesParam | None = None
    reasoning_effort: ReasoningEffortParam | None = None


class ToolOutputParam(RequestModel):
    tool_call_id: str
    output: str


class SubmitToolOutputsRequest(RequestModel):
    """``POST .../runs/{run_id}/submit_tool_outputs``: all outputs in a single request."""

    tool_outputs: list[ToolOutputParam]
    stream: bool | None = None


class ModifyRunRequest(RequestModel):
    metadata: MetadataParam | None = None


# --- assistants -----------------------------------------------------------------------------------


class _AssistantFields(RequestModel):
    name: Annotated[str, StringConstraints(max_length=256)] | None = None
    description: Annotated[str, StringConstraints(max_length=512)] | None = None
    instructions: Annotated[str, StringConstraints(max_length=256_000)] | None = None
    tools: Annotated[list[ToolParam], Field(max_length=MAX_ASSISTANT_TOOLS)] | None = None
    tool_resources: ToolResourcesParam | None = None
    metadata: MetadataParam | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    response_format: ResponseFormatOption | None = None
    reasoning_effort: ReasoningEffortParam | None = None

    @field_validator("response_format", mode="before")
    @classmethod
    def _response_format_form(cls, value: Any) -> Any:
        return _check_response_format(value)


class CreateAssistantRequest(_AssistantFields):
    model: str


class ModifyAssistantRequest(_AssistantFields):
    model: str | None = None


# --- list queries ---------------------------------------------------------------------------------


class ListQuery(RequestModel):
    """Pagination of every list route: ``limit`` 1..100 (default 20), ``order`` (default desc), cursors."""

    limit: Annotated[int, Field(ge=1, le=100)] = 20
    order: Literal["asc", "desc"] = "desc"
    after: str | None = None
    before: str | None = None
