"""The chat settings reach the engine from ``run-widgets serve`` and ``start()``; bad ones stop it early."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import openai
import pytest
from chat_testing import BACKEND_KEY, assistant, reply_text, sdk
from fake_backend import FakeBackend, Reply

from run_widgets.server import start
from run_widgets.server.engines.chat import ChatSettingsError

pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")


def serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "run_widgets.cli", "serve", "--db", ":memory:", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def served(backend: FakeBackend) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    process = serve(
        "--api-key", "server-key", "--engine", "chat", "--chat-base-url", backend.base_url,
        "--chat-model", "served-model", "--chat-api-key", BACKEND_KEY, "--chat-option", "max_tokens_field=max_tokens",
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("run-widgets serving at http://127.0.0.1:"), line
        yield line.split()[3], line, process
    finally:
        process.terminate()
        process.wait(30)


def test_serve_with_the_chat_engine_answers_with_the_backend(
    served: tuple[str, str, subprocess.Popen[str]], backend: FakeBackend
) -> None:
    url, line, process = served
    backend.script(Reply(text="Hello from the backend."))
    with openai.OpenAI(base_url=url, api_key="server-key", max_retries=0) as client:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        run = client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant(client), max_completion_tokens=256
        )
        assert run.status == "completed", run.last_error
        assert reply_text(client, thread.id, run.id) == "Hello from the backend."
    [request] = backend.requests
    assert request.body["model"] == "served-model"
    assert request.body["max_tokens"] == 256 and "max_completion_tokens" not in request.body
    assert request.headers["authorization"] == f"Bearer {BACKEND_KEY}"
    process.terminate()
    out, err = process.communicate(timeout=30)
    assert BACKEND_KEY not in line + out + err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--engine", "chat"],
            "the chat engine needs the backend's base URL: set --chat-base-url "
            "(or %config RunMagics.chat_base_url), for example http://127.0.0.1:11434/v1",
        ),
        (["--engine", "chat", "--chat-base-url", "localhost:11434"], "must start with http:// or https://"),
        (
            ["--engine", "chat", "--chat-base-url", "http://127.0.0.1:9/v1", "--chat-option", "retries=3"],
            "unknown chat option 'retries' in --chat-option NAME=VALUE (or %config RunMagics.chat_options); "
            "the chat options are: connect_timeout, extra_body, ",
        ),
        (
            ["--engine", "chat", "--chat-base-url", "http://127.0.0.1:9/v1", "--chat-option", "timeout=soon"],
            "chat option timeout must be a number of seconds above 0; got 'soon'",
        ),
        (
            [
                "--engine",
                "chat",
                "--chat-base-url",
                "http://127.0.0.1:9/v1",
                "--chat-option",
                "stream_tools=maybe",
            ],
            "chat option stream_tools must be auto, on or off",
        ),
        (
            [
                "--engine",
                "chat",
                "--chat-base-url",
                "http://127.0.0.1:9/v1",
                "--chat-option",
                "extra_body=[1]",
            ],
            "chat option extra_body must be a JSON object",
        ),
    ],
)
def test_bad_chat_settings_stop_serve_with_one_clear_line(args: list[str], expected: str) -> None:
    process = serve(*args, "--chat-api-key", BACKEND_KEY)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert out == ""
    assert err.startswith("run-widgets serve: ") and expected in err
    assert len(err.strip().splitlines()) == 1
    assert BACKEND_KEY not in err


def test_start_rejects_bad_chat_settings_before_serving() -> None:
    with pytest.raises(ChatSettingsError, match="unknown chat option 'speed'"):
        start(engine="chat", chat_base_url="http://127.0.0.1:9/v1", chat_options={"speed": 1})


def test_a_pasted_endpoint_url_is_reduced_to_the_base(backend: FakeBackend) -> None:
    backend.script(Reply(text="ok"))
    with (
        start(engine="chat", chat_base_url=backend.base_url + "/chat/completions/") as handle,
        sdk(handle) as client,
    ):
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
        assert run.status == "completed"
    assert backend.requests[0].path == "/v1/chat/completions"
    assert "authorization" not in backend.requests[0].headers, "no key configured, none sent"
    assert backend.requests[0].body["model"] == "whatever-the-client-says", (
        "without --chat-model, the run's model"
    )


def test_the_backend_key_can_come_from_the_environment_for_serve(backend: FakeBackend) -> None:
    env = {**os.environ, "RUN_WIDGETS_CHAT_API_KEY": BACKEND_KEY}
    process = subprocess.Popen(
        [
            sys.executable, "-m", "run_widgets.cli", "serve", "--db", ":memory:", "--api-key", "server-key",
            "--engine", "chat", "--chat-base-url", backend.base_url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split()[3]
        backend.script(Reply(text="Keyed."))
        with openai.OpenAI(base_url=url, api_key="server-key", max_retries=0) as client:
            thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
            run = client.beta.threads.runs.create_and_poll(
                thread_id=thread.id, assistant_id=assistant(client)
            )
            assert run.status == "completed", run.last_error
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert backend.requests[0].headers["authorization"] == f"Bearer {BACKEND_KEY}"
    assert BACKEND_KEY not in line + out + err


def test_a_given_key_wins_over_the_environment(backend: FakeBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUN_WIDGETS_CHAT_API_KEY", "sk-from-the-environment")
    backend.script(Reply(text="one"), Reply(text="two"))
    for given, sent in ((None, "sk-from-the-environment"), (BACKEND_KEY, BACKEND_KEY)):
        with start(engine="chat", chat_base_url=backend.base_url, chat_api_key=given) as handle:
            assert "sk-from-the-environment" not in repr(handle)
            with sdk(handle) as client:
                thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
                run = client.beta.threads.runs.create_and_poll(
                    thread_id=thread.id, assistant_id=assistant(client)
                )
                assert run.status == "completed", run.last_error
        assert backend.requests[-1].headers["authorization"] == f"Bearer {sent}"


def test_a_401_names_every_way_to_give_the_key(backend: FakeBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUN_WIDGETS_CHAT_API_KEY", raising=False)
    backend.script(Reply(status=401, error={"error": {"message": "a key is required"}}))
    with start(engine="chat", chat_base_url=backend.base_url) as handle, sdk(handle) as client:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
    assert run.status == "failed" and run.last_error is not None
    assert run.last_error.message.endswith(
        "refused the API key (401): a key is required. It needs an API key: set --chat-api-key, "
        "%config RunMagics.chat_api_key or the RUN_WIDGETS_CHAT_API_KEY environment variable."
    )
