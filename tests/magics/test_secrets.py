"""Keys never reach widget state, comm messages, outputs, reprs or error lines."""

from __future__ import annotations

import json

import pytest

from run_widgets import Client
from run_widgets.server import ServerHandle
from run_widgets.session import default_session

from .conftest import Shell, Wire

pytestmark = pytest.mark.timeout(60)


def everything_shown(shell: Shell, wire: Wire, out: str) -> str:
    displays = json.dumps([o["data"] for o in shell.displays.outputs], default=str)
    return "\n".join([wire.everything(), displays, out])


def test_the_embedded_servers_key_is_never_shown(
    shell: Shell, wire: Wire, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.ok("def boom(x: int) -> str:\n    raise RuntimeError('no')")
    shell.ok('%%run_stream --tools boom --auto-tools --wait -o card\ncall boom {"x": 1}')
    shell.ok("%%run_stream --wait\n/fail server_error Something broke")
    shell.ok("%run_list")
    card = shell.ns["card"]
    server = default_session().server
    assert server is not None
    key = server.api_key
    shown = everything_shown(shell, wire, capsys.readouterr().out)
    assert key not in shown
    assert key not in json.dumps(card.get_state(), default=str)
    assert key not in card.static_html() + card.to_html() + repr(card)


def test_another_servers_key_is_never_shown(
    shell: Shell,
    wire: Wire,
    other_server: ServerHandle,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Client(base_url=other_server.base_url, api_key=other_server.api_key) as client:
        assistant = client.assistants.create(model="scripted").id
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", other_server.base_url)
    monkeypatch.setenv("RUN_WIDGETS_API_KEY", other_server.api_key)
    shell.ok(f"%config RunMagics.assistant = '{assistant}'")
    shell.ok('%%run_stream --wait -o card\ncall missing {"a": 1}')
    shell.ok("%%run_stream --wait\nanother")
    errors = [
        shell.run("%%run_stream --thread thread_unknown\nhi").error_in_exec,
        shell.run("%run_show run_unknown").error_in_exec,
    ]
    key = other_server.api_key
    shown = everything_shown(shell, wire, capsys.readouterr().out)
    assert all(error is not None and key not in str(error) for error in errors)
    assert key not in shown
    card = shell.ns["card"]
    assert key not in json.dumps(card.get_state(), default=str) + card.static_html() + repr(card)
