"""``%run_create``: every CreateRunRequest option of the seeds is a flag, and reaches the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from run_widgets import Client
from run_widgets.magics.arguments import REASONING_EFFORTS, flag_for
from run_widgets.models.requests import CreateRunRequest, ReasoningEffortParam
from run_widgets.session import default_session

from .conftest import Shell
from .helpers import final_text

pytestmark = pytest.mark.timeout(60)

SESSION_ONLY = {"assistant_id", "stream"}  # set by the session (the assistant's flag, --stream/--poll)


def server_run(card: Any) -> dict[str, Any]:
    """The run as the server holds it (GET), as JSON."""
    server = default_session().server
    assert server is not None
    run = card.current_run
    with Client(base_url=server.base_url, api_key=server.api_key) as client:
        return client.threads.runs.retrieve(run.id, thread_id=run.thread_id).model_dump(
            mode="json", exclude_none=True
        )


def test_every_create_run_field_has_a_flag(shell: Shell) -> None:
    help_text = shell.ip.find_line_magic("run_create").__doc__
    for field in set(CreateRunRequest.model_fields) - SESSION_ONLY:
        assert flag_for(field) in help_text, field
    assert "--stream" in help_text and "--poll" in help_text and "--assistant" in help_text
    assert list(ReasoningEffortParam.__args__) == REASONING_EFFORTS


def test_the_flags_reach_the_run(shell: Shell) -> None:
    shell.ok(
        "%run_create --message 'Hi' --model scripted-2 --instructions 'Be terse.' "
        "--additional-instructions 'Smile.' --metadata course=intro --metadata 'lesson=two words' "
        "--temperature 0.3 --top-p 0.9 --max-prompt-tokens 1000 --max-completion-tokens 500 "
        "--truncation last_messages=4 --tool-choice none --parallel-tool-calls false "
        "--response-format json_object --reasoning-effort low --wait -o card"
    )
    run = server_run(shell.ns["card"])
    assert run["status"] == "completed"
    assert run["model"] == "scripted-2"
    assert run["instructions"].startswith("Be terse.") and "Smile." in run["instructions"]
    assert run["metadata"] == {"course": "intro", "lesson": "two words"}
    assert (run["temperature"], run["top_p"]) == (0.3, 0.9)
    assert (run["max_prompt_tokens"], run["max_completion_tokens"]) == (1000, 500)
    assert run["truncation_strategy"] == {"type": "last_messages", "last_messages": 4}
    assert run["tool_choice"] == "none"
    assert run["parallel_tool_calls"] is False
    assert run["response_format"] == {"type": "json_object"}
    assert run["reasoning_effort"] == "low"


def test_tool_choice_by_function_name_and_json_forms(shell: Shell) -> None:
    shell.ok("def lookup(term: str) -> str:\n    '''Look a term up.'''\n    return term")
    shell.ok("%run_create --message 'x' --tools lookup --tool-choice lookup --poll --wait -o a")
    assert server_run(shell.ns["a"])["tool_choice"] == {"type": "function", "function": {"name": "lookup"}}
    shell.ok(
        "%run_create --message 'x' --tool-choice '{\"type\": \"code_interpreter\"}' --truncation auto --wait -o b"
    )
    run = server_run(shell.ns["b"])
    assert run["tool_choice"] == {"type": "code_interpreter"}
    assert run["truncation_strategy"]["type"] == "auto"


def test_json_schema_inline_from_a_file_and_from_a_pydantic_model(shell: Shell, tmp_path: Path) -> None:
    shell.ok('%run_create --message x --json-schema \'{"title": "Answer", "type": "object"}\' --wait -o a')
    assert server_run(shell.ns["a"])["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Answer", "schema": {"title": "Answer", "type": "object"}},
    }
    schema_file = tmp_path / "city.json"
    schema_file.write_text(json.dumps({"name": "city", "schema": {"type": "object"}, "strict": True}))
    shell.ok(f"%run_create --message x --json-schema {schema_file} --wait -o b")
    fmt = server_run(shell.ns["b"])["response_format"]
    assert fmt["json_schema"]["name"] == "city" and fmt["json_schema"]["strict"] is True
    shell.ok("from pydantic import BaseModel\nclass Weather(BaseModel):\n    city: str\n    celsius: float")
    shell.ok("%run_create --message x --response-format Weather --wait -o c")
    fmt = server_run(shell.ns["c"])["response_format"]
    assert fmt["json_schema"]["name"] == "Weather"
    assert set(fmt["json_schema"]["schema"]["properties"]) == {"city", "celsius"}


def test_additional_messages_as_text_and_json(shell: Shell) -> None:
    shell.ok(
        "%run_create --additional-messages 'First, plain.' "
        '--additional-messages \'[{"role": "assistant", "content": "Noted."}, '
        '{"role": "user", "content": "Last one"}]\' --wait -o card'
    )
    card = shell.ns["card"]
    server = default_session().server
    assert server is not None
    with Client(base_url=server.base_url, api_key=server.api_key) as client:
        texts = [
            (m.role, m.text) for m in client.threads.messages.list(card.current_run.thread_id, order="asc")
        ]
    assert texts[:3] == [("user", "First, plain."), ("assistant", "Noted."), ("user", "Last one")]
    assert "Last one" in final_text(card)


def test_a_run_on_a_thread_that_already_holds_the_message(shell: Shell) -> None:
    shell.ok("%%run_stream --wait\nFirst question")
    shell.ok("%run_create --wait -o card")  # no new message: the assistant answers the thread as it is
    assert "First question" in final_text(shell.ns["card"])


def test_include_is_passed_on(shell: Shell) -> None:
    shell.ok(
        "%run_create --message '/search runs' --include "
        "'step_details.tool_calls[*].file_search.results[*].content' --wait -o card"
    )
    card = shell.ns["card"]
    assert card.current_run.status == "completed"
    steps = [step for step in card.snapshot.steps if step.type == "tool_calls"]
    results = steps[0].step_details.tool_calls[0].file_search.results
    assert results and all(result.content for result in results)


def test_the_assistant_flag_and_config(shell: Shell) -> None:
    server_card = shell.ok("%%run_stream --wait -o card\nhi")
    del server_card
    server = default_session().server
    assert server is not None
    with Client(base_url=server.base_url, api_key=server.api_key) as client:
        other = client.assistants.create(model="scripted", name="Other", instructions="Other one").id
    shell.ok(f"%run_create --assistant {other} --message hi --wait -o a")
    assert shell.ns["a"].current_run.assistant_id == other
    shell.ok(f"%config RunMagics.assistant = '{other}'")
    shell.ok("%%run_stream --wait -o b\nhi again")
    assert shell.ns["b"].current_run.assistant_id == other
