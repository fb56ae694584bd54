"""Malformed requests get a 4xx with the error envelope naming the field, and change nothing."""

from __future__ import annotations

import httpx2
import pytest
from server_testing import new_thread


def error_of(response: httpx2.Response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return dict(body["error"])


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "assistant_id"),
        ({"assistant_id": 5}, "assistant_id"),
        ({"assistant_id": "   "}, "assistant_id"),
        ({"assistant_id": "A", "temperature": 2.5}, "temperature"),
        ({"assistant_id": "A", "temperature": "hot"}, "temperature"),
        ({"assistant_id": "A", "top_p": -0.1}, "top_p"),
        ({"assistant_id": "A", "max_completion_tokens": 100}, "max_completion_tokens"),
        ({"assistant_id": "A", "max_prompt_tokens": 255}, "max_prompt_tokens"),
        ({"assistant_id": "A", "tools": [{"type": "code_interpreter"}] * 21}, "tools"),
        (
            {"assistant_id": "A", "tools": [{"type": "function", "function": {"name": "bad name"}}]},
            "tools[0].function.name",
        ),
        ({"assistant_id": "A", "tools": [{"type": "browser"}]}, "tools[0]"),
        ({"assistant_id": "A", "metadata": {f"k{i}": "v" for i in range(17)}}, "metadata"),
        ({"assistant_id": "A", "metadata": {"k": "v" * 513}}, "metadata.k"),
        ({"assistant_id": "A", "metadata": {"k": 1}}, "metadata.k"),
        (
            {"assistant_id": "A", "truncation_strategy": {"type": "last_messages", "last_messages": 0}},
            "truncation_strategy.last_messages",
        ),
        ({"assistant_id": "A", "tool_choice": {"type": "function"}}, "tool_choice"),
        ({"assistant_id": "A", "stream": "yes"}, "stream"),
        ({"assistant_id": "A", "surprise": True}, "surprise"),
        (
            {"assistant_id": "A", "additional_messages": [{"role": "system", "content": "x"}]},
            "additional_messages[0].role",
        ),
        (
            {"assistant_id": "A", "additional_messages": [{"role": "user", "content": []}]},
            "additional_messages[0].content",
        ),
    ],
)
def test_create_run_names_the_bad_field(
    http: httpx2.Client, assistant_id: str, body: dict, param: str
) -> None:
    thread_id = new_thread(http, "hi")
    body = {**body, "assistant_id": assistant_id} if body.get("assistant_id") == "A" else body
    error = error_of(http.post(f"/threads/{thread_id}/runs", json=body))
    assert error["param"] == param and error["type"] == "invalid_request_error"
    assert http.get(f"/threads/{thread_id}/runs").json()["data"] == [], "nothing was created"


@pytest.mark.parametrize(
    "content",
    [b"{", b"[1, 2]", b'"text"', b"null", b'{"model": NaN}', b"\xff\xfe", b"{" * 100 + b"}" * 100],
)
def test_bodies_that_are_not_json_objects(http: httpx2.Client, content: bytes) -> None:
    error = error_of(http.post("/assistants", content=content, headers={"content-type": "application/json"}))
    assert error["code"] == "invalid_json"


def test_deep_nesting_inside_valid_fields_is_refused(http: httpx2.Client) -> None:
    deep: dict = {}
    node = deep
    for _ in range(100):
        node["x"] = {}
        node = node["x"]
    body = {"model": "m", "tools": [{"type": "function", "function": {"name": "f", "parameters": deep}}]}
    assert error_of(http.post("/assistants", json=body))["code"] == "invalid_json"


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("limit=1.5", "limit"),
        ("order=up", "order"),
        ("after=msg_nope", "after"),
        ("before=msg_nope", "before"),
    ],
)
def test_bad_pagination(http: httpx2.Client, query: str, param: str) -> None:
    thread_id = new_thread(http, "x")
    assert error_of(http.get(f"/threads/{thread_id}/messages?{query}"))["param"] == param


def test_unknown_ids_are_404s(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "x")
    cases = [
        ("GET", "/assistants/asst_nope"),
        ("POST", "/assistants/asst_nope"),
        ("DELETE", "/assistants/asst_nope"),
        ("GET", "/threads/thread_nope"),
        ("DELETE", "/threads/thread_nope"),
        ("GET", "/threads/thread_nope/messages"),
        ("POST", "/threads/thread_nope/messages"),
        ("GET", f"/threads/{thread_id}/messages/msg_nope"),
        ("GET", f"/threads/{thread_id}/runs/run_nope"),
        ("POST", f"/threads/{thread_id}/runs/run_nope/cancel"),
        ("POST", f"/threads/{thread_id}/runs/run_nope/submit_tool_outputs"),
        ("GET", f"/threads/{thread_id}/runs/run_nope/steps"),
        ("GET", "/files/file-nope"),
    ]
    for method, path in cases:
        error = error_of(http.request(method, path, json={}), 404)
        assert error["type"] == "not_found_error", path
    error = error_of(http.post(f"/threads/{thread_id}/runs", json={"assistant_id": "asst_nope"}), 404)
    assert error["param"] == "assistant_id" and "asst_nope" in error["message"]


def test_objects_of_another_thread_are_not_found(http: httpx2.Client, assistant_id: str) -> None:
    first, second = new_thread(http, "a"), new_thread(http, "b")
    run = http.post(f"/threads/{first}/runs", json={"assistant_id": assistant_id}).json()
    message = http.get(f"/threads/{first}/messages").json()["data"][0]
    assert http.get(f"/threads/{second}/runs/{run['id']}").status_code == 404
    assert http.get(f"/threads/{second}/messages/{message['id']}").status_code == 404
    assert http.post(f"/threads/{second}/runs/{run['id']}/cancel").status_code == 404


def test_unknown_include_values_are_refused(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "x")
    error = error_of(
        http.post(f"/threads/{thread_id}/runs?include[]=everything", json={"assistant_id": assistant_id})
    )
    assert error["param"] == "include[]"


def test_wrong_methods_and_routes(http: httpx2.Client) -> None:
    assert error_of(http.put("/threads", json={}), 405)["code"] == "method_not_allowed"
    assert error_of(http.get("/v2/threads"), 404)["code"] == "unknown_url"


def test_empty_bodies_where_the_sdk_sends_them(http: httpx2.Client, assistant_id: str) -> None:
    assert http.post("/threads", content=b"", headers={"content-type": "application/json"}).status_code == 200
    thread_id = new_thread(http, "/wait")
    run = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
    cancel = http.post(
        f"/threads/{thread_id}/runs/{run['id']}/cancel", headers={"content-type": "application/json"}
    )
    assert cancel.status_code == 200


def test_idempotency_key_returns_the_first_response(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http)
    headers = {"Idempotency-Key": "retry-1"}
    body = {"assistant_id": assistant_id, "additional_messages": [{"role": "user", "content": "once"}]}
    first = http.post(f"/threads/{thread_id}/runs", json=body, headers=headers)
    again = http.post(f"/threads/{thread_id}/runs", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert len(http.get(f"/threads/{thread_id}/runs").json()["data"]) == 1
    changed = http.post(f"/threads/{thread_id}/runs", json={**body, "metadata": {"a": "b"}}, headers=headers)
    assert error_of(changed)["code"] == "idempotency_key_reused"
    # the same key on another route is another request
    message = http.post(
        f"/threads/{new_thread(http)}/messages", json={"role": "user", "content": "x"}, headers=headers
    )
    assert message.status_code == 200


def test_idempotent_stream_replays_the_same_events(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "stream once")
    headers = {"Idempotency-Key": "stream-1"}
    body = {"assistant_id": assistant_id, "stream": True}
    first = http.post(f"/threads/{thread_id}/runs", json=body, headers=headers).text
    again = http.post(f"/threads/{thread_id}/runs", json=body, headers=headers).text
    assert first == again and first.endswith("event: done\ndata: [DONE]\n\n")
    assert len(http.get(f"/threads/{thread_id}/runs").json()["data"]) == 1


def test_an_unexpected_failure_is_an_enveloped_500_that_says_not_to_retry() -> None:
    from server_testing import http_client

    from run_widgets.server import start

    def break_inserts(core: object) -> None:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("disk on fire")

        core.store.insert = broken  # type: ignore[attr-defined]

    with start() as server, http_client(server) as http:
        server.call(break_inserts)
        response = http.post("/assistants", json={"model": "m"})
        assert response.status_code == 500 and response.headers["x-should-retry"] == "false"
        error = response.json()["error"]
        assert error["type"] == "server_error" and "disk on fire" not in error["message"]
        assert http.get("/assistants").status_code == 200, "the server keeps serving"
