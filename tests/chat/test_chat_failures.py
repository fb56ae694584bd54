"""Backend failures end the run ``failed`` with a clear ``last_error``; nothing stays stuck; no key leaks."""

from __future__ import annotations

import logging
import socket
from typing import Any

import openai
import pytest
from chat_testing import BACKEND_KEY, Recorder, assistant, chat_server, reply_text, sdk
from fake_backend import FakeBackend, Reply

pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")

FAILURES: dict[str, tuple[Reply, str, list[str]]] = {
    "429": (
        Reply(
            status=429,
            error={"error": {"message": "Rate limit reached for requests"}},
            headers={"retry-after": "7"},
        ),
        "rate_limit_exceeded",
        ["is rate limiting requests (429): Rate limit reached for requests", "retry after 7 s"],
    ),
    "500": (
        Reply(status=500, error={"error": {"message": "CUDA out of memory", "type": "server_error"}}),
        "server_error",
        ["had an error (500): CUDA out of memory", "Try again"],
    ),
    "503 as text": (
        Reply(status=503, error="upstream unavailable"),
        "server_error",
        ["had an error (503): upstream unavailable"],
    ),
    "401 echoing the key": (
        Reply(status=401, error={"error": {"message": f"Incorrect API key provided: {BACKEND_KEY}."}}),
        "server_error",
        [
            "refused the API key (401): Incorrect API key provided: ***",
            "Check the key given by --chat-api-key, %config RunMagics.chat_api_key or the "
            "RUN_WIDGETS_CHAT_API_KEY environment variable.",
        ],
    ),
    "403": (Reply(status=403, error={"error": "forbidden"}), "server_error", ["refused the API key (403)"]),
    "404 (Ollama's error form)": (
        Reply(status=404, error={"error": "model 'fake-model' not found"}),
        "server_error",
        [
            "answered 404 (not found) for model 'fake-model'",
            "--chat-model (or %config RunMagics.chat_model)",
            "--chat-base-url (or %config RunMagics.chat_base_url)",
            "/v1",
        ],
    ),
    "400": (
        Reply(status=400, error={"error": {"message": "context length exceeded"}}),
        "server_error",
        ["rejected the request (400): context length exceeded"],
    ),
    "connection dropped mid-stream": (
        Reply(text="This answer will be cut off in the middle", break_after=4),
        "server_error",
        ["Lost the connection to the chat backend at http://127.0.0.1:", "before its answer was complete"],
    ),
    "stream ends without [DONE]": (
        Reply(text="Unfinished", no_done=True),
        "server_error",
        ["ended its answer early"],
    ),
    "a chunk that is not JSON": (
        Reply(text="Fine so far", bad_chunk=True),
        "server_error",
        ["not a Chat Completions answer"],
    ),
    "an error event in the stream": (
        Reply(text="Partial", error_event="the model crashed"),
        "server_error",
        ["reported an error while answering: the model crashed"],
    ),
}


def _everything_about(client: openai.OpenAI, thread_id: str, run_id: str) -> str:
    """Every object of the run as JSON, to look for secrets in."""
    run = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run_id)
    steps = client.beta.threads.runs.steps.list(thread_id=thread_id, run_id=run_id)
    messages = client.beta.threads.messages.list(thread_id=thread_id)
    return run.model_dump_json() + steps.model_dump_json() + messages.model_dump_json()


@pytest.mark.parametrize("failure", list(FAILURES.values()), ids=list(FAILURES))
def test_a_failing_backend_fails_the_run_clearly_and_the_thread_stays_usable(
    client: openai.OpenAI,
    backend: FakeBackend,
    caplog: pytest.LogCaptureFixture,
    failure: tuple[Reply, str, list[str]],
) -> None:
    reply, code, phrases = failure
    backend.script(reply, Reply(text="Working again."))
    asst = assistant(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])
    with caplog.at_level(logging.DEBUG):
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)

        assert run.status == "failed"
        assert run.last_error is not None and run.last_error.code == code
        for phrase in phrases:
            assert phrase in run.last_error.message
        assert f"the chat backend at {backend.base_url}" in run.last_error.message.lower()
        assert run.failed_at is not None and run.expires_at is None
        for message in client.beta.threads.messages.list(thread_id=thread.id, run_id=run.id).data:
            assert message.status == "incomplete"

        again = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=asst)
        assert again.status == "completed", "the thread is not left locked"
        assert reply_text(client, thread.id, again.id) == "Working again."
        assert BACKEND_KEY not in _everything_about(client, thread.id, run.id)
    assert BACKEND_KEY not in caplog.text


def test_a_failure_reaches_a_streaming_client_as_run_failed(
    client: openai.OpenAI, backend: FakeBackend
) -> None:
    backend.script(Reply(text="Streaming and then", break_after=3))
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    handler = Recorder()
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant(client), event_handler=handler
    ) as stream:
        stream.until_done()
    assert handler.events[-1] == "thread.run.failed"
    assert "thread.message.incomplete" in handler.events
    final = handler.runs[-1]
    assert final.status == "failed" and "Lost the connection" in final.last_error.message
    assert "".join(handler.deltas) == "Streaming and"[: len("".join(handler.deltas))]


def test_a_backend_that_hangs_times_out_and_the_request_is_closed(
    backend: FakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    backend.script(Reply(hang=True), Reply(text="Back."))
    with (
        caplog.at_level(logging.DEBUG),
        chat_server(backend.base_url, timeout=0.5) as handle,
        sdk(handle) as client,
    ):
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hello?"}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
        assert run.status == "failed"
        assert run.last_error is not None
        assert "it sent nothing for 0.5 s" in run.last_error.message
        assert "chat option timeout" in run.last_error.message
        backend.wait_for(lambda b: b.requests[0].closed_early)
        again = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
        assert again.status == "completed"
    assert BACKEND_KEY not in caplog.text


def test_a_backend_that_is_not_running_fails_the_run_naming_its_url(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    with caplog.at_level(logging.DEBUG), chat_server(url) as handle, sdk(handle) as client:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Anyone?"}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
        assert run.status == "failed"
        assert run.last_error is not None and run.last_error.code == "server_error"
        message = run.last_error.message
        assert message.startswith(f"Could not connect to the chat backend at {url}")
        assert "refused" in message.lower() and "--chat-base-url" in message
        assert BACKEND_KEY not in _everything_about(client, thread.id, run.id)
    assert BACKEND_KEY not in caplog.text


def test_user_info_and_query_in_the_base_url_never_show(
    backend: FakeBackend, caplog: pytest.LogCaptureFixture
) -> None:
    backend.script(Reply(status=500, error={"error": {"message": "boom"}}))
    port = backend.base_url.split(":")[2].split("/")[0]
    url = f"http://user:hunter2@127.0.0.1:{port}/v1?api-key=query-secret"
    with caplog.at_level(logging.DEBUG), chat_server(url) as handle, sdk(handle) as client:
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant(client))
        assert run.status == "failed" and run.last_error is not None
        assert f"The chat backend at http://127.0.0.1:{port}/v1 had an error (500)" in run.last_error.message
        shown = _everything_about(client, thread.id, run.id)
        assert "hunter2" not in shown and "query-secret" not in shown
    assert backend.requests[0].path == "/v1/chat/completions"
    assert backend.requests[0].headers["authorization"] == "Basic dXNlcjpodW50ZXIy"  # user:hunter2
    assert "hunter2" not in caplog.text, "HTTP logs show the URL, so the password is sent as a header"


def test_reprs_of_settings_hold_no_key() -> None:
    from run_widgets.server import ServerConfig
    from run_widgets.server.engines import EngineSettings, create_engine

    settings = EngineSettings(chat_base_url="http://127.0.0.1:9/v1", chat_model="m", chat_api_key=BACKEND_KEY)
    engine: Any = create_engine("chat", settings)
    config = ServerConfig(api_key="server-key", engine="chat", chat_api_key=BACKEND_KEY)
    for shown in (repr(settings), repr(engine), repr(engine.options), repr(config)):
        assert BACKEND_KEY not in shown
