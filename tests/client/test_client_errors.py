"""Typed errors: one class per status, every field of the error object, the request id, and a hint."""

from __future__ import annotations

import httpx2
import pytest

from run_widgets import Client
from run_widgets.client import (
    APIError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

from .conftest import FakeServer, error_response, json_response


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
