"""``client.files``: retrieve and content, over ``httpx2.MockTransport`` (headers, retries, errors, limits)."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import openai
import pytest

from run_widgets import AsyncClient, Client
from run_widgets.client import (
    APIConnectionError,
    BinaryResponseContent,
    ContentTooLargeError,
    InternalServerError,
    NotFoundError,
)
from run_widgets.models import FileObject

from .conftest import API_KEY, ChunkStream, FakeServer, async_client, error_response, json_response

FILE = {
    "id": "file-abc",
    "object": "file",
    "bytes": 12,
    "created_at": 1_700_000_000,
    "filename": "chart.png",
    "purpose": "assistants_output",
    "status": "processed",
    "status_details": None,
}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


def png_response(body: bytes = PNG, **headers: str) -> httpx2.Response:
    return httpx2.Response(200, content=body, headers={"content-type": "image/png", **headers})


def test_retrieve_reads_the_file_object_and_keeps_fields_it_does_not_know(
    client: Client, server: FakeServer
) -> None:
    server.on("GET", "/files/file-abc", json_response({**FILE, "purpose": "something_new", "region": "eu"}))
    found = client.files.retrieve("file-abc")
    assert isinstance(found, FileObject)
    assert (found.id, found.filename, found.bytes, found.purpose) == (
        "file-abc",
        "chart.png",
        12,
        "something_new",
    )
    assert found.to_dict()["region"] == "eu" and found.created.year == 2023
    request = server.last
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["openai-beta"] == "assistants=v2" and "idempotency-key" not in request.headers


def test_a_file_object_needs_little_more_than_its_id_and_name(client: Client, server: FakeServer) -> None:
    server.on("GET", "/files/file-min", json_response({"id": "file-min", "created_at": 1, "filename": "x"}))
    found = client.files.retrieve("file-min")
    assert (found.object, found.bytes, found.purpose, found.status) == ("file", None, None, None)


def test_content_returns_the_bytes_with_their_type(
    client: Client, server: FakeServer, tmp_path: Path
) -> None:
    server.on("GET", "/files/file-abc/content", png_response(PNG, **{"x-request-id": "req_9"}))
    content = client.files.content("file-abc")
    assert isinstance(content, BinaryResponseContent)
    assert content.content == PNG and content.read() == PNG and b"".join(content.iter_bytes(7)) == PNG
    assert content.content_type == "image/png" and content.headers["x-request-id"] == "req_9"
    assert repr(content) == f"<BinaryResponseContent image/png, {len(PNG)} bytes>"
    content.write_to_file(tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes() == PNG
    request = server.last
    assert (
        request.url.path == "/v1/files/file-abc/content" and request.headers["accept"] == "application/binary"
    )
    assert request.headers["authorization"] == f"Bearer {API_KEY}"


def test_content_of_a_text_file_reads_as_text_and_json(client: Client, server: FakeServer) -> None:
    body = json.dumps({"ok": "é"}).encode("utf-8")
    server.on(
        "GET",
        "/files/file-j/content",
        httpx2.Response(200, content=body, headers={"content-type": "application/json; charset=utf-8"}),
    )
    content = client.files.content("file-j")
    assert content.content_type == "application/json" and content.json() == {"ok": "é"}
    assert content.text == body.decode() and content.encoding == "utf-8"


def test_ids_are_quoted_and_an_empty_id_fails_before_sending(client: Client, server: FakeServer) -> None:
    with pytest.raises(ValueError, match="file_id must be a non-empty string id"):
        client.files.content("")
    with pytest.raises(ValueError, match="file_id must be a non-empty string id"):
        client.files.retrieve(" ")
    assert server.requests == []
    with pytest.raises(NotFoundError):  # this fake server has no files
        client.files.content("a/b")
    assert server.last.url.raw_path == b"/v1/files/a%2Fb/content"  # one id, quoted: not two path segments


def test_content_is_retried_like_every_call(client: Client, server: FakeServer, sleeps: list[float]) -> None:
    server.on(
        "GET", "/files/file-abc/content", error_response(503), httpx2.ConnectError("reset"), png_response()
    )
    assert client.files.content("file-abc").content == PNG
    assert len(server.requests) == 3 and len(sleeps) == 2


def test_a_missing_file_is_a_not_found_error_that_says_what_to_check(
    client: Client, server: FakeServer
) -> None:
    server.on("GET", "/files/file-gone/content", error_response(404, "No file with id file-gone."))
    with pytest.raises(NotFoundError, match=r"No file with id file-gone\. Check the id") as caught:
        client.files.content("file-gone")
    assert caught.value.status_code == 404


def test_an_error_that_echoes_the_key_is_scrubbed(client: Client, server: FakeServer) -> None:
    server.on("GET", "/files/file-abc/content", error_response(500, f"bad header Bearer {API_KEY}"))
    with pytest.raises(InternalServerError) as caught:
        client.files.content("file-abc")
    assert API_KEY not in str(caught.value) and API_KEY not in repr(caught.value.body)


def test_max_bytes_refuses_a_declared_larger_body_without_reading_it(
    client: Client, server: FakeServer
) -> None:
    read: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        for chunk in (PNG[:10], PNG[10:]):
            read.append(chunk)
            yield chunk

    server.on(
        "GET",
        "/files/file-abc/content",
        lambda _request: httpx2.Response(
            200,
            headers={"content-type": "image/png", "content-length": str(len(PNG))},
            stream=ChunkStream(chunks()),
        ),
    )
    with pytest.raises(ContentTooLargeError, match=r"larger than max_bytes=20 \(48 bytes\)") as caught:
        client.files.content("file-abc", max_bytes=20)
    assert (caught.value.max_bytes, caught.value.size) == (20, len(PNG)) and read == []
    assert "Pass a larger max_bytes" in str(caught.value)


def test_max_bytes_stops_an_undeclared_body_once_it_is_past_the_limit(
    client: Client, server: FakeServer
) -> None:
    read: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            read.append(b"x" * 10)
            yield b"x" * 10

    server.on("GET", "/files/big/content", lambda _r: httpx2.Response(200, stream=ChunkStream(chunks())))
    with pytest.raises(ContentTooLargeError) as caught:
        client.files.content("big", max_bytes=25)
    assert caught.value.size is None and len(read) == 3  # stopped at 30 bytes, not 1,000


def test_max_bytes_at_or_above_the_size_reads_it_all(client: Client, server: FakeServer) -> None:
    server.on("GET", "/files/file-abc/content", lambda _r: png_response())
    assert client.files.content("file-abc", max_bytes=len(PNG)).content == PNG
    assert client.files.content("file-abc", max_bytes=10**6).content_type == "image/png"
    with pytest.raises(ValueError, match="max_bytes must be a whole number >= 0"):
        client.files.content("file-abc", max_bytes=-1)


def test_a_body_that_breaks_while_read_is_a_connection_error(client: Client, server: FakeServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield PNG[:10]
        raise httpx2.ReadError(f"connection reset (key {API_KEY})")

    server.on("GET", "/files/file-abc/content", lambda _r: httpx2.Response(200, stream=ChunkStream(chunks())))
    with pytest.raises(APIConnectionError, match="broke while reading the body") as caught:
        client.files.content("file-abc", max_bytes=1_000)
    assert API_KEY not in str(caught.value)


def test_the_async_twin_reads_alike(server: FakeServer, sleeps: list[float]) -> None:
    server.on("GET", "/files/file-abc", json_response(FILE))
    server.on(
        "GET",
        "/files/file-abc/content",
        error_response(500),
        png_response(PNG, **{"content-length": str(len(PNG))}),
    )
    server.on("GET", "/files/big/content", lambda _r: png_response(b"y" * 100))

    async def main() -> None:
        async with async_client(server, sleeps) as client:
            found = await client.files.retrieve("file-abc")
            content = await client.files.content("file-abc", max_bytes=1_000)
            assert found.filename == "chart.png" and content.content == PNG and await content.aread() == PNG
            assert content.content_type == "image/png"
            with pytest.raises(ContentTooLargeError):
                await client.files.content("big", max_bytes=99)
            assert (await client.files.content("big")).content == b"y" * 100

    asyncio.run(main())
    assert len(sleeps) == 1  # the 500 was retried


def test_files_take_the_sdks_arguments() -> None:
    """``client.files.retrieve`` / ``content`` as in the SDK (``content`` adds ``max_bytes``)."""
    sdk = openai.OpenAI(api_key="k", base_url="http://h.invalid/v1")
    async_sdk = openai.AsyncOpenAI(api_key="k", base_url="http://h.invalid/v1")
    ours, ours_async = Client("http://h.invalid/v1"), AsyncClient("http://h.invalid/v1")
    for method in ("retrieve", "content"):
        for theirs, mine in ((sdk.files, ours.files), (async_sdk.files, ours_async.files)):
            sdk_params = inspect.signature(getattr(theirs, method)).parameters
            our_params = inspect.signature(getattr(mine, method)).parameters
            assert [(n, p.kind) for n, p in our_params.items() if n != "max_bytes"] == [
                (n, p.kind) for n, p in sdk_params.items()
            ]
        assert inspect.iscoroutinefunction(getattr(ours_async.files, method))
