"""Reading is tolerant and lossless: spec-shaped JSON in, the same JSON out, every variant typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import wire_samples as samples
from pydantic import BaseModel

from run_widgets.models import (
    TERMINAL_RUN_STATUSES,
    Assistant,
    CodeInterpreterImageOutput,
    CodeInterpreterImageOutputDelta,
    CodeInterpreterLogsDelta,
    CodeInterpreterLogsOutput,
    CodeInterpreterTool,
    CodeInterpreterToolCall,
    CodeInterpreterToolCallDelta,
    ErrorResponse,
    FileCitationAnnotation,
    FilePathAnnotation,
    FileSearchTool,
    FileSearchToolCall,
    FileSearchToolCallDelta,
    FunctionTool,
    FunctionToolCall,
    FunctionToolCallDelta,
    ImageFileContentBlock,
    ImageFileDeltaBlock,
    ImageURLContentBlock,
    ImageURLDeltaBlock,
    ListObject,
    Message,
    MessageCreationDeltaDetails,
    MessageCreationStepDetails,
    MessageDeltaEvent,
    RefusalContentBlock,
    RefusalDeltaBlock,
    RequiredActionFunctionToolCall,
    ResponseFormatJSONObject,
    ResponseFormatJSONSchema,
    ResponseFormatText,
    Run,
    RunStep,
    RunStepDeltaEvent,
    TextContentBlock,
    TextDeltaBlock,
    Thread,
    ToolCallsDeltaDetails,
    ToolCallsStepDetails,
    ToolChoiceObject,
    UnknownAnnotation,
    UnknownCodeInterpreterOutput,
    UnknownCodeInterpreterOutputDelta,
    UnknownContentBlock,
    UnknownDeltaBlock,
    UnknownResponseFormat,
    UnknownStepDeltaDetails,
    UnknownStepDetails,
    UnknownTool,
    UnknownToolCall,
    UnknownToolCallDelta,
    parse_event,
)

JSON = dict[str, Any]


def every_sample() -> list[tuple[str, type[BaseModel], JSON]]:
    cases: list[tuple[str, type[BaseModel], JSON]] = []
    cases += [(f"run-{status}", Run, samples.run(status)) for status in samples.RUN_STATUSES]
    cases += [("run-full", Run, samples.full_run())]
    cases += [
        (f"run-tool_choice-{i}", Run, samples.run(tool_choice=c)) for i, c in enumerate(samples.TOOL_CHOICES)
    ]
    cases += [
        (f"run-response_format-{i}", Run, samples.run(response_format=f))
        for i, f in enumerate(samples.RESPONSE_FORMATS)
    ]
    cases += [
        (f"run-truncation-{t['type']}", Run, samples.run(truncation_strategy=t))
        for t in samples.TRUNCATION_STRATEGIES
    ]
    cases += [(f"run-effort-{e}", Run, samples.run(reasoning_effort=e)) for e in samples.REASONING_EFFORTS]
    cases += [(f"step-{name}", RunStep, data) for name, data in samples.all_steps().items()]
    cases += [
        (f"step-status-{s}", RunStep, samples.step(samples.MESSAGE_CREATION_DETAILS, status=s))
        for s in samples.STEP_STATUSES
    ]
    cases += [(f"message-{name}", Message, data) for name, data in samples.all_messages().items()]
    cases += [("thread", Thread, samples.thread()), ("assistant", Assistant, samples.assistant())]
    cases += [
        ("thread-bare", Thread, {"id": "thread_1", "object": "thread", "created_at": 1, "metadata": None})
    ]
    cases += [(f"message-delta-{n}", MessageDeltaEvent, d) for n, d in samples.all_message_deltas().items()]
    cases += [(f"step-delta-{n}", RunStepDeltaEvent, d) for n, d in samples.all_step_deltas().items()]
    cases += [("error", ErrorResponse, samples.error_envelope())]
    return cases


CASES = every_sample()


@pytest.mark.parametrize(("model", "data"), [(m, d) for _, m, d in CASES], ids=[c[0] for c in CASES])
def test_spec_shaped_json_round_trips_unchanged(model: type[BaseModel], data: JSON) -> None:
    obj = model.model_validate(data)
    assert obj.to_dict() == data  # type: ignore[attr-defined]
    assert model.model_validate_json(obj.to_json()).to_dict() == data  # type: ignore[attr-defined]


def with_extra_key_everywhere(value: Any) -> Any:
    """A copy with an unknown ``x_new`` key in every object, however deep (in lists too)."""
    if isinstance(value, dict):
        return {**{k: with_extra_key_everywhere(v) for k, v in value.items()}, "x_new": "kept"}
    if isinstance(value, list):
        return [with_extra_key_everywhere(v) for v in value]
    return value


@pytest.mark.parametrize(("model", "data"), [(m, d) for _, m, d in CASES], ids=[c[0] for c in CASES])
def test_unknown_fields_are_kept_at_every_level(model: type[BaseModel], data: JSON) -> None:
    data = with_extra_key_everywhere(data)
    data["x_new_top_level"] = {"nested": [1, 2]}
    obj = model.model_validate(data)
    assert obj.to_dict() == data  # type: ignore[attr-defined]
    assert obj.x_new_top_level == {"nested": [1, 2]}  # type: ignore[attr-defined]


def test_a_run_that_requires_action_exposes_its_calls() -> None:
    run = Run.model_validate(samples.run("requires_action"))
    assert run.status == "requires_action" and not run.is_terminal
    calls = run.pending_tool_calls
    assert [type(c) for c in calls] == [RequiredActionFunctionToolCall] * 2
    assert calls[0].id == "call_FthC9qRpsL5kBpwwyw6c7j4k"
    assert calls[0].function.name == "get_current_weather"
    assert calls[0].function.arguments == '{"location":"San Francisco, CA","unit":"fahrenheit"}'
    assert Run.model_validate(samples.run("in_progress")).pending_tool_calls == []


@pytest.mark.parametrize("status", samples.RUN_STATUSES)
def test_terminal_statuses_are_the_five_that_end_a_run(status: str) -> None:
    terminal = {"cancelled", "failed", "completed", "incomplete", "expired"}  # reference §4
    run = Run.model_validate(samples.run(status))
    assert run.is_terminal is (status in terminal)
    assert (status in TERMINAL_RUN_STATUSES) is (status in terminal)


def test_run_details_are_typed() -> None:
    failed = Run.model_validate(samples.run("failed"))
    assert failed.last_error is not None and failed.last_error.code == "server_error"
    assert failed.usage is not None and failed.usage.total_tokens == 579
    incomplete = Run.model_validate(samples.run("incomplete"))
    assert incomplete.incomplete_details is not None
    assert incomplete.incomplete_details.reason == "max_completion_tokens"
    full = Run.model_validate(samples.full_run())
    assert [type(t) for t in full.tools] == [FunctionTool, CodeInterpreterTool, FileSearchTool]
    function = full.tools[0]
    assert isinstance(function, FunctionTool) and function.function.parameters is not None
    assert function.function.parameters["required"] == ["location"]
    search = full.tools[2]
    assert isinstance(search, FileSearchTool) and search.file_search is not None
    assert search.file_search.ranking_options is not None
    assert search.file_search.ranking_options.score_threshold == 0.5
    assert isinstance(full.tool_choice, ToolChoiceObject) and full.tool_choice.function is not None
    assert full.tool_choice.function.name == "get_current_weather"
    assert isinstance(full.response_format, ResponseFormatJSONSchema)
    assert full.response_format.json_schema.schema_ == samples.JSON_SCHEMA_FORMAT["json_schema"]["schema"]
    assert full.truncation_strategy is not None and full.truncation_strategy.last_messages == 10
    assert full.metadata == {"user": "ada", "purpose": "demo"}
    assert full.parallel_tool_calls is False


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("auto", str),
        ({"type": "text"}, ResponseFormatText),
        ({"type": "json_object"}, ResponseFormatJSONObject),
        (samples.JSON_SCHEMA_FORMAT, ResponseFormatJSONSchema),
    ],
)
def test_every_response_format_form_reads_as_its_type(value: Any, kind: type) -> None:
    assert type(Run.model_validate(samples.run(response_format=value)).response_format) is kind


@pytest.mark.parametrize("value", samples.TOOL_CHOICES)
def test_every_tool_choice_form_reads(value: Any) -> None:
    choice = Run.model_validate(samples.run(tool_choice=value)).tool_choice
    if isinstance(value, str):
        assert choice == value
    else:
        assert isinstance(choice, ToolChoiceObject) and choice.type == value["type"]


def test_step_details_are_typed_by_variant() -> None:
    steps = {name: RunStep.model_validate(data) for name, data in samples.all_steps().items()}
    creation = steps["message_creation"].step_details
    assert isinstance(creation, MessageCreationStepDetails)
    assert creation.message_creation.message_id == "msg_abc123"

    details = steps["all_tool_calls"].step_details
    assert isinstance(details, ToolCallsStepDetails)
    function, code, search = details.tool_calls
    assert isinstance(function, FunctionToolCall) and function.function.output == "70 degrees and sunny."
    assert isinstance(code, CodeInterpreterToolCall)
    logs, image = code.code_interpreter.outputs
    assert isinstance(logs, CodeInterpreterLogsOutput) and logs.logs == "42\n"
    assert isinstance(image, CodeInterpreterImageOutput) and image.image.file_id == "file-plot123"
    assert isinstance(search, FileSearchToolCall)
    results = search.file_search.results  # type: ignore[union-attr]
    assert results is not None and [r.file_name for r in results] == ["handbook.pdf", "faq.md"]
    assert (
        results[0].content is not None
        and results[0].content[0].text == "Holidays are booked through the portal."
    )
    assert results[1].content is None  # content comes only with include[]

    pending = steps["function_pending"].step_details
    assert isinstance(pending, ToolCallsStepDetails)
    assert (
        isinstance(pending.tool_calls[0], FunctionToolCall) and pending.tool_calls[0].function.output is None
    )
    failed = steps["failed"]
    assert failed.last_error is not None and failed.last_error.code == "rate_limit_exceeded"
    assert failed.ended_at == failed.failed_at


def test_message_parts_and_annotations_are_typed() -> None:
    message = Message.model_validate(samples.all_messages()["every_part"])
    text, image_file, image_url, refusal = message.content
    assert isinstance(text, TextContentBlock)
    citation, path = text.text.annotations
    assert isinstance(citation, FileCitationAnnotation) and citation.file_citation.file_id == "file-doc1"
    assert text.text.value[citation.start_index : citation.end_index] == citation.text
    assert isinstance(path, FilePathAnnotation) and path.file_path.file_id == "file-chart"
    assert text.text.value[path.start_index : path.end_index] == path.text
    assert isinstance(image_file, ImageFileContentBlock) and image_file.image_file.detail == "high"
    assert (
        isinstance(image_url, ImageURLContentBlock)
        and image_url.image_url.url == "https://example.com/cat.png"
    )
    assert isinstance(refusal, RefusalContentBlock) and refusal.refusal == "I can't help with that."
    assert message.text == text.text.value  # only text parts make up the text

    user = Message.model_validate(samples.all_messages()["user_with_attachments"])
    assert user.role == "user" and user.assistant_id is None and user.run_id is None
    assert user.attachments is not None and [t.type for t in user.attachments[0].tools or []] == [
        "file_search",
        "code_interpreter",
    ]
    incomplete = Message.model_validate(samples.all_messages()["incomplete"])
    assert incomplete.incomplete_details is not None and incomplete.incomplete_details.reason == "max_tokens"
    assert incomplete.incomplete is not None and incomplete.completed is None


def test_message_deltas_are_typed() -> None:
    deltas = {name: MessageDeltaEvent.model_validate(d) for name, d in samples.all_message_deltas().items()}
    first = deltas["first_text"].delta
    assert first.role == "assistant" and first.content is not None
    assert isinstance(first.content[0], TextDeltaBlock) and first.content[0].text is not None
    assert first.content[0].text.value == "Hello"
    annotated = deltas["annotations"].delta.content
    assert annotated is not None and isinstance(annotated[0], TextDeltaBlock)
    assert annotated[0].text is not None and annotated[0].text.annotations is not None
    citation, path = annotated[0].text.annotations
    assert citation.type == "file_citation" and citation.file_citation is not None
    assert citation.file_citation.quote == "booked through the portal"
    assert path.type == "file_path" and path.file_path is not None and path.index == 1
    image = deltas["image_file"].delta.content
    assert image is not None and isinstance(image[0], ImageFileDeltaBlock) and image[0].index == 1
    url = deltas["image_url"].delta.content
    assert url is not None and isinstance(url[0], ImageURLDeltaBlock)
    refusal = deltas["refusal"].delta.content
    assert (
        refusal is not None and isinstance(refusal[0], RefusalDeltaBlock) and refusal[0].refusal == "I can't"
    )


def test_step_deltas_are_typed() -> None:
    deltas = {name: RunStepDeltaEvent.model_validate(d) for name, d in samples.all_step_deltas().items()}
    assert isinstance(deltas["message_creation"].delta.step_details, MessageCreationDeltaDetails)
    first = deltas["function_first"].delta.step_details
    assert isinstance(first, ToolCallsDeltaDetails) and first.tool_calls is not None
    call = first.tool_calls[0]
    assert isinstance(call, FunctionToolCallDelta) and call.id == "call_XX" and call.function is not None
    assert call.function.name == "get_current_weather" and call.function.arguments == ""
    code = deltas["code_interpreter"].delta.step_details
    assert isinstance(code, ToolCallsDeltaDetails) and code.tool_calls is not None
    code_call = code.tool_calls[0]
    assert isinstance(code_call, CodeInterpreterToolCallDelta) and code_call.code_interpreter is not None
    outputs = code_call.code_interpreter.outputs
    assert outputs is not None
    assert isinstance(outputs[0], CodeInterpreterLogsDelta) and outputs[0].logs == "42\n"
    assert isinstance(outputs[1], CodeInterpreterImageOutputDelta) and outputs[1].image is not None
    search = deltas["file_search"].delta.step_details
    assert isinstance(search, ToolCallsDeltaDetails) and search.tool_calls is not None
    assert (
        isinstance(search.tool_calls[0], FileSearchToolCallDelta) and search.tool_calls[0].file_search == {}
    )


def test_thread_and_assistant_are_typed() -> None:
    thread = Thread.model_validate(samples.thread())
    assert thread.tool_resources is not None and thread.tool_resources.file_search is not None
    assert thread.tool_resources.file_search.vector_store_ids == ["vs_abc123"]
    assistant = Assistant.model_validate(samples.assistant())
    assert assistant.name == "Math Tutor" and len(assistant.tools) == 3
    assert assistant.created == Run.model_validate(samples.run()).created


def test_lists_read_their_items_as_the_given_type() -> None:
    page = ListObject[Run].model_validate(
        samples.list_of([samples.run(), samples.run("completed", id="run_2")])
    )
    assert [type(r) for r in page.data] == [Run, Run]
    assert (page.first_id, page.last_id, page.has_more) == ("run_abc123", "run_2", False)
    empty = {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}
    assert ListObject[RunStep].model_validate(empty).to_dict() == empty
    steps = samples.list_of(list(samples.all_steps().values()), has_more=True)
    assert ListObject[RunStep].model_validate(steps).to_dict() == steps


def test_the_error_envelope_reads() -> None:
    body = samples.error_envelope(param="tools[0].function.name", code="invalid_value")
    error = ErrorResponse.model_validate(body).error
    assert (error.type, error.param, error.code) == (
        "invalid_request_error",
        "tools[0].function.name",
        "invalid_value",
    )
    minimal = ErrorResponse.model_validate({"error": {"message": "Not found"}})
    assert minimal.error.type == "invalid_request_error" and minimal.to_dict() == {
        "error": {"message": "Not found"}
    }


# --- tolerance ---------------------------------------------------------------------------------------

UNKNOWN_VALUES: list[tuple[str, type[BaseModel], JSON]] = [
    ("run status", Run, samples.run(status="paused")),
    ("run instructions null (spec examples)", Run, samples.run(instructions=None)),
    ("tool_choice string", Run, samples.run(tool_choice="sometimes")),
    ("tool_choice type", Run, samples.run(tool_choice={"type": "web_search"})),
    ("response_format string", Run, samples.run(response_format="yaml")),
    ("response_format type", Run, samples.run(response_format={"type": "yaml", "yaml": {"flow": True}})),
    ("tool type", Run, samples.run(tools=[{"type": "web_search", "web_search": {"depth": 2}}])),
    ("truncation type", Run, samples.run(truncation_strategy={"type": "smart"})),
    ("reasoning effort", Run, samples.run(reasoning_effort="extreme")),
    ("last_error code", Run, samples.run("failed", last_error={"code": "quota", "message": "Out of quota"})),
    ("incomplete reason", Run, samples.run("incomplete", incomplete_details={"reason": "content_filter"})),
    (
        "required action type",
        Run,
        samples.run(
            "requires_action",
            required_action={"type": "approve", "submit_tool_outputs": {"tool_calls": []}},
        ),
    ),
    ("step status", RunStep, samples.step(samples.MESSAGE_CREATION_DETAILS, status="paused")),
    ("step type", RunStep, samples.step({"type": "reasoning", "reasoning": {"summary": "hm"}})),
    (
        "tool call type",
        RunStep,
        samples.step(
            {"type": "tool_calls", "tool_calls": [{"id": "c", "type": "mcp", "mcp": {"server": "s"}}]}
        ),
    ),
    (
        "code interpreter output type",
        RunStep,
        samples.step(
            {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "id": "c",
                        "type": "code_interpreter",
                        "code_interpreter": {"input": "x", "outputs": [{"type": "html", "html": "<b>"}]},
                    }
                ],
            }
        ),
    ),
    ("spec's expires_at on a step", RunStep, samples.step(samples.MESSAGE_CREATION_DETAILS, expires_at=5)),
    ("content part type", Message, samples.message([{"type": "audio", "audio": {"id": "a"}}])),
    (
        "annotation type",
        Message,
        samples.message(
            [{"type": "text", "text": {"value": "x", "annotations": [{"type": "url_citation", "url": "u"}]}}]
        ),
    ),
    ("message status and role", Message, samples.message(status="deleted", role="system")),
    (
        "image detail",
        Message,
        samples.message([{"type": "image_file", "image_file": {"file_id": "f", "detail": "ultra"}}]),
    ),
    (
        "delta part type",
        MessageDeltaEvent,
        samples.message_delta([{"index": 0, "type": "audio", "audio": {}}]),
    ),
    ("step delta type", RunStepDeltaEvent, samples.step_delta({"type": "reasoning"})),
    (
        "tool call delta type",
        RunStepDeltaEvent,
        samples.step_delta({"type": "tool_calls", "tool_calls": [{"index": 0, "type": "mcp"}]}),
    ),
    (
        "code output delta type",
        RunStepDeltaEvent,
        samples.step_delta(
            {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "index": 0,
                        "type": "code_interpreter",
                        "code_interpreter": {"outputs": [{"index": 0, "type": "html"}]},
                    }
                ],
            }
        ),
    ),
    (
        "assistant tool type",
        Assistant,
        samples.assistant(tools=[{"type": "computer"}], response_format="yaml"),
    ),
    ("thread created `enabled`", Thread, {**samples.thread(), "enabled": True}),
    (
        "required action type",
        Run,
        samples.run(
            "requires_action",
            required_action={"type": "other_action", "other_action": {"prompt": "Approve?"}},
        ),
    ),
]


@pytest.mark.parametrize(
    ("model", "data"), [(m, d) for _, m, d in UNKNOWN_VALUES], ids=[c[0] for c in UNKNOWN_VALUES]
)
def test_unknown_values_are_read_and_kept(model: type[BaseModel], data: JSON) -> None:
    assert model.model_validate(data).to_dict() == data  # type: ignore[attr-defined]


def test_unknown_variants_land_in_the_unknown_types() -> None:
    tool = Run.model_validate(samples.run(tools=[{"type": "web_search"}])).tools[0]
    assert isinstance(tool, UnknownTool) and tool.type == "web_search"
    fmt = Run.model_validate(samples.run(response_format={"type": "yaml"})).response_format
    assert isinstance(fmt, UnknownResponseFormat)
    details = RunStep.model_validate(samples.step({"type": "reasoning"})).step_details
    assert isinstance(details, UnknownStepDetails) and details.type == "reasoning"
    calls = RunStep.model_validate(
        samples.step({"type": "tool_calls", "tool_calls": [{"id": "c", "type": "mcp"}]})
    ).step_details
    assert isinstance(calls, ToolCallsStepDetails) and isinstance(calls.tool_calls[0], UnknownToolCall)
    code = RunStep.model_validate(
        samples.step(
            {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "id": "c",
                        "type": "code_interpreter",
                        "code_interpreter": {"input": "", "outputs": [{"type": "html"}]},
                    }
                ],
            }
        )
    ).step_details
    assert isinstance(code, ToolCallsStepDetails) and isinstance(code.tool_calls[0], CodeInterpreterToolCall)
    assert isinstance(code.tool_calls[0].code_interpreter.outputs[0], UnknownCodeInterpreterOutput)
    part = Message.model_validate(samples.message([{"type": "audio"}])).content[0]
    assert isinstance(part, UnknownContentBlock)
    text = Message.model_validate(
        samples.message([{"type": "text", "text": {"value": "x", "annotations": [{"type": "url_citation"}]}}])
    ).content[0]
    assert isinstance(text, TextContentBlock) and isinstance(text.text.annotations[0], UnknownAnnotation)
    delta = MessageDeltaEvent.model_validate(samples.message_delta([{"index": 0, "type": "audio"}])).delta
    assert delta.content is not None and isinstance(delta.content[0], UnknownDeltaBlock)
    step_delta = RunStepDeltaEvent.model_validate(samples.step_delta({"type": "reasoning"})).delta
    assert isinstance(step_delta.step_details, UnknownStepDeltaDetails)
    action_run = Run.model_validate(
        samples.run("requires_action", required_action={"type": "other_action", "other_action": {"id": "x"}})
    )
    action = action_run.required_action
    assert action is not None and action.type == "other_action" and action.submit_tool_outputs is None
    assert action.model_extra == {"other_action": {"id": "x"}}
    assert action_run.pending_tool_calls == []
    event = parse_event("thread.run.requires_action", action_run.to_json())
    assert isinstance(event.data, Run) and event.data.to_dict() == action_run.to_dict()
    call_delta = RunStepDeltaEvent.model_validate(
        samples.step_delta({"type": "tool_calls", "tool_calls": [{"index": 0, "type": "mcp"}]})
    ).delta.step_details
    assert isinstance(call_delta, ToolCallsDeltaDetails) and call_delta.tool_calls is not None
    assert isinstance(call_delta.tool_calls[0], UnknownToolCallDelta)
    output_delta = RunStepDeltaEvent.model_validate(
        samples.step_delta(
            {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "index": 0,
                        "type": "code_interpreter",
                        "code_interpreter": {"outputs": [{"index": 0, "type": "x"}]},
                    }
                ],
            }
        )
    ).delta.step_details
    assert isinstance(output_delta, ToolCallsDeltaDetails) and output_delta.tool_calls is not None
    ci = output_delta.tool_calls[0]
    assert isinstance(ci, CodeInterpreterToolCallDelta) and ci.code_interpreter is not None
    assert ci.code_interpreter.outputs is not None
    assert isinstance(ci.code_interpreter.outputs[0], UnknownCodeInterpreterOutputDelta)


def test_a_missing_required_field_is_still_an_error() -> None:
    """Tolerance is for what is new, not for what is broken: a run without an id does not read."""
    data = samples.run()
    del data["id"]
    with pytest.raises(ValueError, match="id"):
        Run.model_validate(data)


def test_every_object_offers_datetime_views_of_its_timestamps() -> None:
    created = datetime(2023, 11, 4, 2, 1, 30, tzinfo=UTC)
    message = Message.model_validate(samples.all_messages()["incomplete"])
    assert message.created == created and message.completed is None
    assert message.incomplete == created + timedelta(seconds=4)
    assert Thread.model_validate(samples.thread()).created == created
    assert Assistant.model_validate(samples.assistant()).created == created
    run = Run.model_validate(samples.run("completed"))
    assert (run.created, run.started, run.completed) == (
        created,
        created + timedelta(seconds=1),
        created + timedelta(seconds=5),
    )
    assert run.completed_at == samples.CREATED + 5  # the wire field keeps unix seconds
