"""Bad input gives one short line that says what to do (a ``UsageError``), never a traceback wall."""

from __future__ import annotations

import socket

import pytest

from run_widgets.server import ServerHandle

from .conftest import Shell

pytestmark = pytest.mark.timeout(60)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unknown_flag(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    message = shell.usage_error("%%run_stream --temprature 0.5\nhi", capsys)
    assert (
        message == "%run_stream: unrecognized arguments: --temprature 0.5. See %run_stream? for the options."
    )


def test_a_bad_value_for_a_typed_flag(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    message = shell.usage_error("%run_create --temperature warm", capsys)
    assert "argument --temperature: invalid float value: 'warm'" in message
    message = shell.usage_error("%run_create --parallel-tool-calls maybe", capsys)
    assert "invalid true/false value: 'maybe'" in message
    message = shell.usage_error("%run_create --reasoning-effort extreme", capsys)
    assert "invalid choice: 'extreme'" in message


def test_an_unclosed_quote(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    message = shell.usage_error('%run_create --message "hello', capsys)
    assert message == "%run_create: No closing quotation in the line; check its quotes."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("--metadata '{\"a\": '", "--metadata: not valid JSON"),
        ("--metadata novalue", "--metadata 'novalue': write key=value"),
        ("--tool-choice '{oops}'", "--tool-choice: not valid JSON"),
        ("--json-schema '{\"type\": '", "--json-schema: not valid JSON"),
        ("--json-schema NoSuchSchema", "--json-schema 'NoSuchSchema': give a JSON object"),
        ("--response-format yaml", "--response-format 'yaml': write auto, text, json_object"),
        ("--truncation most", "--truncation 'most': write auto, a number of last messages"),
        ("--tools no_such_function", "--tools: there is no 'no_such_function' in the notebook"),
        ("--tools '[{\"type\": ' ", "--tools: not valid JSON"),
        ("-o 2cards", "-o '2cards': give a Python variable name"),
    ],
)
def test_bad_values_say_which_flag_and_what_it_takes(
    shell: Shell, capsys: pytest.CaptureFixture[str], line: str, expected: str
) -> None:
    assert expected in shell.usage_error(f"%%run_stream {line}\nhi", capsys)


def test_values_the_wire_refuses_name_the_flag(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    assert shell.usage_error("%run_create --temperature 3 --message hi", capsys) == (
        "Invalid --temperature: input should be less than or equal to 2"
    )
    message = shell.usage_error("%run_create --max-prompt-tokens 10 --message hi", capsys)
    assert message.startswith("Invalid --max-prompt-tokens: input should be greater than or equal to 256")
    message = shell.usage_error("%run_create " + " ".join(f"--metadata k{i}=v" for i in range(17)), capsys)
    assert message.startswith("Invalid --metadata: at most 16 keys allowed")


def test_a_tool_that_is_not_a_function(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    shell.ok("answer = 42")
    assert shell.usage_error("%%run_stream --tools answer\nhi", capsys) == (
        "--tools: 'answer' is an int, not a function."
    )
    shell.ok("def f(*args): return 1")
    message = shell.usage_error("%%run_stream --tools f\nhi", capsys)
    assert message.startswith("--tools: ") or "*args" in message


def test_an_empty_message(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    assert shell.usage_error("%%run_stream\n   \n", capsys) == (
        "The message is empty: write it in the cell, below the magic's line."
    )


def test_thread_and_new_thread_together(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    message = shell.usage_error("%%run_stream --thread thread_x --new-thread\nhi", capsys)
    assert message == "Give a thread or ask for a new one, not both (--thread or --new-thread)."


def test_an_unknown_thread(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    message = shell.usage_error("%%run_stream --thread thread_nope\nhi", capsys)
    assert message.startswith("Thread thread_nope not found on http://127.0.0.1:")
    assert message.endswith("check --thread, or omit it to use the notebook's current thread.")


def test_an_unknown_assistant(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    message = shell.usage_error("%%run_stream --assistant asst_nope\nhi", capsys)
    assert message.startswith("Assistant asst_nope not found on http://127.0.0.1:")
    assert "omit it to use the embedded server's scripted assistant" in message


def test_an_unknown_run(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    assert shell.usage_error("%run_show run_nope", capsys).startswith("To show a run, name its thread")
    shell.ok("%%run_stream --wait\nhi")
    assert shell.usage_error("%run_show run_nope", capsys).startswith(
        "Run run_nope not found on thread thread_"
    )


def test_a_thread_with_an_active_run(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    shell.ok("%%run_stream\n/wait 30")
    message = shell.usage_error("%%run_stream\nAgain", capsys)
    assert "already has an active run" in message and "cancel it" in message
    shell.ok("%run_cancel --wait")


def test_an_unreachable_server(
    shell: Shell, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", url)
    message = shell.usage_error("%%run_stream --assistant asst_1\nhi", capsys)
    assert message == (
        f"Cannot reach {url}: is the server running? Unset RUN_WIDGETS_BASE_URL to use the embedded server."
    )
    message = shell.usage_error(f"%%run_stream --assistant asst_1 --base-url {url}\nhi", capsys)
    assert message.endswith("Check --base-url, or leave it out to use the embedded server.")


def test_no_assistant_on_another_server(
    shell: Shell, capsys: pytest.CaptureFixture[str], other_server: ServerHandle
) -> None:
    message = shell.usage_error(f"%%run_stream --base-url {other_server.base_url}\nhi", capsys)
    assert message.startswith("Which assistant should run?")
    assert "--assistant ASSISTANT_ID" in message and "%config RunMagics.assistant" in message


def test_a_refused_key(
    shell: Shell,
    capsys: pytest.CaptureFixture[str],
    other_server: ServerHandle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", other_server.base_url)
    monkeypatch.setenv("RUN_WIDGETS_API_KEY", "sk-wrong-key-0123456789")
    message = shell.usage_error("%%run_stream --assistant asst_1\nhi", capsys)
    assert message.startswith(f"The server at {other_server.base_url} refused the API key")
    assert "RUN_WIDGETS_API_KEY" in message
    assert "sk-wrong-key" not in message and other_server.api_key not in message


def test_a_base_url_that_is_not_a_url(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    message = shell.usage_error("%%run_stream --base-url ftp://example.org --assistant a\nhi", capsys)
    assert "must start with http:// or https://" in message


def test_a_base_url_without_the_api_root(
    shell: Shell,
    capsys: pytest.CaptureFixture[str],
    other_server: ServerHandle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = other_server.base_url.removesuffix("/v1")
    monkeypatch.setenv("RUN_WIDGETS_API_KEY", other_server.api_key)
    message = shell.usage_error(f"%%run_stream --base-url {root} --assistant asst_1\nhi", capsys)
    assert "it usually ends in /v1" in message


def test_nothing_to_cancel(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    assert shell.usage_error("%run_cancel", capsys) == (
        "No run to cancel yet: give its id (%run_cancel RUN_ID --thread THREAD_ID)."
    )
    shell.ok("%%run_stream --wait\nhi")
    assert shell.usage_error("%run_cancel", capsys) == "The run is completed; there is nothing to cancel."


def test_nothing_to_list(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    assert shell.usage_error("%run_list", capsys).startswith("To list runs, name its thread with --thread")
    assert shell.usage_error("%run_list --limit 0 --thread t", capsys) == "The limit is 1 to 100, not 0."
