"""Fixtures for the server tests: one shared full-speed server, clients, an assistant with tools."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import httpx2
import openai
import pytest
from server_testing import TOOLS, http_client, sdk_client

from run_widgets.server import ServerHandle, start

warnings.filterwarnings("ignore", message="The Assistants API is deprecated", category=DeprecationWarning)


@pytest.fixture(scope="session")
def server() -> Iterator[ServerHandle]:
    """The shared server: scripted engine at full speed, the default 600 s deadline."""
    with start(words_per_second=0) as handle:
        yield handle


@pytest.fixture
def http(server: ServerHandle) -> Iterator[httpx2.Client]:
    with http_client(server) as client:
        yield client


@pytest.fixture
def client(server: ServerHandle) -> Iterator[openai.OpenAI]:
    with sdk_client(server) as sdk:
        yield sdk


@pytest.fixture(scope="session")
def assistant_id(server: ServerHandle) -> str:
    with http_client(server) as http:
        response = http.post(
            "/assistants", json={"model": "scripted", "instructions": "Be brief.", "tools": TOOLS}
        )
        assert response.status_code == 200
        return str(response.json()["id"])
