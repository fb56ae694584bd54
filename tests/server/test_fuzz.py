"""Junk on every route: always a 4xx with the error envelope (or a success), never a 500, never a
stuck run, and data made before is left as it was."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_testing import TOOLS, http_client, new_thread, wait_for_status

from run_widgets.server import ServerHandle, start

PAUSED = {"requires_action", "completed", "failed", "cancelled", "expired", "incomplete"}

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/assistants", {"model": "scripted", "tools": TOOLS[:1], "metadata": {"a": "b"}}),
    ("GET", "/assistants", None),
    ("GET", "/assistants/{assistant_id}", None),
    ("POST", "/assistants/{assistant_id}", {"name": "n", "temperature": 0.5}),
    ("DELETE", "/assistants/{assistant_id}", None),
    ("POST", "/threads", {"messages": [{"role": "user", "content": "hi"}], "metadata": {}}),
    (
        "POST",
        "/threads/runs",
        {"assistant_id": "{assistant_id}", "thread": {"messages": [{"role": "user", "content": "x"}]}},
    ),
    ("GET", "/threads/{thread_id}", None),
    ("POST", "/threads/{thread_id}", {"metadata": {"k": "v"}}),
    ("DELETE", "/threads/{thread_id}", None),
    ("POST", "/threads/{thread_id}/messages", {"role": "user", "content": [{"type": "text", "text": "x"}]}),
    ("GET", "/threads/{thread_id}/messages", None),
    ("GET", "/threads/{thread_id}/messages/{message_id}", None),
    ("POST", "/threads/{thread_id}/messages/{message_id}", {"metadata": {"k": "v"}}),
    ("DELETE", "/threads/{thread_id}/messages/{message_id}", None),
    (
        "POST",
        "/threads/{thread_id}/runs",
        {"assistant_id": "{assistant_id}", "temperature": 1, "max_completion_tokens": 300},
    ),
    ("GET", "/threads/{thread_id}/runs", None),
    ("GET", "/threads/{thread_id}/runs/{run_id}", None),
    ("POST", "/threads/{thread_id}/runs/{run_id}", {"metadata": {"k": "v"}}),
    ("POST", "/threads/{thread_id}/runs/{run_id}/cancel", None),
    (
        "POST",
        "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs",
        {"tool_outputs": [{"tool_call_id": "{call_id}", "output": "o"}]},
    ),
    ("GET", "/threads/{thread_id}/runs/{run_id}/steps", None),
    ("GET", "/threads/{thread_id}/runs/{run_id}/steps/{step_id}", None),
    ("GET", "/files/{file_id}", None),
    ("GET", "/files/{file_id}/content", None),
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
junk_ids = st.text(max_size=40).filter(lambda s: "/" not in s and "?" not in s and "#" not in s and s.strip())


@pytest.fixture(scope="module")
def fuzz_server() -> Any:
    with start(words_per_second=0, requires_action_timeout=30) as server:
        yield server


@pytest.fixture(scope="module")
def targets(fuzz_server: ServerHandle) -> dict[str, str]:
    """Real ids for the fuzzer to aim at (it may delete or cancel them)."""
    with http_client(fuzz_server) as http:
        assistant_id = http.post("/assistants", json={"model": "scripted", "tools": TOOLS}).json()["id"]
        thread_id = new_thread(http, "call get_time {}\n/code")
        run = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
        run = wait_for_status(http, thread_id, run["id"], {"requires_action"})
        steps = http.get(f"/threads/{thread_id}/runs/{run['id']}/steps?order=asc").json()["data"]
        outputs = steps[0]["step_details"]["tool_calls"][0]["code_interpreter"]["outputs"]
        return {
            "assistant_id": assistant_id,
            "thread_id": thread_id,
            "run_id": run["id"],
            "step_id": steps[-1]["id"],
            "call_id": run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"],
            "message_id": http.get(f"/threads/{thread_id}/messages").json()["data"][0]["id"],
            "file_id": outputs[1]["image"]["file_id"],
        }


@st.composite
def requests(draw: st.DrawFn, targets: dict[str, str]) -> tuple[str, str, dict[str, str], bytes | None]:
    method, template, body = draw(st.sampled_from(ROUTES))
    path = template
    for name, value in targets.items():
        if "{" + name + "}" in path:
            path = path.replace(
                "{" + name + "}",
                draw(st.sampled_from([value, value, "x" + value])) if draw(st.booleans()) else value,
            )
            path = path.replace("{" + name + "}", value)
    if draw(st.integers(0, 4)) == 0:
        segments = path.split("/")
        index = draw(st.integers(1, len(segments) - 1))
        segments[index] = quote(draw(junk_ids), safe="")
        path = "/".join(segments)
    query = draw(
        st.dictionaries(
            st.sampled_from(["limit", "order", "after", "before", "include[]", "run_id", "zzz"]),
            st.text(max_size=12) | st.integers(-5, 200).map(str),
            max_size=3,
        )
    )
    kind = draw(st.integers(0, 5))
    content: bytes | None
    if body is None and kind < 3:
        content = None
    elif kind == 0:
        content = draw(st.binary(max_size=64))
    elif kind == 1:
        content = json.dumps(draw(json_values)).encode()
    else:  # a valid body with one field replaced, added or nested junk
        data = json.loads(
            json.dumps(body or {})
            .replace("{assistant_id}", targets["assistant_id"])
            .replace("{call_id}", targets["call_id"])
        )
        key = draw(
            st.sampled_from([*data.keys(), "stream", "tools", "metadata", "extra_field"])
            if data
            else st.just("extra_field")
        )
        if draw(st.booleans()):
            data[key] = draw(json_values)
        content = json.dumps(data).encode()
    return method, path, query, content


def check(response: httpx2.Response) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    assert response.headers.get("x-request-id")
    kind = response.headers.get("content-type", "")
    if response.status_code >= 400:
        assert kind == "application/json"
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"} and isinstance(error["message"], str)
    elif kind.startswith("text/event-stream"):
        assert response.text.endswith("event: done\ndata: [DONE]\n\n")
    elif kind == "application/json":
        response.json()


def test_junk_never_breaks_the_server(fuzz_server: ServerHandle, targets: dict[str, str]) -> None:
    with http_client(fuzz_server) as http:
        keep_thread = new_thread(http, "untouchable")
        keep_run = http.post(
            f"/threads/{keep_thread}/runs", json={"assistant_id": targets["assistant_id"]}
        ).json()
        wait_for_status(http, keep_thread, keep_run["id"], PAUSED)
        before = {
            url: http.get(url).json()
            for url in (
                f"/threads/{keep_thread}",
                f"/threads/{keep_thread}/messages",
                f"/threads/{keep_thread}/runs",
                f"/threads/{keep_thread}/runs/{keep_run['id']}/steps",
                f"/assistants/{targets['assistant_id']}",
            )
        }
        runs_made: list[tuple[str, str]] = []

        @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(requests(targets))
        def fuzz(request: tuple[str, str, dict[str, str], bytes | None]) -> None:
            method, path, query, content = request
            headers = {"content-type": "application/json"} if content is not None else {}
            response = http.request(method, path, params=query, content=content, headers=headers)
            check(response)
            if response.status_code == 200 and response.headers["content-type"] == "application/json":
                data = response.json()
                if isinstance(data, dict) and data.get("object") == "thread.run":
                    runs_made.append((data["thread_id"], data["id"]))

        fuzz()

        if http.get(f"/assistants/{targets['assistant_id']}").status_code == 404:
            del before[f"/assistants/{targets['assistant_id']}"]  # the fuzzer may delete what it aims at
        for url, body in before.items():
            assert http.get(url).json() == body, f"{url} changed"
        for thread_id, run_id in runs_made:  # nothing stays stuck
            if http.get(f"/threads/{thread_id}").status_code == 200:
                wait_for_status(http, thread_id, run_id, PAUSED)
