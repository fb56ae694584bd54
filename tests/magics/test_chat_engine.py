"""The embedded server with the chat engine, configured through ``%config``: a Chat Completions
backend answers (the chat tests' fake backend, over real HTTP on loopback), and its key never shows."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from run_widgets.session import default_session

from .conftest import Shell, Wire
from .helpers import final_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chat"))
from fake_backend import Call, FakeBackend, Reply

pytestmark = pytest.mark.timeout(60)

BACKEND_KEY = "sk-backend-secret-0123456789"


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    started = FakeBackend.start()
    yield started
    started.stop()


@pytest.fixture
def chat_shell(shell: Shell, backend: FakeBackend) -> Shell:
    shell.ok("%config RunMagics.engine = 'chat'")
    shell.ok(f"%config RunMagics.chat_base_url = '{backend.base_url}'")
    shell.ok("%config RunMagics.chat_model = 'fake-model'")
    shell.ok(f"%config RunMagics.chat_api_key = '{BACKEND_KEY}'")
    shell.ok("%config RunMagics.chat_options = {'timeout': 30}")
    return shell


def test_a_cell_answered_by_the_chat_backend(
    chat_shell: Shell, backend: FakeBackend, wire: Wire, capsys: pytest.CaptureFixture[str]
) -> None:
    backend.script(Reply(text="Bonjour from the backend."))
    chat_shell.ok("%%run_stream --wait -o card\nSay hello in French.")
    card = chat_shell.ns["card"]
    assert card.current_run.status == "completed"
    assert final_text(card) == "Bonjour from the backend."
    (request,) = backend.requests
    assert request.body["model"] == "fake-model"
    assert request.messages[-1] == {"role": "user", "content": "Say hello in French."}
    assert request.headers["authorization"] == f"Bearer {BACKEND_KEY}"
    assert "the chat engine" in capsys.readouterr().out
    shown = wire.everything() + json.dumps([o["data"] for o in chat_shell.displays.outputs], default=str)
    assert BACKEND_KEY not in shown and BACKEND_KEY not in repr(chat_shell.ip.config)
    assert chat_shell.ok("%config RunMagics.chat_api_key") == "(hidden)"


def test_python_tools_answer_the_backends_calls(chat_shell: Shell, backend: FakeBackend) -> None:
    chat_shell.ok("def add(a: int, b: int) -> int:\n    '''Add two numbers.'''\n    return a + b")
    backend.script(Reply(calls=[Call("add", '{"a": 2, "b": 40}')]), Reply(text="The sum is 42."))
    chat_shell.ok("%%run_stream --tools add --auto-tools --wait -o card\nWhat is 2 + 40?")
    card = chat_shell.ns["card"]
    assert card.current_run.status == "completed"
    assert final_text(card) == "The sum is 42."
    first, second = backend.requests
    assert [tool["function"]["name"] for tool in first.body["tools"]] == ["add"]
    assert second.messages[-1]["role"] == "tool" and second.messages[-1]["content"] == "42"
    assert default_session().server is not None
