"""Lossless conversion between the official ``openai`` SDK's objects and ours.

Objects are matched by class: every SDK class we have a model for is listed below by its module
and name, nested ones included (a ``TextContentBlock``, a ``RequiredActionFunctionToolCall``, a
code interpreter's log output), plus ``FileObject`` and the shared ``ErrorObject``. Stream events
go through the event unions on both sides.

The SDK is optional: ``from_openai`` works on any of its pydantic objects without importing it, and
``to_openai`` imports it only when called.
"""

from __future__ import annotations

import functools
import importlib
import typing
from typing import Any

from . import _base, common, deltas, events, file, message, run, step, thread

_B = "openai.types.beta"
_T = "openai.types.beta.threads"
_R = "openai.types.beta.threads.runs"
_S = "openai.types.shared"

# (SDK class as "module:name", our class). Reading, the first pair of an SDK class decides; writing,
# the pairs of our class are tried in order and the first whose ``type`` literal fits is taken.
_PAIRS: tuple[tuple[str, type[_base.WireModel]], ...] = (
    # runs
    (f"{_T}.run:Run", run.Run),
    (f"{_T}.run:RequiredAction", run.RequiredAction),
    (f"{_T}.run:RequiredActionSubmitToolOutputs", run.SubmitToolOutputsAction),
    (f"{_T}.required_action_function_tool_call:RequiredActionFunctionToolCall", run.RequiredActionFunctionToolCall),
    (f"{_T}.required_action_function_tool_call:Function", run.FunctionCall),
    (f"{_T}.run:IncompleteDetails", run.IncompleteDetails),
    (f"{_T}.run:LastError", common.LastError),
    (f"{_T}.run:Usage", common.Usage),
    (f"{_T}.run:TruncationStrategy", common.TruncationStrategy),
    # tools, tool choice, response formats, tool resources
    (f"{_B}.function_tool:FunctionTool", common.FunctionTool),
    (f"{_S}.function_definition:FunctionDefinition", common.FunctionDefinition),
    (f"{_B}.code_interpreter_tool:CodeInterpreterTool", common.CodeInterpreterTool),
    (f"{_B}.file_search_tool:FileSearchTool", common.FileSearchTool),
    (f"{_B}.file_search_tool:FileSearch", common.FileSearchSettings),
    (f"{_B}.file_search_tool:FileSearchRankingOptions", common.FileSearchRankingOptions),
    (f"{_B}.assistant_tool_choice:AssistantToolChoice", common.ToolChoiceObject),
    (f"{_B}.assistant_tool_choice_function:AssistantToolChoiceFunction", common.ToolChoiceFunction),
    (f"{_S}.response_format_text:ResponseFormatText", common.ResponseFormatText),
    (f"{_S}.response_format_json_object:ResponseFormatJSONObject", common.ResponseFormatJSONObject),
    (f"{_S}.response_format_json_schema:ResponseFormatJSONSchema", common.ResponseFormatJSONSchema),
    (f"{_S}.response_format_json_schema:JSONSchema", common.JSONSchemaFormat),
    (f"{_B}.assistant:ToolResources", common.ToolResources),
    (f"{_B}.assistant:ToolResourcesCodeInterpreter", common.CodeInterpreterResources),
    (f"{_B}.assistant:ToolResourcesFileSearch", common.FileSearchResources),
    (f"{_B}.thread:ToolResources", common.ToolResources),
    (f"{_B}.thread:ToolResourcesCodeInterpreter", common.CodeInterpreterResources),
    (f"{_B}.thread:ToolResourcesFileSearch", common.FileSearchResources),
    # run steps
    (f"{_R}.run_step:RunStep", step.RunStep),
    (f"{_R}.run_step:LastError", common.LastError),
    (f"{_R}.run_step:Usage", common.Usage),
    (f"{_R}.message_creation_step_details:MessageCreationStepDetails", step.MessageCreationStepDetails),
    (f"{_R}.message_creation_step_details:MessageCreation", step.MessageCreation),
    (f"{_R}.tool_calls_step_details:ToolCallsStepDetails", step.ToolCallsStepDetails),
    (f"{_R}.function_tool_call:FunctionToolCall", step.FunctionToolCall),
    (f"{_R}.function_tool_call:Function", step.FunctionToolCallFunction),
    (f"{_R}.code_interpreter_tool_call:CodeInterpreterToolCall", step.CodeInterpreterToolCall),
    (f"{_R}.code_interpreter_tool_call:CodeInterpreter", step.CodeInterpreter),
    (f"{_R}.code_interpreter_tool_call:CodeInterpreterOutputLogs", step.CodeInterpreterLogsOutput),
    (f"{_R}.code_interpreter_tool_call:CodeInterpreterOutputImage", step.CodeInterpreterImageOutput),
    (f"{_R}.code_interpreter_tool_call:CodeInterpreterOutputImageImage", step.CodeInterpreterImage),
    (f"{_R}.file_search_tool_call:FileSearchToolCall", step.FileSearchToolCall),
    (f"{_R}.file_search_tool_call:FileSearch", step.FileSearch),
    (f"{_R}.file_search_tool_call:FileSearchRankingOptions", common.FileSearchRankingOptions),
    (f"{_R}.file_search_tool_call:FileSearchResult", step.FileSearchResult),
    (f"{_R}.file_search_tool_call:FileSearchResultContent", step.FileSearchResultContent),
    # step deltas
    (f"{_R}.run_step_delta_event:RunStepDeltaEvent", deltas.RunStepDeltaEvent),
    (f"{_R}.run_step_delta:RunStepDelta", deltas.RunStepDelta),
    (f"{_R}.run_step_delta_message_delta:RunStepDeltaMessageDelta", deltas.MessageCreationDeltaDetails),
    (f"{_R}.run_step_delta_message_delta:MessageCreation", deltas.MessageCreationDelta),
    (f"{_R}.tool_call_delta_object:ToolCallDeltaObject", deltas.ToolCallsDeltaDetails),
    (f"{_R}.function_tool_call_delta:FunctionToolCallDelta", deltas.FunctionToolCallDelta),
    (f"{_R}.function_tool_call_delta:Function", deltas.FunctionDelta),
    (f"{_R}.code_interpreter_tool_call_delta:CodeInterpreterToolCallDelta", deltas.CodeInterpreterToolCallDelta),
    (f"{_R}.code_interpreter_tool_call_delta:CodeInterpreter", deltas.CodeInterpreterDelta),
    (f"{_R}.code_interpreter_logs:CodeInterpreterLogs", deltas.CodeInterpreterLogsDelta),
    (f"{_R}.code_interpreter_output_image:CodeInterpreterOutputImage", deltas.CodeInterpreterImageOutputDelta),
    (f"{_R}.code_interpreter_output_image:Image", deltas.CodeInterpreterImageDelta),
    (f"{_R}.file_search_tool_call_delta:FileSearchToolCallDelta", deltas.FileSearchToolCallDelta),
    # messages
    (f"{_T}.message:Message", message.Message),
    (f"{_T}.message:IncompleteDetails", message.MessageIncompleteDetails),
    (f"{_T}.message:Attachment", message.Attachment),
    (f"{_T}.message:AttachmentToolAssistantToolsFileSearchTypeOnly", message.AttachmentTool),
    (f"{_B}.code_interpreter_tool:CodeInterpreterTool", message.AttachmentTool),  # writing only
    (f"{_T}.message_deleted:MessageDeleted", message.MessageDeleted),
    (f"{_T}.text_content_block:TextContentBlock", message.TextContentBlock),
    (f"{_T}.text:Text", message.Text),
    (f"{_T}.file_citation_annotation:FileCitationAnnotation", message.FileCitationAnnotation),
    (f"{_T}.file_citation_annotation:FileCitation", message.FileCitation),
    (f"{_T}.file_path_annotation:FilePathAnnotation", message.FilePathAnnotation),
    (f"{_T}.file_path_annotation:FilePath", message.FilePath),
    (f"{_T}.image_file_content_block:ImageFileContentBlock", message.ImageFileContentBlock),
    (f"{_T}.image_file:ImageFile", message.ImageFile),
    (f"{_T}.image_url_content_block:ImageURLContentBlock", message.ImageURLContentBlock),
    (f"{_T}.image_url:ImageURL", message.ImageURL),
    (f"{_T}.refusal_content_block:RefusalContentBlock", message.RefusalContentBlock),
    # message deltas
    (f"{_T}.message_delta_event:MessageDeltaEvent", deltas.MessageDeltaEvent),
    (f"{_T}.message_delta:MessageDelta", deltas.MessageDelta),
    (f"{_T}.text_delta_block:TextDeltaBlock", deltas.TextDeltaBlock),
    (f"{_T}.text_delta:TextDelta", deltas.TextDelta),
    (f"{_T}.file_citation_delta_annotation:FileCitationDeltaAnnotation", deltas.AnnotationDelta),
    (f"{_T}.file_citation_delta_annotation:FileCitation", deltas.FileCitationDelta),
    (f"{_T}.file_path_delta_annotation:FilePathDeltaAnnotation", deltas.AnnotationDelta),
    (f"{_T}.file_path_delta_annotation:FilePath", deltas.FilePathDelta),
    (f"{_T}.image_file_delta_block:ImageFileDeltaBlock", deltas.ImageFileDeltaBlock),
    (f"{_T}.image_file_delta:ImageFileDelta", deltas.ImageFileDelta),
    (f"{_T}.image_url_delta_block:ImageURLDeltaBlock", deltas.ImageURLDeltaBlock),
    (f"{_T}.image_url_delta:ImageURLDelta", deltas.ImageURLDelta),
    (f"{_T}.refusal_delta_block:RefusalDeltaBlock", deltas.RefusalDeltaBlock),
    # threads, assistants, files, errors
    (f"{_B}.thread:Thread", thread.Thread),
    (f"{_B}.thread_deleted:ThreadDeleted", thread.ThreadDeleted),
    (f"{_B}.assistant:Assistant", thread.Assistant),
    (f"{_B}.assistant_deleted:AssistantDeleted", thread.AssistantDeleted),
    ("openai.types.file_object:FileObject", file.FileObject),
    (f"{_S}.error_object:ErrorObject", common.ErrorObject),
)  # fmt: skip

_OURS_BY_SDK: dict[str, type[_base.WireModel]] = {}
_SDK_BY_OURS: dict[type[_base.WireModel], list[str]] = {}
for _sdk_name, _ours in _PAIRS:
    _OURS_BY_SDK.setdefault(_sdk_name, _ours)
    _SDK_BY_OURS.setdefault(_ours, []).append(_sdk_name)

# Top-level objects by their ``object`` field: for an SDK class this table does not know (a newer
# SDK that moved a module, a subclass made elsewhere) that still says what it is.
_OURS_BY_OBJECT: dict[str, type[_base.WireModel]] = {
    "thread.run": run.Run,
    "thread.run.step": step.RunStep,
    "thread.message": message.Message,
    "thread": thread.Thread,
    "assistant": thread.Assistant,
    "thread.message.delta": deltas.MessageDeltaEvent,
    "thread.run.step.delta": deltas.RunStepDeltaEvent,
    "thread.deleted": thread.ThreadDeleted,
    "assistant.deleted": thread.AssistantDeleted,
    "thread.message.deleted": message.MessageDeleted,
}


def sdk_class_names() -> tuple[str, ...]:
    """Every SDK class (``"module:Name"``) that ``from_openai`` reads by class."""
    return tuple(_OURS_BY_SDK)


@functools.cache
def _sdk_event_adapter() -> Any:
    from openai.types.beta import AssistantStreamEvent
    from pydantic import TypeAdapter

    return TypeAdapter(AssistantStreamEvent)


def _dump(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json", exclude_unset=True, by_alias=True, warnings=False)
    return obj


def _ours_for_class(cls: type) -> type[_base.WireModel] | None:
    for klass in cls.__mro__:  # a subclass of an SDK class reads as that class
        found = _OURS_BY_SDK.get(f"{klass.__module__}:{klass.__qualname__}")
        if found is not None:
            return found
    return None


def from_openai(obj: Any) -> Any:
    """An SDK object as ours: any SDK class we have a model for (Run, RunStep, Message, Thread,
    Assistant, FileObject, ErrorObject, the deltas, the stream events, and every object nested in
    them, such as a ``TextContentBlock`` or a ``RequiredActionFunctionToolCall``)."""
    if isinstance(obj, _base.WireModel):
        return obj
    name = getattr(obj, "event", None)
    if isinstance(name, str) and hasattr(obj, "data"):
        if hasattr(obj, "model_dump"):  # the whole event, so fields beside `data` (``enabled``) survive
            return events.STREAM_EVENT_ADAPTER.validate_python(_dump(obj))
        return events.parse_event(name, obj.data)  # e.g. a raw ServerSentEvent: JSON text
    ours = _ours_for_class(type(obj))
    if ours is None:
        kind = getattr(obj, "object", None)
        ours = _OURS_BY_OBJECT.get(kind) if isinstance(kind, str) else None
    if ours is None:
        raise TypeError(
            f"no run_widgets type for {type(obj).__module__}.{type(obj).__qualname__} "
            f"(object={getattr(obj, 'object', None)!r})"
        )
    return ours.model_validate(_dump(obj))


def to_openai(obj: _base.WireModel, sdk_type: type[Any] | None = None) -> Any:
    """Our object as the official SDK's class for it (requires ``openai``).

    Where the SDK has several classes for one of ours (``LastError`` of a run and of a step, say),
    the first that fits is taken; pass ``sdk_type`` to choose.
    """
    if sdk_type is not None:
        return sdk_type.model_validate(obj.to_dict())
    name = getattr(obj, "event", None)
    if isinstance(name, str) and hasattr(obj, "data"):
        if isinstance(obj, events.DoneEvent | events.UnknownEvent):
            raise TypeError(f"the openai SDK has no event type for {name!r} ({type(obj).__name__})")
        return _sdk_event_adapter().validate_python(obj.to_dict())
    candidates = [_sdk_class(path) for path in _SDK_BY_OURS.get(type(obj), [])]
    if not candidates:
        raise TypeError(f"no openai type for {type(obj).__name__}")
    kind = getattr(obj, "type", None)
    fitting = [cls for cls in candidates if _accepts_type(cls, kind)]
    return (fitting or candidates)[0].model_validate(obj.to_dict())


def _sdk_class(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _accepts_type(cls: Any, kind: Any) -> bool:
    """Whether the SDK class's ``type`` field (when it is a literal) allows ``kind``."""
    field = cls.model_fields.get("type")
    if field is None or typing.get_origin(field.annotation) is not typing.Literal:
        return True
    return kind in typing.get_args(field.annotation)
