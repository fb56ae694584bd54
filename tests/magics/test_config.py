"""Configuration: where the base URL comes from, keys that never show, the embedded server's settings."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from traitlets.config import Config

from run_widgets import Client
from run_widgets.server import ServerHandle
from run_widgets.session import default_session, default_settings

from .conftest import Shell, make_shell

pytestmark = pytest.mark.timeout(60)


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


@pytest.fixture(scope="module")
def other_assistant(other_server: ServerHandle) -> str:
    with Client(base_url=other_server.base_url, api_key=other_server.api_key) as client:
        return client.assistants.create(model="scripted", name="Elsewhere").id


def ran_on(server: ServerHandle, card: object) -> bool:
    run = card.current_run  # type: ignore[attr-defined]
    with Client(base_url=server.base_url, api_key=server.api_key) as client:
        return client.threads.runs.retrieve(run.id, thread_id=run.thread_id).status == "completed"


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch, other_server: ServerHandle) -> Iterator[None]:
    monkeypatch.setenv("RUN_WIDGETS_API_KEY", other_server.api_key)
    yield


def test_openai_base_url_when_nothing_else_is_set(
    shell: Shell, monkeypatch: pytest.MonkeyPatch, other_server: ServerHandle, other_assistant: str
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", other_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", other_server.api_key)
    shell.ok(f"%%run_stream --assistant {other_assistant} --wait -o card\nhi")
    assert ran_on(other_server, shell.ns["card"])
    assert default_session().server is None  # nothing embedded was started


def test_run_widgets_base_url_comes_before_openai_base_url(
    shell: Shell,
    monkeypatch: pytest.MonkeyPatch,
    keyed: None,
    other_server: ServerHandle,
    other_assistant: str,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", closed_url())
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", other_server.base_url)
    shell.ok(f"%%run_stream --assistant {other_assistant} --wait -o card\nhi")
    assert ran_on(other_server, shell.ns["card"])


def test_config_comes_before_the_environment(
    shell: Shell,
    monkeypatch: pytest.MonkeyPatch,
    keyed: None,
    other_server: ServerHandle,
    other_assistant: str,
) -> None:
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", closed_url())
    shell.ok(f"%config RunMagics.base_url = '{other_server.base_url}'")
    shell.ok(f"%config RunMagics.assistant = '{other_assistant}'")
    shell.ok("%%run_stream --wait -o card\nhi")
    assert ran_on(other_server, shell.ns["card"])


def test_the_option_comes_before_the_config(
    shell: Shell, keyed: None, other_server: ServerHandle, other_assistant: str
) -> None:
    shell.ok(f"%config RunMagics.base_url = '{closed_url()}'")
    shell.ok(
        f"%%run_stream --base-url {other_server.base_url} --assistant {other_assistant} --wait -o card\nhi"
    )
    assert ran_on(other_server, shell.ns["card"])


def test_embedded_wins_over_the_environment_when_asked(
    shell: Shell, monkeypatch: pytest.MonkeyPatch, other_server: ServerHandle
) -> None:
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", other_server.base_url)
    shell.ok("%%run_stream --base-url embedded --wait -o card\nhi")
    server = default_session().server
    assert server is not None and ran_on(server, shell.ns["card"])
    shell.ok("%config RunMagics.base_url = 'embedded'")
    shell.ok("%%run_stream --wait -o again\nhi")
    assert ran_on(server, shell.ns["again"])


def test_the_key_from_a_named_environment_variable(
    shell: Shell,
    monkeypatch: pytest.MonkeyPatch,
    other_server: ServerHandle,
    other_assistant: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", other_server.base_url)
    monkeypatch.setenv("MY_COURSE_KEY", other_server.api_key)
    message = shell.usage_error(f"%%run_stream --assistant {other_assistant}\nhi", capsys)
    assert "refused the API key (no key was sent)" in message
    shell.ok("%config RunMagics.api_key_env = 'MY_COURSE_KEY'")
    shell.ok(f"%%run_stream --assistant {other_assistant} --wait -o card\nhi")
    assert ran_on(other_server, shell.ns["card"])


def test_a_key_set_through_config_works_and_is_never_kept_or_shown(
    shell: Shell,
    monkeypatch: pytest.MonkeyPatch,
    other_server: ServerHandle,
    other_assistant: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = other_server.api_key
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", other_server.base_url)
    shell.ok("import os")
    shell.ok("%config RunMagics.api_key = os.environ['RUN_WIDGETS_BASE_URL'] and " + repr(key))
    shell.ok(f"%%run_stream --assistant {other_assistant} --wait -o card\nhi")
    assert ran_on(other_server, shell.ns["card"])
    capsys.readouterr()
    shell.ok("%config RunMagics")
    listing = capsys.readouterr().out
    assert "RunMagics.api_key=<Unicode>" in listing and "Current: '(hidden)'" in listing
    assert shell.ok("%config RunMagics.api_key") == "(hidden)"
    magics = shell.ip.magics_manager.registry["RunMagics"]
    assert magics.api_key == "(hidden)"
    for text in (
        listing,
        repr(shell.ip.config),
        repr(magics.config),
        repr(default_settings()),
        repr(default_session()),
    ):
        assert key not in text
    shell.ok("%config RunMagics.api_key = ''")  # cleared: back to the environment (no key there)
    assert magics.api_key is None and default_settings().api_key is None


def test_keys_in_an_ipython_config_file_are_hidden_too(other_server: ServerHandle, wire: object) -> None:
    config = Config()
    config.RunMagics.api_key = other_server.api_key
    config.RunMagics.chat_api_key = "chat-backend-key-0123"
    made = make_shell(config)
    try:
        magics = made.ip.magics_manager.registry["RunMagics"]
        assert magics.api_key == "(hidden)" and magics.chat_api_key == "(hidden)"
        assert (
            default_settings().api_key is not None
            and default_settings().api_key.get() == other_server.api_key
        )
        made.ok("x = 1")  # after a cell, the shell's configuration holds no key either
        assert other_server.api_key not in repr(made.ip.config) and "chat-backend-key" not in repr(
            made.ip.config
        )
    finally:
        made.ip.extension_manager.unload_extension("run_widgets")


def test_changing_the_embedded_servers_settings_starts_it_again(
    shell: Shell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok("%%run_stream --wait\nhi")
    first = default_session().server
    assert first is not None
    capsys.readouterr()
    shell.ok("%config RunMagics.seed = 7")
    shell.ok("%%run_stream --wait -o card\nhi")
    second = default_session().server
    assert second is not None and second is not first and not first.running
    out = capsys.readouterr().out
    assert "the embedded server's settings changed; starting it again" in out
    assert second.base_url in out


def test_an_engine_that_cannot_start_is_one_line(shell: Shell, capsys: pytest.CaptureFixture[str]) -> None:
    shell.ok("%config RunMagics.engine = 'chat'")
    shell.ok("%config RunMagics.chat_api_key = 'chat-secret-key-98765'")
    message = shell.usage_error("%%run_stream\nhi", capsys)
    assert message.startswith("The embedded server did not start:")
    assert "chat-secret-key" not in message


def test_wait_and_mode_from_the_config(shell: Shell) -> None:
    shell.ok("%config RunMagics.wait = True")
    shell.ok("%config RunMagics.mode = 'poll'")
    shell.ok("%%run_stream -o card\n/pace 50\nWaited for by the configuration.")
    card = shell.ns["card"]
    assert card.current_run.status == "completed" and not card.following
    shell.ok("%%run_stream --no-wait -o later\n/wait 30")
    with pytest.raises(TimeoutError):
        shell.ns["later"].wait(timeout=0.5)
    shell.ok("%run_cancel --wait")


def test_configure_before_load_shows_in_the_traits(wire: object) -> None:
    from run_widgets.session import configure

    configure(wait=True, words_per_second=0)
    made = make_shell()
    try:
        magics = made.ip.magics_manager.registry["RunMagics"]
        assert magics.wait is True and magics.words_per_second == 0
    finally:
        made.ip.extension_manager.unload_extension("run_widgets")


def test_a_named_key_variable_that_is_not_set_sends_no_key(
    shell: Shell,
    monkeypatch: pytest.MonkeyPatch,
    other_server: ServerHandle,
    other_assistant: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The other variables are not tried: a key meant for one server never goes to another."""
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", other_server.base_url)
    monkeypatch.setenv("RUN_WIDGETS_API_KEY", other_server.api_key)
    shell.ok("%config RunMagics.api_key_env = 'COURSE_KEY_NOT_SET'")
    message = shell.usage_error(f"%%run_stream --assistant {other_assistant}\nhi", capsys)
    assert "refused the API key (no key was sent: COURSE_KEY_NOT_SET is not set)" in message
