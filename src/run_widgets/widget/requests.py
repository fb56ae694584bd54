"""Requests from the front end (``model.send({type, req_id, ...})``), validated before anything runs.

See docs/card-protocol.md, "Requests". Parsing never raises: a bad request becomes a short error
for the ack (or, without a usable ``req_id``, nothing: there is no one to answer).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

ReqId = Annotated[str, Field(min_length=1, max_length=200)]
CallId = Annotated[str, Field(min_length=1, max_length=200)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    req_id: ReqId


class ToolOutput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tool_call_id: CallId
    output: str


class SubmitToolOutputs(_Request):
    type: Literal["submit_tool_outputs"]
    outputs: list[ToolOutput] = Field(min_length=1)


class RunTools(_Request):
    type: Literal["run_tools"]
    tool_call_ids: list[CallId] = Field(min_length=1)
    submit: bool = False
    drafts: dict[str, str] = Field(default_factory=dict)


class Cancel(_Request):
    type: Literal["cancel"]


class Detail(_Request):
    type: Literal["detail"]
    step_id: Annotated[str, Field(min_length=1, max_length=200)]


class Export(_Request):
    type: Literal["export"]
    step_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class Resync(_Request):
    type: Literal["resync"]


Request = Annotated[
    SubmitToolOutputs | RunTools | Cancel | Detail | Export | Resync,
    Field(discriminator="type"),
]
REQUEST_TYPES = ("submit_tool_outputs", "run_tools", "cancel", "detail", "export", "resync")

_ADAPTER: TypeAdapter[Request] = TypeAdapter(Request)


class BadRequest(Exception):
    """A request that cannot be handled; ``req_id`` is None when there is no one to answer."""

    def __init__(self, req_id: str | None, message: str) -> None:
        super().__init__(message)
        self.req_id = req_id
        self.message = message


def parse_request(content: Any) -> Request:
    """The typed request, or ``BadRequest`` with a one-line reason."""
    if not isinstance(content, dict):
        raise BadRequest(None, "a request must be a JSON object")
    raw_id = content.get("req_id")
    req_id = raw_id if isinstance(raw_id, str) and 0 < len(raw_id) <= 200 else None
    kind = content.get("type")
    if kind not in REQUEST_TYPES:
        raise BadRequest(
            req_id, f"unknown request type {str(kind)[:40]!r}; expected one of {', '.join(REQUEST_TYPES)}"
        )
    try:
        return _ADAPTER.validate_python(content)
    except ValidationError as exc:
        raise BadRequest(req_id, f"bad {kind} request: {_first_problem(exc)}") from None


def _first_problem(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "invalid"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in REQUEST_TYPES)
    message = str(first.get("msg", "invalid"))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {message}{more}" if where else f"{message}{more}"
