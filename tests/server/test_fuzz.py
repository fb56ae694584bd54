"""Junk on every route: always a 4xx with the error envelope (or a success), never a 500, never a
stuck run, and data made before is left as it was.

Text includes unpaired surrogates, and otherwise valid bodies get raw ``\\udXXX`` escapes spliced
into their strings: the JSON parser accepts those, so they must be caught before the store sees them.
"""

from __future__ import annotations

import json
import logging
import random
from typing import Any
from urllib.parse import quote

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_testing import TOOLS, http_client, new_thread, wait_for_status

from run_widgets.server import ServerHandle, start

TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete"}
PAUSED = {"requires_action", *TERMINAL}

ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    (
        "POST",
        "/assistants",
        {"model": "scripted", "instructions": "i", "tools": TOOLS[:1], "metadata": {"a": "b"}},
    ),
    ("GET", "/assistants", None),
    ("GET", "/assistants/{assistant_id}", None),
    ("POST", "/assistants/{assistant_id}", {"name": "n", "temperature": 0.5}),
    ("DELETE", "/assistants/{assistant_id}", None),
    ("POST", "/threads", {"messages": [{"role": "user", "content": "hi"}], "metadata": {"k": "v"}}),
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
    (
        "POST",
        "/threads/{fresh_thread}/runs",
        {
            "assistant_id": "{assistant_id}",
            "model": "scripted",
            "instructions": "i",
            "additional_instructions": "a",
            "additional_messages": [{"role": "user", "content": [{"type": "text", "text": "t"}]}],
        },
    ),
    ("POST", "/threads/{fresh_thread}/messages", {"role": "user", "content": "plain"}),
    ("GET", "/threads/{thread_id}/runs", None),
    ("GET", "/threads/{thread_id}/runs/{run_id}", None),
    ("POST", "/threads/{thread_id}/runs/{run_id}", {"metadata": {"k": "v"}}),
    ("POST", "/threads/{thread_id}/runs/{run_id}/cancel", None),
    ("POST", "/threads/{wait_thread}/runs/{wait_run}/cancel", None),
    (
        "POST",
        "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs",
        {"tool_outputs": [{"tool_call_id": "{call_id}", "output": "o"}]},
    ),
    (  # a run waiting for outputs, made for this request: the first submit, not a wrong-state one
        "POST",
        "/threads/{wait_thread}/runs/{wait_run}/submit_tool_outputs",
        {"tool_outputs": [{"tool_call_id": "{wait_call}", "output": "o"}]},
    ),
    ("GET", "/threads/{thread_id}/runs/{run_id}/steps", None),
    ("GET", "/threads/{thread_id}/runs/{run_id}/steps/{step_id}", None),
    ("GET", "/files/{file_id}", None),
    ("GET", "/files/{file_id}/content", None),
]

# st.text() never makes surrogates (it draws UTF-8 encodable text): add them on purpose
any_text = st.text(max_size=30) | st.text(
    st.characters(categories=["Cs"]) | st.characters(), min_size=1, max_size=30
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text.map(lambda t: t[:12]), children, max_size=4)
    ),
    max_leaves=12,
)
surrogate_escapes = st.integers(0xD800, 0xDFFF).flatmap(
    lambda code: st.sampled_from([f"\\u{code:04x}", f"\\u{code:04X}"])
)
MARK = "\u2063splice\u2063"
junk_ids = any_text.filter(lambda s: "/" not in s and "?" not in s and "#" not in s and s.strip())


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
        segments[index] = quote(draw(junk_ids), safe="", errors="surrogatepass")
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
    else:  # a valid body with one field replaced, added or nested junk, or an escape spliced in
        data = json.loads(
            json.dumps(body or {})
            .replace("{assistant_id}", targets["assistant_id"])
            .replace("{call_id}", targets["call_id"])
        )
        if kind >= 4 and draw(st.booleans()):
            content = splice_escape(data, draw(st.randoms()), draw(surrogate_escapes))
        else:
            key = draw(
                st.sampled_from([*data.keys(), "stream", "tools", "metadata", "extra_field"])
                if data
                else st.just("extra_field")
            )
            if draw(st.booleans()):
                data[key] = draw(json_values)
            content = json.dumps(data).encode()
    return method, path, query, content


def splice_escape(data: Any, rng: random.Random, escape: str) -> bytes:
    """``data`` as JSON, one of its strings (a value or a key) holding the raw escape ``escape``."""
    places: list[tuple[Any, Any, bool]] = []  # (container, key or index, whether the key itself)

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                places.append((value, key, True))
                if isinstance(item, str):
                    places.append((value, key, False))
                collect(item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    places.append((value, index, False))
                collect(item)

    collect(data)
    if not places:
        data = {"extra_field": ""}
        places.append((data, "extra_field", False))
    container, key, is_key = rng.choice(places)
    if is_key:
        container[key + MARK] = container.pop(key)
    else:
        text = container[key]
        cut = rng.randint(0, len(text))
        container[key] = text[:cut] + MARK + text[cut:]
    return json.dumps(data).replace(json.dumps(MARK)[1:-1], escape).encode()


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


def waiting_run(http: httpx2.Client, assistant_id: str) -> dict[str, str]:
    """A new run waiting for one tool output, on its own thread."""
    thread_id = new_thread(http, "call get_time {}")
    run = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
    run = wait_for_status(http, thread_id, run["id"], {"requires_action"})
    call_id = run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]
    return {"wait_thread": thread_id, "wait_run": run["id"], "wait_call": call_id}


def made_run(response: httpx2.Response) -> tuple[str, str] | None:
    """The (thread, run) a successful response made or showed, streamed or not."""
    if response.status_code != 200:
        return None
    kind = response.headers["content-type"]
    data: Any = None
    if kind == "application/json":
        data = response.json()
    elif kind.startswith("text/event-stream"):
        for block in response.text.split("\n\n"):
            if block.startswith("event: thread.run.created\ndata: "):
                data = json.loads(block.split("data: ", 1)[1])
    if isinstance(data, dict) and data.get("object") == "thread.run":
        return data["thread_id"], data["id"]
    return None


def test_junk_never_breaks_the_server(
    fuzz_server: ServerHandle, targets: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)  # the server's own errors (loop callbacks, 500s) show here
    with http_client(fuzz_server) as http:
        # the fuzzer updates and deletes targets["assistant_id"]: this one it never sees
        assistant_id = http.post("/assistants", json={"model": "scripted", "tools": TOOLS}).json()["id"]
        keep_thread = new_thread(http, "untouchable")
        keep_run = http.post(f"/threads/{keep_thread}/runs", json={"assistant_id": assistant_id}).json()
        wait_for_status(http, keep_thread, keep_run["id"], PAUSED)
        before = {
            url: http.get(url).json()
            for url in (
                f"/threads/{keep_thread}",
                f"/threads/{keep_thread}/messages",
                f"/threads/{keep_thread}/runs",
                f"/threads/{keep_thread}/runs/{keep_run['id']}/steps",
                f"/assistants/{assistant_id}",
            )
        }
        runs_made: set[tuple[str, str]] = set()

        @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(requests(targets))
        def fuzz(request: tuple[str, str, dict[str, str], bytes | None]) -> None:
            method, path, query, content = request
            if "{fresh_thread}" in path:
                path = path.replace("{fresh_thread}", new_thread(http, "fresh"))
            if "{wait_" in path or (content and b"{wait_call}" in content):
                waiting = waiting_run(http, assistant_id)
                runs_made.add((waiting["wait_thread"], waiting["wait_run"]))
                for name, value in waiting.items():
                    path = path.replace("{" + name + "}", value)
                    if content is not None:
                        content = content.replace(("{" + name + "}").encode(), value.encode())
            headers = {"content-type": "application/json"} if content is not None else {}
            response = http.request(method, path, params=query, content=content, headers=headers)
            check(response)
            made = made_run(response)
            if made is not None:
                runs_made.add(made)

        fuzz()

        for url, body in before.items():
            assert http.get(url).json() == body, f"{url} changed"
        assert runs_made, "the fuzzer made runs"
        for thread_id, run_id in runs_made:  # nothing stays stuck: every run can be ended, and ends
            url = f"/threads/{thread_id}/runs/{run_id}"
            if http.get(f"/threads/{thread_id}").status_code != 200:
                continue  # the fuzzer deleted its thread
            cancel = http.post(url + "/cancel")
            check(cancel)
            wait_for_status(http, thread_id, run_id, TERMINAL)
            unlocked = http.post(f"/threads/{thread_id}/messages", json={"role": "user", "content": "x"})
            assert unlocked.status_code == 200, f"{thread_id} is still locked: {unlocked.text}"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
