"""Writing is strict: every limit of the wire is checked before sending, and errors name the field."""

from __future__ import annotations

from typing import Any

import pytest
import wire_samples as samples
from hypothesis import given, settings
from hypothesis import strategies as st

from run_widgets.models import (
    MAX_ASSISTANT_TOOLS,
    MAX_RUN_TOOLS,
    MIN_TOKEN_LIMIT,
    CreateAssistantRequest,
    CreateMessageRequest,
    CreateRunRequest,
    CreateThreadAndRunRequest,
    CreateThreadRequest,
    ListQuery,
    ModifyAssistantRequest,
    ModifyMessageRequest,
    ModifyRunRequest,
    ModifyThreadRequest,
    RequestModel,
    RequestValidationError,
    SubmitToolOutputsRequest,
    ToolChoiceParam,
    validate_request,
)

RUN = {"assistant_id": "asst_abc123"}


def refused(model: type[RequestModel], data: dict[str, Any]) -> RequestValidationError:
    with pytest.raises(RequestValidationError) as caught:
        validate_request(model, data)
    error = caught.value
    assert str(error) == error.message and error.message.startswith(f"Invalid '{error.param}': ")
    return error


def accepted(model: type[RequestModel], data: dict[str, Any]) -> dict[str, Any]:
    body = validate_request(model, data).to_body()
    assert body == data  # what was given is what is sent, nothing added
    return body


# --- each limit: the bad value is refused naming the field; the edge value passes ------------------


@pytest.mark.parametrize(
    ("field", "bad", "edge", "allowed"),
    [
        ("temperature", 2.01, 2, "less than or equal to 2"),
        ("temperature", -0.01, 0, "greater than or equal to 0"),
        ("top_p", 1.01, 1, "less than or equal to 1"),
        ("top_p", -0.5, 0, "greater than or equal to 0"),
        ("max_prompt_tokens", 255, 256, "greater than or equal to 256"),
        ("max_completion_tokens", 0, 256, "greater than or equal to 256"),
    ],
)
def test_number_limits(field: str, bad: float, edge: float, allowed: str) -> None:
    error = refused(CreateRunRequest, {**RUN, field: bad})
    assert error.param == field
    assert allowed in error.message
    accepted(CreateRunRequest, {**RUN, field: edge})


def test_token_limit_constant_is_the_wire_minimum() -> None:
    assert MIN_TOKEN_LIMIT == 256
    refused(CreateRunRequest, {**RUN, "max_prompt_tokens": MIN_TOKEN_LIMIT - 1})


def test_metadata_at_most_16_keys() -> None:
    error = refused(CreateRunRequest, {**RUN, "metadata": {f"key{i}": "v" for i in range(17)}})
    assert error.param == "metadata"
    assert "at most 16 keys" in error.message
    accepted(CreateRunRequest, {**RUN, "metadata": {f"key{i}": "v" for i in range(16)}})


def test_metadata_keys_at_most_64_characters() -> None:
    key = "k" * 65
    error = refused(CreateRunRequest, {**RUN, "metadata": {key: "v"}})
    assert error.param == "metadata"
    assert "65 characters" in error.message and "keys are at most 64" in error.message
    accepted(CreateRunRequest, {**RUN, "metadata": {"k" * 64: "v"}})


def test_metadata_values_at_most_512_characters() -> None:
    error = refused(CreateRunRequest, {**RUN, "metadata": {"note": "v" * 513}})
    assert error.param == "metadata.note"
    assert "at most 512 characters" in error.message
    accepted(CreateRunRequest, {**RUN, "metadata": {"note": "v" * 512}})


def test_metadata_values_are_strings() -> None:
    error = refused(CreateRunRequest, {**RUN, "metadata": {"count": 3}})
    assert error.param == "metadata.count" and "string" in error.message


@pytest.mark.parametrize(
    "model",
    [
        CreateRunRequest,
        CreateThreadAndRunRequest,
        ModifyRunRequest,
        CreateThreadRequest,
        ModifyThreadRequest,
        ModifyMessageRequest,
        CreateAssistantRequest,
        ModifyAssistantRequest,
    ],
)
def test_every_request_with_metadata_checks_it(model: type[RequestModel]) -> None:
    required: dict[str, Any] = {
        CreateRunRequest: RUN,
        CreateThreadAndRunRequest: RUN,
        CreateAssistantRequest: {"model": "gpt-4o"},
    }.get(model, {})
    assert refused(model, {**required, "metadata": {"k": "v" * 513}}).param == "metadata.k"
    accepted(model, {**required, "metadata": {"k": "v" * 512}})


def test_message_metadata_is_checked_where_the_message_is_nested() -> None:
    message = {"role": "user", "content": "hi", "metadata": {"x" * 65: "v"}}
    assert refused(CreateMessageRequest, message).param == "metadata"
    error = refused(
        CreateRunRequest, {**RUN, "additional_messages": [{"role": "user", "content": "a"}, message]}
    )
    assert error.param == "additional_messages[1].metadata"
    error = refused(CreateThreadAndRunRequest, {**RUN, "thread": {"messages": [message]}})
    assert error.param == "thread.messages[0].metadata"


@st.composite
def metadata_dicts(draw: st.DrawFn) -> dict[str, str]:
    keys = st.text(min_size=0, max_size=70)
    values = st.text(min_size=0, max_size=520)
    return draw(st.dictionaries(keys, values, max_size=20))


@settings(deadline=None)  # no timed assertions: machines are noisy
@given(metadata_dicts())
def test_random_metadata_is_accepted_exactly_when_it_fits_the_limits(metadata: dict[str, str]) -> None:
    fits = len(metadata) <= 16 and all(len(k) <= 64 and len(v) <= 512 for k, v in metadata.items())
    try:
        body = validate_request(ModifyRunRequest, {"metadata": metadata}).to_body()
    except RequestValidationError as error:
        assert not fits, error.message
        assert error.param is not None and error.param.startswith("metadata")
    else:
        assert fits
        assert body == {"metadata": metadata}


@pytest.mark.parametrize(
    ("model", "limit", "required"),
    [
        (CreateRunRequest, MAX_RUN_TOOLS, RUN),
        (CreateThreadAndRunRequest, MAX_RUN_TOOLS, RUN),
        (CreateAssistantRequest, MAX_ASSISTANT_TOOLS, {"model": "gpt-4o"}),
        (ModifyAssistantRequest, MAX_ASSISTANT_TOOLS, {}),
    ],
)
def test_tool_count_limits(model: type[RequestModel], limit: int, required: dict[str, Any]) -> None:
    assert limit == (20 if model in (CreateRunRequest, CreateThreadAndRunRequest) else 128)
    tools = [samples.CODE_INTERPRETER_TOOL] * (limit + 1)
    error = refused(model, {**required, "tools": tools})
    assert error.param == "tools" and f"at most {limit} items" in error.message
    accepted(model, {**required, "tools": tools[:limit]})


def test_truncation_last_messages_at_least_one() -> None:
    error = refused(
        CreateRunRequest, {**RUN, "truncation_strategy": {"type": "last_messages", "last_messages": 0}}
    )
    assert error.param == "truncation_strategy.last_messages"
    assert "greater than or equal to 1" in error.message
    accepted(CreateRunRequest, {**RUN, "truncation_strategy": {"type": "last_messages", "last_messages": 1}})
    accepted(CreateRunRequest, {**RUN, "truncation_strategy": {"type": "auto"}})
    assert refused(CreateRunRequest, {**RUN, "truncation_strategy": {"type": "smart"}}).param == (
        "truncation_strategy.type"
    )


def test_all_limits_at_their_edges_pass_together() -> None:
    accepted(
        CreateRunRequest,
        {
            **RUN,
            "metadata": {f"{i:0>64}": "v" * 512 for i in range(16)},
            "temperature": 0,
            "top_p": 1,
            "max_prompt_tokens": 256,
            "max_completion_tokens": 256,
            "tools": [samples.FUNCTION_TOOL] * 20,
            "truncation_strategy": {"type": "last_messages", "last_messages": 1},
        },
    )


# --- tool_choice and response_format: every form, and helpful refusals -------------------------------


@pytest.mark.parametrize("choice", samples.TOOL_CHOICES)
def test_every_tool_choice_form_validates(choice: Any) -> None:
    accepted(CreateRunRequest, {**RUN, "tool_choice": choice})
    accepted(CreateThreadAndRunRequest, {**RUN, "tool_choice": choice})


@pytest.mark.parametrize(
    ("choice", "param", "hint"),
    [
        ("sometimes", "tool_choice", "'sometimes' is not a tool choice; use 'none', 'auto', 'required'"),
        (3, "tool_choice", '{"type": "function", "function": {"name": "my_function"}}'),
        ({"type": "function"}, "tool_choice", "a function tool choice names the function"),
        ({"type": "function", "function": {}}, "tool_choice.function.name", "required"),
        ({"type": "web_search"}, "tool_choice.type", "'function', 'code_interpreter' or 'file_search'"),
    ],
)
def test_wrong_tool_choice_forms_say_what_is_allowed(choice: Any, param: str, hint: str) -> None:
    error = refused(CreateRunRequest, {**RUN, "tool_choice": choice})
    assert error.param == param
    assert hint in error.message


@pytest.mark.parametrize("fmt", samples.RESPONSE_FORMATS)
def test_every_response_format_form_validates(fmt: Any) -> None:
    accepted(CreateRunRequest, {**RUN, "response_format": fmt})
    accepted(CreateAssistantRequest, {"model": "gpt-4o", "response_format": fmt})


def test_json_schema_is_sent_under_its_wire_name() -> None:
    body = CreateRunRequest(assistant_id="asst_1", response_format=samples.JSON_SCHEMA_FORMAT).to_body()
    assert (
        body["response_format"]["json_schema"]["schema"]
        == samples.JSON_SCHEMA_FORMAT["json_schema"]["schema"]
    )
    assert "schema_" not in body["response_format"]["json_schema"]


@pytest.mark.parametrize(
    ("fmt", "param", "hint"),
    [
        ("json", "response_format", "'json' is not a response format; use 'auto' or an object"),
        (["text"], "response_format", '{"type": "json_schema", "json_schema": {"name": "my_schema"'),
        (
            {"type": "yaml"},
            "response_format",
            "unknown type yaml; expected one of 'text', 'json_object', 'json_schema'",
        ),
        ({"type": "json_schema"}, "response_format.json_schema", "required"),
        (
            {"type": "json_schema", "json_schema": {"schema": {}}},
            "response_format.json_schema.name",
            "required",
        ),
        (
            {"type": "json_schema", "json_schema": {"name": "has spaces"}},
            "response_format.json_schema.name",
            "only letters, digits, '_' and '-'",
        ),
        ({"type": "text", "text": {}}, "response_format.text", "unknown field"),
    ],
)
def test_wrong_response_formats_say_what_is_allowed(fmt: Any, param: str, hint: str) -> None:
    for model, required in ((CreateRunRequest, RUN), (CreateAssistantRequest, {"model": "gpt-4o"})):
        error = refused(model, {**required, "response_format": fmt})
        assert error.param == param
        assert hint in error.message


# --- tools, messages, outputs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "param", "hint"),
    [
        (
            {"type": "function", "function": {"name": "bad name"}},
            "tools[0].function.name",
            "only letters, digits",
        ),
        (
            {"type": "function", "function": {"name": "f" * 65}},
            "tools[0].function.name",
            "1 to 64 characters",
        ),
        ({"type": "function"}, "tools[0].function", "required"),
        ({"type": "web_search"}, "tools[0]", "unknown type web_search"),
        (
            {"type": "file_search", "file_search": {"max_num_results": 51}},
            "tools[0].file_search.max_num_results",
            "50",
        ),
        (
            {"type": "file_search", "file_search": {"ranking_options": {"score_threshold": 1.5}}},
            "tools[0].file_search.ranking_options.score_threshold",
            "less than or equal to 1",
        ),
    ],
)
def test_bad_tools_are_refused_naming_the_field(tool: dict[str, Any], param: str, hint: str) -> None:
    error = refused(CreateRunRequest, {**RUN, "tools": [tool]})
    assert error.param == param
    assert hint in error.message


def test_every_tool_form_validates() -> None:
    accepted(CreateRunRequest, {**RUN, "tools": samples.ALL_TOOLS})
    accepted(
        CreateRunRequest, {**RUN, "tools": [{"type": "function", "function": {"name": "a-b_C9" + "x" * 58}}]}
    )


def test_unknown_fields_are_refused_so_typos_fail_early() -> None:
    error = refused(CreateRunRequest, {**RUN, "temprature": 1})
    assert error.param == "temprature" and "unknown field" in error.message
    assert (
        refused(CreateRunRequest, {**RUN, "tools": [{"type": "code_interpreter", "x": 1}]}).param
        == "tools[0].x"
    )


def test_assistant_id_is_required_and_not_blank() -> None:
    assert refused(CreateRunRequest, {}).param == "assistant_id"
    assert "required" in refused(CreateRunRequest, {"assistant_id": "  "}).message


def test_messages_validate_role_and_content() -> None:
    accepted(CreateMessageRequest, {"role": "user", "content": "hi"})
    accepted(
        CreateMessageRequest,
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this image?"},
                {"type": "image_file", "image_file": {"file_id": "file-1", "detail": "low"}},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            ],
            "attachments": [{"file_id": "file-2", "tools": [{"type": "file_search"}]}],
        },
    )
    assert refused(CreateMessageRequest, {"role": "system", "content": "x"}).param == "role"
    assert refused(CreateMessageRequest, {"role": "user", "content": []}).param == "content"
    bad_part = refused(CreateMessageRequest, {"role": "user", "content": [{"type": "video", "video": "x"}]})
    assert bad_part.param == "content[0]" and "unknown type video" in bad_part.message


def test_submit_tool_outputs_needs_each_output() -> None:
    accepted(
        SubmitToolOutputsRequest,
        {"tool_outputs": [{"tool_call_id": "call_1", "output": "42"}], "stream": True},
    )
    error = refused(SubmitToolOutputsRequest, {"tool_outputs": [{"tool_call_id": "call_1"}]})
    assert error.param == "tool_outputs[0].output" and "required" in error.message


def test_list_query_limits_and_defaults() -> None:
    assert validate_request(ListQuery, {}).model_dump() == {
        "limit": 20,
        "order": "desc",
        "after": None,
        "before": None,
    }
    assert refused(ListQuery, {"limit": 0}).param == "limit"
    assert refused(ListQuery, {"limit": 101}).param == "limit"
    assert refused(ListQuery, {"order": "up"}).param == "order"


# --- body dumps ------------------------------------------------------------------------------------


def test_bodies_omit_unset_fields_and_keep_explicit_ones() -> None:
    assert CreateRunRequest(assistant_id="asst_1").to_body() == {"assistant_id": "asst_1"}
    assert CreateRunRequest(assistant_id="asst_1", stream=False, model=None).to_body() == {
        "assistant_id": "asst_1",
        "stream": False,
        "model": None,
    }
    assert CreateThreadRequest().to_body() == {}
    nested = CreateThreadAndRunRequest(
        assistant_id="a", thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    assert nested.to_body() == {
        "assistant_id": "a",
        "thread": {"messages": [{"role": "user", "content": "hi"}]},
    }


def test_keyword_construction_raises_the_same_error() -> None:
    with pytest.raises(RequestValidationError) as caught:
        CreateRunRequest(assistant_id="asst_1", temperature=2.5)
    assert caught.value.param == "temperature"
    with pytest.raises(RequestValidationError) as nested:
        CreateRunRequest(assistant_id="asst_1", tool_choice={"type": "function", "function": {}})
    assert nested.value.param == "tool_choice.function.name"
    with pytest.raises(RequestValidationError) as direct:
        ToolChoiceParam(type="function")
    assert direct.value.param is None and "names the function" in direct.value.message


def test_errors_keep_every_problem_for_callers_that_want_them() -> None:
    error = refused(CreateRunRequest, {**RUN, "temperature": 5, "top_p": 5})
    fields = {e["loc"][0] for e in error.errors}
    assert {"temperature", "top_p"} <= fields


@pytest.mark.parametrize(
    ("data", "param"),
    [
        ({"role": "user", "content": 5}, "content"),  # union of str | list: the marker 'str' is not a field
        (
            {"role": "user", "content": [{"type": "text", "text": "a", "x": 1}]},
            "content[0].x",
        ),  # tag == field
        ({"role": "user", "content": [{"type": "text"}]}, "content[0].text"),
        ({"role": "user", "content": [{"type": "image_url", "image_url": {}}]}, "content[0].image_url.url"),
    ],
)
def test_param_paths_see_through_union_markers(data: dict[str, Any], param: str) -> None:
    assert refused(CreateMessageRequest, data).param == param
    nested = refused(CreateRunRequest, {**RUN, "additional_messages": [data]})
    assert nested.param == f"additional_messages[0].{param}"


@settings(deadline=None)
@given(
    temperature=st.none() | st.floats(min_value=-1, max_value=3, allow_nan=False),
    top_p=st.none() | st.floats(min_value=-1, max_value=2, allow_nan=False),
    tokens=st.none() | st.integers(min_value=-10, max_value=1000),
    last=st.none() | st.integers(min_value=-3, max_value=5),
    n_tools=st.integers(min_value=0, max_value=25),
)
def test_random_run_options_are_accepted_exactly_within_the_limits(
    temperature: float | None, top_p: float | None, tokens: int | None, last: int | None, n_tools: int
) -> None:
    data: dict[str, Any] = {**RUN, "tools": [samples.CODE_INTERPRETER_TOOL] * n_tools}
    for key, value in (("temperature", temperature), ("top_p", top_p), ("max_completion_tokens", tokens)):
        if value is not None:
            data[key] = value
    if last is not None:
        data["truncation_strategy"] = {"type": "last_messages", "last_messages": last}
    broken = {
        "temperature": temperature is not None and not 0 <= temperature <= 2,
        "top_p": top_p is not None and not 0 <= top_p <= 1,
        "max_completion_tokens": tokens is not None and tokens < 256,
        "truncation_strategy.last_messages": last is not None and last < 1,
        "tools": n_tools > 20,
    }
    try:
        body = validate_request(CreateRunRequest, data).to_body()
    except RequestValidationError as error:
        assert broken.get(error.param or "") is True, error.message
    else:
        assert not any(broken.values())
        assert body == data
