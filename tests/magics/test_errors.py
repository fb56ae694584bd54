"""Bad input gives one short line that says what to do (a ``UsageError``), never a traceback wall."""

from __future__ import annotations

import re
import socket
import time

import pytest

from run_widgets import AsyncClient, Client
from run_widgets.server import ServerHandle
from run_widgets.session import default_session, use_client
from run_widgets.session.errors import active_run_of

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
    assert shell.usage_error("%%run_stream --tools f\nhi", capsys) == (
        "--tools: tool 'f': *args is not supported; a tool's arguments are a JSON object of named values, "
        "so give each argument a name (or take a list: items: list[str])"
    )


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


def busy_line(thread_id: str, run_id: str, state: str, first: str, cancel: str | None = None) -> str:
    return (
        f"Thread {thread_id} already has an active run, {run_id} ({state}): {first}, "
        f"cancel it with {cancel or '%run_cancel ' + run_id}, "
        "or run this cell on another thread with --new-thread (new_thread=True)."
    )


def test_a_thread_with_a_run_still_going(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    shell.ok("%%run_stream -o thinker\n/wait 30")
    thinker = shell.ns["thinker"]
    deadline = time.monotonic() + 30  # a bound on waiting, not a timed assertion
    while thinker.current_run.status == "queued" and time.monotonic() < deadline:
        time.sleep(0.05)
    run = thinker.current_run
    message = shell.usage_error("%%run_stream\nAgain", capsys)
    assert message == busy_line(
        run.thread_id,
        run.id,
        "in_progress",
        "answer it in its card if it waits for tool outputs, or wait for it to end",
    )
    shell.ok("%%run_stream --new-thread --wait -o elsewhere\nAgain")  # the line's last way out
    assert shell.ns["elsewhere"].current_run.status == "completed"
    shell.ok(f"%run_cancel {run.id} --wait")
    assert shell.ns["thinker"].current_run.status == "cancelled"


WEATHER_TOOL = (
    "weather = {'type': 'function', 'function': {'name': 'get_weather', "
    "'parameters': {'type': 'object', 'properties': {'city': {'type': 'string'}}}}}"
)


def test_a_thread_whose_run_waits_for_tool_outputs(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    """The audit's case: a run stopped at requires_action, then the next cell on that thread."""
    shell.ok(WEATHER_TOOL)
    shell.ok('%%run_stream --tools weather --wait -o asking\ncall get_weather {"city": "Oslo"}')
    run = shell.ns["asking"].current_run
    assert run.status == "requires_action"
    message = shell.usage_error("%%run_stream\nAnd now?", capsys)
    assert message == busy_line(run.thread_id, run.id, "waiting for tool outputs", "answer them in its card")
    cancel = re.search(r"cancel it with (%run_cancel [^,]+),", message)
    assert cancel is not None
    shell.ok(cancel.group(1) + " --wait")  # the line's command, as written, works
    assert shell.ns["asking"].current_run.status == "cancelled"
    shell.ok("%%run_stream --wait -o after\nAnd now?")
    assert shell.ns["after"].current_run.status == "completed"


def test_a_busy_thread_named_by_flag_and_unknown_to_the_notebook(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run this notebook has no card for: its status comes from the server, and the cancel
    command names the thread (the notebook's current thread is another one)."""
    shell.ok("%%run_stream --wait\nMake the current thread")
    server = default_session().server
    assert server is not None
    with Client(base_url=server.base_url, api_key=server.api_key) as client:
        assistant = server.ensure_default_assistant()
        thread = client.threads.create(messages=[{"role": "user", "content": "/wait 30"}])
        run = client.threads.runs.create(thread.id, assistant_id=assistant)
        deadline = time.monotonic() + 30  # a bound on waiting, not a timed assertion
        while run.status == "queued" and time.monotonic() < deadline:
            run = client.threads.runs.retrieve(run.id, thread_id=thread.id)
    message = shell.usage_error(f"%%run_stream --thread {thread.id}\nAgain", capsys)
    cancel = f"%run_cancel {run.id} --thread {thread.id}"
    assert message == busy_line(
        thread.id,
        run.id,
        "in_progress",
        "answer it in its card if it waits for tool outputs, or wait for it to end",
        cancel,
    )
    shell.ok(cancel + " --wait")
    with Client(base_url=server.base_url, api_key=server.api_key) as client:
        assert client.threads.runs.retrieve(run.id, thread_id=thread.id).status == "cancelled"


@pytest.mark.parametrize(
    "wording",
    [
        "Thread thread_abc already has an active run run_xyz.",  # the API's
        "Can't add messages to thread_abc while a run run_xyz is active.",
        "Thread thread_abc already has an active run run_xyz. Wait for it to finish, or cancel it.",
    ],
)
def test_the_active_run_is_read_from_each_wording(wording: str) -> None:
    assert active_run_of(Exception(wording)) == "run_xyz"
    assert active_run_of(Exception("Thread thread_abc not found.")) is None


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


def no_assistant_line(url: str, origin: str, back: str) -> str:
    return (
        f"Which assistant should run? {url} (from {origin}) is not the embedded server, so there is "
        "no default assistant: pass --assistant ASSISTANT_ID (assistant=...), set "
        f"%config RunMagics.assistant = 'asst_...', or {back}."
    )


@pytest.mark.parametrize("variable", ["OPENAI_BASE_URL", "RUN_WIDGETS_BASE_URL"])
def test_no_assistant_on_a_server_from_the_environment(
    shell: Shell,
    capsys: pytest.CaptureFixture[str],
    other_server: ServerHandle,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    """The audit's case: OPENAI_BASE_URL set in the kernel's environment, then a plain cell."""
    monkeypatch.setenv(variable, other_server.base_url)
    assert shell.usage_error("%%run_stream\nhi", capsys) == no_assistant_line(
        other_server.base_url,
        f"the environment variable {variable}",
        f"use the embedded server: %config RunMagics.base_url = 'embedded' (or unset {variable})",
    )
    shell.ok("%config RunMagics.base_url = 'embedded'")  # the line's way back works
    shell.ok("%%run_stream --wait -o card\nhi")
    assert shell.ns["card"].current_run.status == "completed"
    assert default_session().server is not None


def test_no_assistant_on_a_server_from_the_option_or_the_config(
    shell: Shell, capsys: pytest.CaptureFixture[str], other_server: ServerHandle
) -> None:
    url = other_server.base_url
    message = shell.usage_error(f"%%run_stream --base-url {url}\nhi", capsys)
    assert message == no_assistant_line(url, "--base-url", "leave out --base-url to use the embedded server")
    shell.ok(f"%config RunMagics.base_url = '{url}'")
    assert shell.usage_error("%%run_stream\nhi", capsys) == no_assistant_line(
        url,
        "%config RunMagics.base_url",
        "set %config RunMagics.base_url = 'embedded' to use the embedded server",
    )


def test_no_assistant_through_a_given_client(
    shell: Shell, capsys: pytest.CaptureFixture[str], other_server: ServerHandle
) -> None:
    client = AsyncClient(base_url=other_server.base_url, api_key=other_server.api_key)
    use_client(client)
    assert shell.usage_error("%%run_stream\nhi", capsys) == no_assistant_line(
        other_server.base_url,
        "the client given to run_widgets.use_client()",
        "call run_widgets.use_client(None) to use the embedded server",
    )
    use_client(None)
    shell.ok("%%run_stream --wait -o card\nhi")
    assert shell.ns["card"].current_run.status == "completed"


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
