"""Typed errors: one class per status, every field of the error object, the request id, and a hint."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from run_widgets import Client
from run_widgets.client import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContentTooLargeError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from state.transcripts import sse, text_run

from .conftest import ChunkStream, FakeServer, error_response, json_response, sse_response


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (504, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_each_status_has_its_error_with_every_field(status: int, cls: type[APIStatusError]) -> None:
    server = FakeServer().on(
        "POST",
        "/threads/thread_1/runs",
        error_response(
            status,
            "Thread thread_1 already has an active run run_0.",
            headers={"x-request-id": "req_abc", "x-should-retry": "false"},
            type="invalid_request_error",
            param="thread_id",
            code="thread_locked",
        ),
    )
    client = Client("http://h.invalid/v1", http_client=httpx2.Client(transport=httpx2.MockTransport(server)))
    with pytest.raises(cls) as caught:
        client.threads.runs.create("thread_1", assistant_id="asst_1")
    error = caught.value
    assert type(error) is cls and isinstance(error, APIError)
    assert error.status_code == status
    assert error.message == "Thread thread_1 already has an active run run_0."
    assert (error.type, error.param, error.code) == ("invalid_request_error", "thread_id", "thread_locked")
    assert error.request_id == "req_abc"
    assert error.body["code"] == "thread_locked"
    assert error.response.status_code == status and error.request is not None
    assert str(error).startswith(f"{status} ")
    assert error.message in str(error)


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        (401, "RUN_WIDGETS_API_KEY"),
        (404, "base_url"),
        (429, "max_retries"),
        (500, "try again"),
    ],
)
def test_the_message_says_what_to_do(status: int, advice: str) -> None:
    server = FakeServer().on(
        "GET", "/threads/t", error_response(status, "Nope.", headers={"x-should-retry": "false"})
    )
    client = Client(
        "http://h.invalid/v1",
        api_key="sk-abc",
        http_client=httpx2.Client(transport=httpx2.MockTransport(server)),
    )
    with pytest.raises(APIStatusError) as caught:
        client.threads.retrieve("t")
    assert advice in str(caught.value)
    assert "sk-abc" not in str(caught.value)


def test_an_error_without_an_error_object(client: Client, server: FakeServer) -> None:
    server.on(
        "GET",
        "/threads/t",
        httpx2.Response(502, text="<html>Bad gateway</html>", headers={"x-should-retry": "false"}),
    )
    with pytest.raises(InternalServerError) as caught:
        client.threads.retrieve("t")
    error = caught.value
    assert error.message == "<html>Bad gateway</html>"
    assert (error.type, error.param, error.code, error.request_id) == (None, None, None, None)


def test_an_error_with_an_empty_body(client: Client, server: FakeServer) -> None:
    server.on("DELETE", "/threads/t", httpx2.Response(403))
    with pytest.raises(PermissionDeniedError, match="no error message"):
        client.threads.delete("t")


def test_a_200_that_is_not_the_promised_object(client: Client, server: FakeServer) -> None:
    server.on("GET", "/threads/t/runs/r", json_response({"id": "r", "object": "thread.run"}))
    with pytest.raises(APIResponseValidationError) as caught:
        client.threads.runs.retrieve("r", thread_id="t")
    message = str(caught.value)
    assert "GET" in message and "/threads/t/runs/r" in message and "created_at" in message
    assert "Assistants v2" in message


def test_a_200_that_is_not_json(client: Client, server: FakeServer) -> None:
    server.on("GET", "/threads/t", httpx2.Response(200, text="<html>login</html>"))
    with pytest.raises(APIResponseValidationError, match="cannot read"):
        client.threads.retrieve("t")


# --- every typed error has every attribute ----------------------------------------------------------

ATTRIBUTES = ("status_code", "status", "message", "type", "param", "code", "request_id")


def attributes(error: APIError) -> dict[str, object]:
    return {name: getattr(error, name) for name in ATTRIBUTES}


def test_a_status_error_reads_status_as_status_code(client: Client, server: FakeServer) -> None:
    server.on("GET", "/threads/t", error_response(404, "No thread t.", code="not_found"))
    with pytest.raises(NotFoundError) as caught:
        client.threads.retrieve("t")
    assert attributes(caught.value) == {
        "status_code": 404,
        "status": 404,
        "message": "No thread t.",
        "type": "invalid_request_error",
        "param": None,
        "code": "not_found",
        "request_id": "req_123",
    }


def test_a_connection_error_has_every_attribute_and_no_status(client: Client, server: FakeServer) -> None:
    server.on("GET", "/threads/t", httpx2.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as caught:
        client.threads.retrieve("t")
    error = caught.value
    assert type(error) is APIConnectionError
    assert attributes(error) == {
        "status_code": None,
        "status": None,
        "message": error.message,
        "type": None,
        "param": None,
        "code": None,
        "request_id": None,
    }
    assert "Could not reach http://test.invalid/v1" in error.message
    assert error.response is None and error.request is not None


def test_a_timeout_has_every_attribute_and_no_status(client: Client, server: FakeServer) -> None:
    server.on("GET", "/threads/t", httpx2.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError) as caught:
        client.threads.retrieve("t")
    error = caught.value
    assert isinstance(error, APIConnectionError)
    assert (error.status_code, error.status, error.request_id, error.response) == (None, None, None, None)
    assert (error.type, error.param, error.code) == (None, None, None)
    assert "timed out" in error.message and error.request is not None


def test_a_download_that_breaks_mid_body_keeps_the_request_id(client: Client, server: FakeServer) -> None:
    def broken() -> Iterator[bytes]:
        yield b"PNG..."
        raise httpx2.ReadError("reset")

    server.on(
        "GET",
        "/files/file_1/content",
        lambda _request: httpx2.Response(
            200, headers={"x-request-id": "req_broken"}, stream=ChunkStream(broken())
        ),
    )
    with pytest.raises(APIConnectionError) as caught:
        client.files.content("file_1", max_bytes=1_000)
    error = caught.value
    assert "broke while reading the body" in error.message
    assert (error.status_code, error.status, error.request_id) == (None, None, "req_broken")
    assert (error.type, error.param, error.code) == (None, None, None)


def test_a_stream_error_event_has_every_attribute_and_the_streams_request_id(
    client: Client, server: FakeServer
) -> None:
    events = [
        *text_run().events[:3],
        (
            "error",
            {
                "error": {
                    "message": "The model failed.",
                    "type": "server_error",
                    "param": "model",
                    "code": "boom",
                }
            },
        ),
    ]
    server.on(
        "POST", "/threads/thread_abc123/runs", sse_response(sse(events), headers={"x-request-id": "req_sse"})
    )
    with pytest.raises(APIStreamError) as caught:
        client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a").until_done()
    error = caught.value
    assert attributes(error) == {
        "status_code": None,
        "status": None,
        "message": "The model failed.",
        "type": "server_error",
        "param": "model",
        "code": "boom",
        "request_id": "req_sse",
    }
    assert error.response is not None and error.response.status_code == 200


def test_a_bare_stream_error_event_has_the_request_id_too(client: Client, server: FakeServer) -> None:
    events = [*text_run().events[:3], ("error", {"message": "Bare.", "type": "server_error"})]
    server.on(
        "POST", "/threads/thread_abc123/runs", sse_response(sse(events), headers={"x-request-id": "req_bare"})
    )
    with pytest.raises(APIStreamError) as caught:
        client.threads.runs.stream(thread_id="thread_abc123", assistant_id="a").until_done()
    assert (caught.value.message, caught.value.type, caught.value.code) == ("Bare.", "server_error", None)
    assert (caught.value.status, caught.value.request_id) == (None, "req_bare")


def test_a_response_validation_error_names_its_response(client: Client, server: FakeServer) -> None:
    server.on("GET", "/threads/t", json_response({"id": "t"}, headers={"x-request-id": "req_odd"}))
    with pytest.raises(APIResponseValidationError) as caught:
        client.threads.retrieve("t")
    error = caught.value
    assert (error.status_code, error.status, error.request_id) == (None, None, "req_odd")
    assert (error.type, error.param, error.code) == (None, None, None)
    assert error.response is not None and "cannot read" in error.message


def test_a_too_large_body_names_its_response(client: Client, server: FakeServer) -> None:
    server.on(
        "GET",
        "/files/file_1/content",
        httpx2.Response(200, content=b"x" * 100, headers={"x-request-id": "req_big"}),
    )
    with pytest.raises(ContentTooLargeError) as caught:
        client.files.content("file_1", max_bytes=10)
    error = caught.value
    assert (error.status_code, error.request_id, error.max_bytes, error.size) == (None, "req_big", 10, 100)
    assert (error.type, error.param, error.code) == (None, None, None)
