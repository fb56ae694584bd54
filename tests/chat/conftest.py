"""Fixtures for the chat engine tests: the fake backend, our server in front of it, SDK clients."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import openai
import pytest
from chat_testing import chat_server, sdk
from fake_backend import FakeBackend

from run_widgets.server import ServerHandle

warnings.filterwarnings("ignore", message="The Assistants API is deprecated", category=DeprecationWarning)


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


@pytest.fixture(scope="session")
def server(backend_server: FakeBackend) -> Iterator[ServerHandle]:
    """Our server, answering with the fake backend (default options)."""
    with chat_server(backend_server.base_url) as handle:
        yield handle


@pytest.fixture
def client(server: ServerHandle) -> Iterator[openai.OpenAI]:
    with sdk(server) as client:
        yield client
