"""Fixtures for the chat engine tests: the fake backend, our server in front of it, SDK clients."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import openai
import pytest
from fake_backend import FakeBackend

from run_widgets.server import ServerHandle, start

warnings.filterwarnings("ignore", message="The Assistants API is deprecated", category=DeprecationWarning)

BACKEND_KEY = "sk-backend-secret-0123456789"
"""The key our server sends to the backend; no test output may ever show it."""


@pytest.fixture(scope="session")
def backend_server() -> Iterator[FakeBackend]:
    backend = FakeBackend.start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture
def backend(backend_server: FakeBackend) -> Iterator[FakeBackend]:
    """The shared fake backend, with no replies scripted and no requests recorded."""
    backend_server.reset()
    yield backend_server
    backend_server.reset()


def chat_server(base_url: str, **options: object) -> ServerHandle:
    return start(
        engine="chat",
        chat_base_url=base_url,
        chat_model="fake-model",
        chat_api_key=BACKEND_KEY,
        chat_options=options,
    )


@pytest.fixture(scope="session")
def server(backend_server: FakeBackend) -> Iterator[ServerHandle]:
    """Our server, answering with the fake backend (default options)."""
    with chat_server(backend_server.base_url) as handle:
        yield handle


def sdk(handle: ServerHandle) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=handle.base_url, api_key=handle.api_key, max_retries=0, _strict_response_validation=True
    )


@pytest.fixture
def client(server: ServerHandle) -> Iterator[openai.OpenAI]:
    with sdk(server) as client:
        yield client
