"""The official openai SDK's objects convert to ours and back without losing anything.

SDK objects are built the two ways the SDK builds them: ``model_validate`` (strict) and
``construct`` (what its client does with every response by default), and also by the SDK's own
client parsing our JSON and our SSE frames served over ``httpx2.MockTransport``.
"""

from __future__ import annotations

import json
import typing
import warnings
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest
import wire_samples as samples
from hypothesis import given, settings
from hypothesis import strategies as st
from openai.types.beta import Assistant as SdkAssistant
from openai.types.beta import AssistantDeleted as SdkAssistantDeleted
from openai.types.beta import AssistantStreamEvent
from openai.types.beta import Thread as SdkThread
from openai.types.beta import ThreadDeleted as SdkThreadDeleted
from openai.types.beta.threads import Message as SdkMessage
from openai.types.beta.threads import MessageDeleted as SdkMessageDeleted
from openai.types.beta.threads import MessageDeltaEvent as SdkMessageDeltaEvent
from openai.types.beta.threads import Run as SdkRun
from openai.types.beta.threads.runs import RunStep as SdkRunStep
from openai.types.beta.threads.runs import RunStepDeltaEvent as SdkRunStepDeltaEvent
from openai.types.file_object import FileObject as SdkFileObject
from openai.types.shared import ErrorObject as SdkErrorObject
from pydantic import BaseModel, TypeAdapter

from run_widgets.models import (
    EVENT_TYPES,
    AnnotationDelta,
    Assistant,
    AssistantDeleted,
    AttachmentTool,
    CodeInterpreterLogsOutput,
    DoneEvent,
    ErrorObject,
    ErrorResponse,
    FileObject,
    Message,
    MessageDeleted,
    MessageDeltaEvent,
    RequiredActionFunctionToolCall,
    Run,
    RunStep,
    RunStepDeltaEvent,
    TextContentBlock,
    Thread,
    ThreadCreated,
    ThreadDeleted,
    UnknownEvent,
    WireModel,
    from_openai,
    parse_event,
    to_openai,
)
from run_widgets.models.convert import sdk_class_names

JSON = dict[str, Any]
SDK_EVENT = TypeAdapter(AssistantStreamEvent)
FILE: JSON = {
    "id": "file-abc123",
    "object": "file",
    "bytes": 120000,
    "created_at": samples.CREATED,
    "filename": "chart.png",
    "purpose": "assistants_output",
    "status": "processed",
    "status_details": None,
}


def conversion_cases() -> list[tuple[str, type[BaseModel], type[WireModel], JSON]]:
    cases: list[tuple[str, type[BaseModel], type[WireModel], JSON]] = []
    cases += [(f"run-{s}", SdkRun, Run, samples.run(s)) for s in samples.RUN_STATUSES]
    cases += [("run-every-tool-json_schema-forced-function", SdkRun, Run, samples.full_run())]
    cases += [
        (f"run-tool_choice-{i}", SdkRun, Run, samples.run(tools=samples.ALL_TOOLS, tool_choice=c))
        for i, c in enumerate(samples.TOOL_CHOICES)
    ]
    cases += [
        (f"run-response_format-{i}", SdkRun, Run, samples.run(response_format=f))
        for i, f in enumerate(samples.RESPONSE_FORMATS)
    ]
    cases += [
        (f"run-truncation-{t['type']}", SdkRun, Run, samples.run(truncation_strategy=t))
        for t in samples.TRUNCATION_STRATEGIES
    ]
    cases += [
        (
            "run-minimal",
            SdkRun,
            Run,
            {
                k: samples.run()[k]
                for k in (
                    "id",
                    "object",
                    "created_at",
                    "thread_id",
                    "assistant_id",
                    "status",
                    "model",
                    "instructions",
                    "tools",
                    "parallel_tool_calls",
                )
            },
        )
    ]
    cases += [(f"step-{n}", SdkRunStep, RunStep, d) for n, d in samples.all_steps().items()]
    cases += [(f"message-{n}", SdkMessage, Message, d) for n, d in samples.all_messages().items()]
    cases += [
        ("thread", SdkThread, Thread, samples.thread()),
        (
            "thread-bare",
            SdkThread,
            Thread,
            {"id": "thread_1", "object": "thread", "created_at": 1, "metadata": None, "tool_resources": None},
        ),
    ]
    cases += [
        ("assistant", SdkAssistant, Assistant, samples.assistant()),
        (
            "assistant-json_schema",
            SdkAssistant,
            Assistant,
            samples.assistant(response_format=samples.JSON_SCHEMA_FORMAT),
        ),
    ]
    cases += [
        (f"message-delta-{n}", SdkMessageDeltaEvent, MessageDeltaEvent, d)
        for n, d in samples.all_message_deltas().items()
    ]
    cases += [
        (f"step-delta-{n}", SdkRunStepDeltaEvent, RunStepDeltaEvent, d)
        for n, d in samples.all_step_deltas().items()
    ]
    cases += [
        (
            "thread-deleted",
            SdkThreadDeleted,
            ThreadDeleted,
            {"id": "thread_1", "object": "thread.deleted", "deleted": True},
        ),
        (
            "assistant-deleted",
            SdkAssistantDeleted,
            AssistantDeleted,
            {"id": "asst_1", "object": "assistant.deleted", "deleted": True},
        ),
        (
            "message-deleted",
            SdkMessageDeleted,
            MessageDeleted,
            {"id": "msg_1", "object": "thread.message.deleted", "deleted": True},
        ),
    ]
    cases += [
        ("file", SdkFileObject, FileObject, FILE),
        ("file-expiring", SdkFileObject, FileObject, {**FILE, "expires_at": FILE["created_at"] + 3600}),
        ("error-object", SdkErrorObject, ErrorObject, samples.error_envelope(param="thread_id")["error"]),
        (
            "error-object-code",
            SdkErrorObject,
            ErrorObject,
            samples.error_envelope(code="rate_limit_exceeded")["error"],
        ),
        (
            "error-object-misalignment",
            SdkErrorObject,
            ErrorObject,
            samples.error_envelope(
                misalignment={
                    "error_type": "other",
                    "review_target": None,
                    "steer": {"message": "Ask first."},
                }
            )["error"],
        ),
    ]
    return cases


CASES = conversion_cases()
IDS = [c[0] for c in CASES]


def sdk_dump(obj: BaseModel) -> JSON:
    """What the SDK would send: its set fields under their wire names (``json_schema.schema``)."""
    return obj.model_dump(mode="json", exclude_unset=True, by_alias=True)


@pytest.mark.parametrize(("sdk_type", "ours_type", "data"), [c[1:] for c in CASES], ids=IDS)
def test_sdk_objects_convert_to_ours_and_back(
    sdk_type: type[BaseModel], ours_type: type[WireModel], data: JSON
) -> None:
    sdk = sdk_type.model_validate(data)
    ours = from_openai(sdk)
    assert type(ours) is ours_type
    assert ours.to_dict() == sdk_dump(sdk) == data
    back = to_openai(ours)
    assert type(back) is sdk_type
    assert back == sdk
    assert sdk_dump(back) == data


@pytest.mark.parametrize(("sdk_type", "ours_type", "data"), [c[1:] for c in CASES], ids=IDS)
def test_sdk_objects_built_loosely_convert_too(
    sdk_type: type[BaseModel], ours_type: type[WireModel], data: JSON
) -> None:
    """The SDK's client builds responses with ``construct`` (no validation) unless told to be strict."""
    sdk = sdk_type.construct(**data)
    ours = from_openai(sdk)
    assert type(ours) is ours_type
    assert ours.to_dict() == data


@pytest.mark.parametrize(("sdk_type", "ours_type", "data"), [c[1:] for c in CASES], ids=IDS)
def test_sdk_extras_survive_both_ways(
    sdk_type: type[BaseModel], ours_type: type[WireModel], data: JSON
) -> None:
    data = {**data, "x_server_extension": {"region": "eu"}}
    sdk = sdk_type.model_validate(data)
    ours = from_openai(sdk)
    assert ours.to_dict() == sdk_dump(sdk) == data
    assert sdk_dump(to_openai(ours)) == data


def test_fields_the_sdk_lacks_ride_along_as_its_extras() -> None:
    """reasoning_effort is on our Run (the spec has it) but not on the SDK's: it survives as an extra."""
    data = samples.run(reasoning_effort="high")
    sdk = to_openai(Run.model_validate(data))
    assert sdk_dump(sdk) == data
    assert sdk.model_extra == {"reasoning_effort": "high"}
    assert from_openai(sdk).reasoning_effort == "high"


def sdk_event_classes() -> list[type[BaseModel]]:
    return list(typing.get_args(typing.get_args(AssistantStreamEvent)[0]))


def event_payload(name: str) -> Any:
    if name == "thread.created":
        return samples.thread()
    if name == "thread.run.step.delta":
        return samples.all_step_deltas()["function_first"]
    if name.startswith("thread.run.step."):
        return samples.all_steps()["all_tool_calls"]
    if name.startswith("thread.run."):
        return samples.run("requires_action" if name.endswith("requires_action") else "in_progress")
    if name == "thread.message.delta":
        return samples.all_message_deltas()["first_text"]
    if name.startswith("thread.message."):
        return samples.all_messages()["every_part"]
    assert name == "error"
    return {"message": "boom", "type": "server_error", "param": None, "code": "server_error"}


@pytest.mark.parametrize("sdk_class", sdk_event_classes(), ids=lambda c: c.__name__)
def test_every_sdk_stream_event_class_converts_both_ways(sdk_class: type[BaseModel]) -> None:
    name = typing.get_args(sdk_class.model_fields["event"].annotation)[0]
    frame = {"event": name, "data": event_payload(name)}
    sdk = SDK_EVENT.validate_python(frame)
    assert type(sdk) is sdk_class
    ours = from_openai(sdk)
    assert type(ours) is EVENT_TYPES[name]
    assert type(ours).__name__ == sdk_class.__name__  # the same class names as the SDK
    assert ours.to_dict() == sdk_dump(sdk) == frame
    back = to_openai(ours)
    assert type(back) is sdk_class and back == sdk
    assert from_openai(sdk).to_dict() == parse_event(name, json.dumps(frame["data"])).to_dict()


def test_thread_created_keeps_its_enabled_flag() -> None:
    frame = {"event": "thread.created", "data": samples.thread(), "enabled": True}
    ours = from_openai(SDK_EVENT.validate_python(frame))
    assert isinstance(ours, ThreadCreated) and ours.to_dict() == frame
    assert to_openai(ours).enabled is True


def test_what_the_sdk_cannot_hold_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="no event type for 'done'"):
        to_openai(DoneEvent(event="done", data="[DONE]"))
    with pytest.raises(TypeError, match="no event type for 'ping'"):
        to_openai(UnknownEvent(event="ping", data=None))
    with pytest.raises(TypeError, match=r"no run_widgets type for openai\.types\.file_deleted\.FileDeleted"):
        from_openai(openai.types.FileDeleted(id="file-1", object="file", deleted=True))
    with pytest.raises(TypeError, match="no openai type for ErrorResponse"):
        to_openai(ErrorResponse.model_validate(samples.error_envelope()))


def test_our_own_objects_pass_through_from_openai() -> None:
    run = Run.model_validate(samples.run())
    assert from_openai(run) is run


# --- the SDK's own client, parsing what we serve --------------------------------------------------


def sdk_client(handler: Any) -> openai.OpenAI:
    return openai.OpenAI(
        base_url="http://runs.test/v1",
        api_key="sk-test",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )


@pytest.fixture(autouse=True)
def _quiet_deprecations() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def test_objects_the_sdk_client_parsed_convert_losslessly() -> None:
    run = samples.full_run()
    step_page = samples.list_of(list(samples.all_steps().values()))

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/steps"):
            return httpx2.Response(200, json=step_page)
        return httpx2.Response(200, json=run)

    client = sdk_client(handler)
    sdk_run = client.beta.threads.runs.retrieve("run_abc123", thread_id="thread_abc123")
    assert from_openai(sdk_run).to_dict() == run
    assert to_openai(from_openai(sdk_run)) == SdkRun.model_validate(run)
    steps = client.beta.threads.runs.steps.list("run_abc123", thread_id="thread_abc123")
    assert [from_openai(s).to_dict() for s in steps.data] == step_page["data"]


def sse(frames: list[tuple[str, Any]]) -> bytes:
    out = []
    for name, data in frames:
        text = data if isinstance(data, str) else json.dumps(data)
        out.append(f"event: {name}\ndata: {text}\n\n")
    return "".join(out).encode()


def test_stream_events_the_sdk_client_parsed_match_ours() -> None:
    frames: list[tuple[str, Any]] = [
        ("thread.run.created", samples.run("queued")),
        ("thread.run.queued", samples.run("queued")),
        ("thread.run.in_progress", samples.run("in_progress")),
        (
            "thread.run.step.created",
            samples.step({"type": "tool_calls", "tool_calls": []}, status="in_progress"),
        ),
        (
            "thread.run.step.in_progress",
            samples.step({"type": "tool_calls", "tool_calls": []}, status="in_progress"),
        ),
        ("thread.run.step.delta", samples.all_step_deltas()["function_first"]),
        ("thread.run.step.delta", samples.all_step_deltas()["function_more"]),
        ("thread.message.created", samples.all_messages()["in_progress"]),
        ("thread.message.delta", samples.all_message_deltas()["first_text"]),
        ("thread.message.delta", samples.all_message_deltas()["more_text"]),
        ("thread.message.completed", samples.message()),
        ("thread.run.requires_action", samples.run("requires_action")),
        ("done", "[DONE]"),
    ]

    def handler(request: httpx2.Request) -> httpx2.Response:
        assert json.loads(request.content) == {"assistant_id": "asst_abc123", "stream": True}
        return httpx2.Response(200, content=sse(frames), headers={"content-type": "text/event-stream"})

    stream = sdk_client(handler).beta.threads.runs.create(
        "thread_abc123", assistant_id="asst_abc123", stream=True
    )
    sdk_events = list(stream)
    assert len(sdk_events) == len(frames) - 1  # the SDK stops at [DONE] without yielding it
    for sdk_event, (name, data) in zip(sdk_events, frames, strict=False):
        ours = parse_event(name, json.dumps(data))
        assert from_openai(sdk_event).to_dict() == ours.to_dict() == {"event": name, "data": data}
        assert to_openai(ours) == sdk_event


# --- random valid objects ----------------------------------------------------------------------------

metadata = st.dictionaries(st.text(max_size=64), st.text(max_size=512), max_size=16)
timestamps = st.none() | st.integers(min_value=0, max_value=4_102_444_800)


SDK_RUN_REQUIRED = frozenset(name for name, field in SdkRun.model_fields.items() if field.is_required())


@st.composite
def random_runs(draw: st.DrawFn) -> JSON:
    status = draw(st.sampled_from(samples.RUN_STATUSES))
    data = samples.run(status)
    for stamp in ("started_at", "cancelled_at", "failed_at", "completed_at", "expires_at"):
        data[stamp] = draw(timestamps)
    data["metadata"] = draw(st.none() | metadata)
    data["tools"] = draw(st.lists(st.sampled_from(samples.ALL_TOOLS), max_size=20))
    data["tool_choice"] = draw(st.sampled_from([None, *samples.TOOL_CHOICES]))
    data["response_format"] = draw(st.sampled_from([None, *samples.RESPONSE_FORMATS]))
    data["truncation_strategy"] = draw(st.sampled_from([None, *samples.TRUNCATION_STRATEGIES]))
    data["temperature"] = draw(st.none() | st.floats(min_value=0, max_value=2))
    data["top_p"] = draw(st.none() | st.floats(min_value=0, max_value=1))
    data["max_prompt_tokens"] = draw(st.none() | st.integers(min_value=256, max_value=10**6))
    data["parallel_tool_calls"] = draw(st.booleans())
    data["instructions"] = draw(st.text(max_size=200))
    data["usage"] = draw(
        st.none()
        | st.fixed_dictionaries(
            {
                k: st.integers(min_value=0, max_value=10**7)
                for k in ("prompt_tokens", "completion_tokens", "total_tokens")
            }
        )
    )
    optional = [k for k in data if k not in SDK_RUN_REQUIRED]
    for key in draw(st.lists(st.sampled_from(optional), unique=True)):
        del data[key]  # any optional field may be absent
    return data


@settings(max_examples=60, deadline=None)
@given(random_runs())
def test_random_valid_runs_round_trip_through_ours_and_the_sdk(data: JSON) -> None:
    ours = Run.model_validate(data)
    assert ours.to_dict() == data
    sdk = to_openai(ours)
    assert sdk == SdkRun.model_validate(data)
    assert from_openai(sdk).to_dict() == data
    assert ours.created.timestamp() == data["created_at"]


# --- every SDK class we have a model for, nested ones included ---------------------------------------

ROOTS: tuple[type[BaseModel], ...] = (
    SdkRun,
    SdkRunStep,
    SdkRunStepDeltaEvent,
    SdkMessage,
    SdkMessageDeltaEvent,
    SdkMessageDeleted,
    SdkThread,
    SdkThreadDeleted,
    SdkAssistant,
    SdkAssistantDeleted,
    SdkFileObject,
    SdkErrorObject,
)


def class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The pydantic classes an annotation can hold (through Optional, unions, lists, Annotated...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from models_in(arg)


def reachable_sdk_classes() -> set[type[BaseModel]]:
    """Every SDK class a root object can contain, however deep, read from the SDK's own annotations."""
    seen: set[type[BaseModel]] = set()
    todo = list(ROOTS)
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for field in cls.model_fields.values():
            todo.extend(models_in(field.annotation))
    return seen


def nested_sdk_objects(obj: Any) -> Iterator[BaseModel]:
    if isinstance(obj, BaseModel):
        yield obj
        for name in obj.model_fields_set:
            yield from nested_sdk_objects(getattr(obj, name, None))
    elif isinstance(obj, list):
        for item in obj:
            yield from nested_sdk_objects(item)


def sdk_samples_by_class() -> dict[str, list[BaseModel]]:
    """Every object found inside the SDK's parse of every sample, grouped by its class."""
    found: dict[str, list[BaseModel]] = {}
    for _, sdk_type, _, data in CASES:
        for obj in nested_sdk_objects(sdk_type.model_validate(data)):
            found.setdefault(class_name(type(obj)), []).append(obj)
    return found


SDK_SAMPLES = sdk_samples_by_class()


# SDK classes outside the Assistants wire that ours keep as plain data among the extras (losslessly:
# see the "error-object-misalignment" case).
KEPT_AS_EXTRAS = {
    "openai.types.shared.error_object:Misalignment",
    "openai.types.shared.error_object:MisalignmentSteer",
}


def test_every_sdk_class_a_root_can_hold_is_mapped() -> None:
    mapped = set(sdk_class_names())
    reachable = {class_name(cls) for cls in reachable_sdk_classes()}
    assert sorted(reachable - mapped - KEPT_AS_EXTRAS) == []
    assert sorted(mapped - reachable) == []  # nothing stale


@pytest.mark.parametrize("name", sdk_class_names())
def test_each_sdk_class_converts_losslessly_by_class(name: str) -> None:
    objects = SDK_SAMPLES.get(name)
    assert objects, f"no sample holds a {name}: add one to wire_samples"
    for sdk in objects:
        ours = from_openai(sdk)
        assert isinstance(ours, WireModel) and type(ours).__module__.startswith("run_widgets.models")
        assert ours.to_dict() == sdk_dump(sdk)
        back = to_openai(ours, type(sdk))
        assert type(back) is type(sdk) and back == sdk
        auto = to_openai(ours)  # the SDK class picked without being told: same data, whichever it is
        assert sdk_dump(auto) == sdk_dump(sdk)
        loose = from_openai(type(sdk).construct(**sdk_dump(sdk)))  # as the SDK's client builds them
        assert type(loose) is type(ours) and loose.to_dict() == ours.to_dict()


@pytest.mark.parametrize(
    ("sdk_name", "ours_type"),
    [
        ("openai.types.beta.threads.text_content_block:TextContentBlock", TextContentBlock),
        (
            "openai.types.beta.threads.required_action_function_tool_call:RequiredActionFunctionToolCall",
            RequiredActionFunctionToolCall,
        ),
        (
            "openai.types.beta.threads.runs.code_interpreter_tool_call:CodeInterpreterOutputLogs",
            CodeInterpreterLogsOutput,
        ),
        ("openai.types.beta.threads.file_path_delta_annotation:FilePathDeltaAnnotation", AnnotationDelta),
        ("openai.types.file_object:FileObject", FileObject),
        ("openai.types.shared.error_object:ErrorObject", ErrorObject),
    ],
)
def test_nested_and_standalone_sdk_objects_become_the_matching_class(
    sdk_name: str, ours_type: type[WireModel]
) -> None:
    [sdk, *_] = SDK_SAMPLES[sdk_name]
    assert type(from_openai(sdk)) is ours_type


def test_where_the_sdk_has_several_classes_for_one_of_ours_the_type_decides() -> None:
    citation, path = (
        SDK_SAMPLES[f"openai.types.beta.threads.{kind}_delta_annotation:{cls}"][0]
        for kind, cls in (
            ("file_citation", "FileCitationDeltaAnnotation"),
            ("file_path", "FilePathDeltaAnnotation"),
        )
    )
    assert type(to_openai(from_openai(citation))) is type(citation)
    assert type(to_openai(from_openai(path))) is type(path)
    code_tool = AttachmentTool(type="code_interpreter")
    search_tool = AttachmentTool(type="file_search")
    assert type(to_openai(code_tool)).__name__ == "CodeInterpreterTool"
    assert type(to_openai(search_tool)).__name__ == "AttachmentToolAssistantToolsFileSearchTypeOnly"


def test_a_subclass_of_an_sdk_class_reads_as_that_class() -> None:
    class MyRun(SdkRun):
        pass

    data = samples.run("completed")
    assert type(from_openai(MyRun.model_validate(data))) is Run
    assert from_openai(MyRun.model_validate(data)).to_dict() == data
