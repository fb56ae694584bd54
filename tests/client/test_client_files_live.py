"""``client.files`` against the embedded server over loopback, and the same bytes through the official SDK."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator

import openai
import pytest

from run_widgets import AsyncClient, Client
from run_widgets.client import ContentTooLargeError, NotFoundError
from run_widgets.server import ServerHandle, start

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with start(words_per_second=0) as handle:
        yield handle


@pytest.fixture(scope="module")
def client(server: ServerHandle) -> Iterator[Client]:
    with Client(server.base_url, api_key=server.api_key) as made:
        yield made


@pytest.fixture(scope="module")
def chart_id(client: Client) -> str:
    """The image file of a ``/code`` run's code interpreter step."""
    assistant = client.assistants.create(model="scripted", tools=[{"type": "code_interpreter"}])
    thread = client.threads.create(messages=[{"role": "user", "content": "/code"}])
    run = client.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "completed"
    ids = [
        output.image.file_id
        for step in client.threads.runs.steps.list(run.id, thread_id=thread.id)
        if step.type == "tool_calls"
        for call in step.step_details.tool_calls  # type: ignore[union-attr]
        for output in call.code_interpreter.outputs  # type: ignore[union-attr]
        if output.type == "image"
    ]
    (file_id,) = ids
    return file_id


def test_retrieve_and_content_of_a_code_interpreter_chart(client: Client, chart_id: str) -> None:
    found = client.files.retrieve(chart_id)
    content = client.files.content(chart_id)
    assert found.id == chart_id and found.filename.endswith(".png") and found.purpose == "assistants_output"
    assert content.content_type == "image/png" and content.content.startswith(PNG_SIGNATURE)
    assert found.bytes == len(content.content)
    assert client.files.content(chart_id, max_bytes=len(content.content)).content == content.content
    with pytest.raises(ContentTooLargeError):
        client.files.content(chart_id, max_bytes=len(content.content) - 1)


def test_the_async_client_and_the_sdk_get_the_same_bytes(
    server: ServerHandle, client: Client, chart_id: str
) -> None:
    expected = client.files.content(chart_id).content

    async def fetch() -> bytes:
        async with AsyncClient(server.base_url, api_key=server.api_key) as made:
            assert (await made.files.retrieve(chart_id)).id == chart_id
            return (await made.files.content(chart_id, max_bytes=2_000_000)).content

    assert asyncio.run(fetch()) == expected
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        sdk = openai.OpenAI(base_url=server.base_url, api_key=server.api_key)
    assert sdk.files.content(chart_id).content == expected
    assert sdk.files.retrieve(chart_id).filename == client.files.retrieve(chart_id).filename


def test_an_unknown_file_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.files.content("file-nope")
    assert caught.value.status_code == 404
    with pytest.raises(NotFoundError):
        client.files.retrieve("file-nope")
