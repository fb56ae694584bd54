"""Every field the seeds name exists on our models, read from the seed files themselves.

The seeds (copied verbatim into ``seeds/``) describe the runs API from three independent clients:
OpenAI-DotNet's RunResponse, RunStepResponse and CreateRunRequest (``[JsonPropertyName("...")]``),
Aspose's RunResponse (a property table) and StackQL's ``runs`` resource (a field table). The field
names are parsed out of those files, so a field the seeds gain is a failing test here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import wire_samples as samples
from pydantic import BaseModel

from run_widgets.models import (
    CreateRunRequest,
    Run,
    RunStep,
    RunStepDeltaEvent,
    validate_request,
)

SEEDS = Path(__file__).parent / "seeds"


def json_property_names(text: str) -> set[str]:
    return set(re.findall(r'\[JsonPropertyName\("([^"]+)"\)\]', text))


def snake_case(pascal: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", pascal).lower()


def dotnet_datetime_accessors(text: str) -> dict[str, str]:
    """``{accessor: wire field}`` for each non-obsolete ``[JsonIgnore] public DateTime? X`` property.

    Each such property (``CancelledAt``) is the datetime view of ``XUnixTimeSeconds``, whose
    ``JsonPropertyName`` is the wire field (``cancelled_at``).
    """
    accessors: dict[str, str] = {}
    pattern = r"\n(\w+)\n\n\[JsonIgnore\]\n((?:\[Obsolete[^\n]*\]\n)?)public DateTime\??\s+\1\s"
    for name, obsolete in re.findall(pattern, text):
        if obsolete:
            continue
        wire = re.search(
            rf'\n{name}UnixTimeSeconds\n.*?\[JsonPropertyName\("([^"]+)"\)\]', text, flags=re.DOTALL
        )
        assert wire is not None, f"{name} has no UnixTimeSeconds twin in the seed"
        accessors[snake_case(name).removesuffix("_at")] = wire.group(1)
    return accessors


def aspose_run_properties(text: str) -> set[str]:
    """RunResponse's own properties (rows linking to ``runresponse/``, not the inherited BaseResponse ones)."""
    return {
        snake_case(name)
        for name, _ in re.findall(r"\| \[(\w+)\]\(\.\./\.\./aspose\.pdf\.ai/(runresponse)/", text)
    }


def stackql_fields(text: str) -> set[str]:
    """The ``runs`` resource's field table, where each row runs name and datatype together (``idstring``)."""
    section = text.split("\nFields\n", 1)[1].split("\nMethods\n", 1)[0]
    kinds = "string|integer|object|boolean|number|array|``"
    return {m for m in re.findall(rf"^([a-z_]+?)(?:{kinds})[A-Z]", section, flags=re.MULTILINE)}


def wire_names(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


RUN_SEED = (SEEDS / "openai-dotnet-RunResponse.txt").read_text()
STEP_SEED = (SEEDS / "openai-dotnet-RunStepResponse.txt").read_text()
REQUEST_SEED = (SEEDS / "openai-dotnet-CreateRunRequest.txt").read_text()
ASPOSE_SEED = (SEEDS / "aspose-RunResponse.md").read_text()
STACKQL_SEED = (SEEDS / "stackql-openai-assistants-runs.txt").read_text()


def test_the_parsers_find_the_seed_fields() -> None:
    """The parsers read real tables: spot-check sizes and a few names against the files."""
    assert len(json_property_names(RUN_SEED)) == 27
    assert len(json_property_names(STEP_SEED)) == 17
    assert len(json_property_names(REQUEST_SEED)) == 17
    assert {"cancelled": "cancelled_at", "created": "created_at"}.items() <= dotnet_datetime_accessors(
        RUN_SEED
    ).items()
    assert "expires" not in dotnet_datetime_accessors(STEP_SEED)  # ExpiresAt there is [Obsolete]
    assert {"required_action", "top_p", "thread_id"} <= aspose_run_properties(ASPOSE_SEED)
    assert "http_status_code" not in aspose_run_properties(ASPOSE_SEED)  # inherited, not the run's
    assert {"id", "top_p", "response_format", "tool_choice", "usage"} <= stackql_fields(STACKQL_SEED)


@pytest.mark.parametrize(
    ("seed", "source"),
    [
        (json_property_names(RUN_SEED), "OpenAI-DotNet RunResponse"),
        (aspose_run_properties(ASPOSE_SEED), "Aspose RunResponse"),
        (stackql_fields(STACKQL_SEED), "StackQL runs"),
    ],
)
def test_every_seed_run_field_is_a_run_field(seed: set[str], source: str) -> None:
    missing = seed - wire_names(Run)
    assert not missing, f"{source} fields missing on Run: {sorted(missing)}"


def test_every_seed_step_field_is_a_step_field() -> None:
    """RunStepResponse doubles as the step-delta event in OpenAI-DotNet; ``delta`` lives on our delta event."""
    seed = json_property_names(STEP_SEED)
    missing = seed - wire_names(RunStep)
    assert missing == {"delta"}
    assert missing <= wire_names(RunStepDeltaEvent)


def test_every_seed_request_field_is_a_request_field() -> None:
    missing = json_property_names(REQUEST_SEED) - wire_names(CreateRunRequest)
    assert not missing, f"CreateRunRequest lacks {sorted(missing)}"


# A valid value for each request field, to prove each one is accepted and sent as given.
REQUEST_VALUES: dict[str, Any] = {
    "assistant_id": "asst_abc123",
    "model": "gpt-4o",
    "instructions": "Be brief.",
    "additional_instructions": "Answer in French.",
    "additional_messages": [{"role": "user", "content": "Bonjour"}],
    "tools": samples.ALL_TOOLS,
    "metadata": {"user": "ada"},
    "temperature": 0.5,
    "top_p": 0.5,
    "reasoning_effort": "low",
    "max_prompt_tokens": 2000,
    "max_completion_tokens": 500,
    "truncation_strategy": {"type": "last_messages", "last_messages": 4},
    "tool_choice": {"type": "function", "function": {"name": "get_current_weather"}},
    "parallel_tool_calls": False,
    "response_format": samples.JSON_SCHEMA_FORMAT,
    "stream": True,
}


def test_a_request_with_every_seed_field_is_sent_as_given() -> None:
    assert set(REQUEST_VALUES) == json_property_names(REQUEST_SEED)
    request = validate_request(CreateRunRequest, REQUEST_VALUES)
    assert request.to_body() == REQUEST_VALUES


def test_a_run_with_every_seed_field_reads_and_dumps_unchanged() -> None:
    data = samples.full_run()
    assert json_property_names(RUN_SEED) <= set(data)  # the sample carries every seed field
    assert Run.model_validate(data).to_dict() == data


def test_a_step_with_every_seed_field_reads_and_dumps_unchanged() -> None:
    data = samples.all_steps()["all_tool_calls"]
    assert json_property_names(STEP_SEED) - {"delta"} <= set(data)
    assert RunStep.model_validate(data).to_dict() == data


@pytest.mark.parametrize(
    ("model", "seed", "data"),
    [
        (Run, RUN_SEED, samples.run("completed", cancelled_at=1, failed_at=2, started_at=3, expires_at=4)),
        (
            RunStep,
            STEP_SEED,
            samples.step(samples.MESSAGE_CREATION_DETAILS, cancelled_at=1, failed_at=2, expired_at=3),
        ),
    ],
    ids=["Run", "RunStep"],
)
def test_every_seed_datetime_accessor_exists_and_reads_the_unix_seconds(
    model: type[BaseModel], seed: str, data: dict[str, Any]
) -> None:
    accessors = dotnet_datetime_accessors(seed)
    assert accessors, "the seed lists datetime accessors"
    obj = model.model_validate(data)
    for accessor, wire in accessors.items():
        seconds = data[wire]
        value = getattr(obj, accessor)
        assert getattr(obj, wire) == seconds  # the wire name keeps unix seconds
        assert value == datetime.fromtimestamp(seconds, tz=UTC)
        assert value.tzinfo is UTC


def test_datetime_accessors_are_none_when_the_timestamp_is_null() -> None:
    run = Run.model_validate(samples.run("queued"))
    assert run.completed_at is None and run.completed is None
    assert run.created == datetime(2023, 11, 4, 2, 1, 30, tzinfo=UTC)
