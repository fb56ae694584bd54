"""Where the client connects and with which key: arguments first, then the environment; clear errors otherwise."""

from __future__ import annotations

import subprocess
import sys

import httpx2
import pytest

from run_widgets import AsyncClient, Client
from run_widgets.client import ConfigurationError

from .conftest import FakeServer, json_response

THREAD = {"id": "thread_1", "object": "thread", "created_at": 1}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RUN_WIDGETS_BASE_URL", "OPENAI_BASE_URL", "RUN_WIDGETS_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def sent_to(client: Client, server: FakeServer) -> httpx2.Request:
    client.threads.retrieve("thread_1")
    return server.last


def make(server: FakeServer, *args: str | None, **kwargs: object) -> Client:
    return Client(*args, http_client=httpx2.Client(transport=httpx2.MockTransport(server)), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def answering() -> FakeServer:
    server = FakeServer()
    for prefix in ("/v1", "/v2", "/openai/v1"):
        server.routes[("GET", f"{prefix}/threads/thread_1")] = [json_response(THREAD)]
    return server


def test_without_a_base_url_the_error_says_what_to_do() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Client()
    message = str(caught.value)
    assert "base_url=" in message and "RUN_WIDGETS_BASE_URL" in message and "embedded server" in message


@pytest.mark.parametrize("bad", ["ftp://host/v1", "127.0.0.1:8000/v1", "http://"])
def test_a_base_url_that_is_not_http_is_refused(bad: str) -> None:
    with pytest.raises(ConfigurationError, match=r"http://"):
        Client(bad)


def test_the_argument_beats_the_environment(monkeypatch: pytest.MonkeyPatch, answering: FakeServer) -> None:
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", "http://env.invalid/v2")
    assert sent_to(make(answering, "http://arg.invalid/v1"), answering).url.host == "arg.invalid"


def test_run_widgets_base_url_beats_openai_base_url(
    monkeypatch: pytest.MonkeyPatch, answering: FakeServer
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://openai.invalid/v1")
    assert sent_to(make(answering), answering).url.host == "openai.invalid"
    monkeypatch.setenv("RUN_WIDGETS_BASE_URL", "http://ours.invalid/v2/")
    request = sent_to(make(answering), answering)
    assert (request.url.host, request.url.path) == ("ours.invalid", "/v2/threads/thread_1")


def test_a_base_url_with_a_path_prefix_keeps_it(answering: FakeServer) -> None:
    request = sent_to(make(answering, "https://example.invalid/openai/v1/"), answering)
    assert str(request.url) == "https://example.invalid/openai/v1/threads/thread_1"


def test_the_key_comes_from_the_argument_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, answering: FakeServer
) -> None:
    url = "http://h.invalid/v1"
    assert "authorization" not in sent_to(make(answering, url), answering).headers
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    assert sent_to(make(answering, url), answering).headers["authorization"] == "Bearer sk-openai"
    monkeypatch.setenv("RUN_WIDGETS_API_KEY", "sk-ours")
    assert sent_to(make(answering, url), answering).headers["authorization"] == "Bearer sk-ours"
    assert sent_to(make(answering, url, "sk-arg"), answering).headers["authorization"] == "Bearer sk-arg"


def test_default_headers_ride_on_every_request(answering: FakeServer) -> None:
    client = make(answering, "http://h.invalid/v1", default_headers={"X-Team": "blue"})
    assert sent_to(client, answering).headers["x-team"] == "blue"


def test_the_wrong_kind_of_http_client_is_refused() -> None:
    with pytest.raises(TypeError, match=r"httpx2\.Client"):
        Client("http://h.invalid/v1", http_client=httpx2.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"httpx2\.AsyncClient"):
        AsyncClient("http://h.invalid/v1", http_client=httpx2.Client())  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, 1.5, None])
def test_max_retries_must_be_a_whole_number(bad: object) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        Client("http://h.invalid/v1", max_retries=bad)  # type: ignore[arg-type]


def test_an_http_clients_own_timeout_is_kept(answering: FakeServer) -> None:
    seen = {}

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.update(request.extensions["timeout"])
        return json_response(THREAD)

    answering.routes[("GET", "/v1/threads/thread_1")] = [answer]
    http = httpx2.Client(transport=httpx2.MockTransport(answering), timeout=3.0)
    Client("http://h.invalid/v1", http_client=http).threads.retrieve("thread_1")
    assert seen["read"] == 3.0


def test_the_repr_shows_where_not_who() -> None:
    client = Client("http://user:hunter2@h.invalid:8000/v1", api_key="sk-secret")
    assert repr(client) == "Client(base_url='http://h.invalid:8000/v1')"
    assert "hunter2" not in repr(client.threads.runs)


def test_the_client_never_imports_the_server_nor_openai() -> None:
    code = (
        "import sys, run_widgets; c = run_widgets.Client('http://h.invalid/v1'); "
        "import run_widgets.client.streaming; "
        "print(sorted(m for m in sys.modules if m.startswith(('run_widgets.server', 'openai', 'IPython', 'anywidget'))))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
