"""Text that is not Unicode (an unpaired surrogate escape such as "\\ud800") is refused with a 400 on
every route, and a run can never be left stuck by it: even if such text got past the door, the run
still settles."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from server_testing import TOOLS, http_client, new_thread, wait_for_status

from run_widgets.models import Run, Thread
from run_widgets.server import ServerHandle, start
from run_widgets.server.core import Core
from run_widgets.server.store import Store

TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete"}
LONE = "\ud800"  # json.dumps writes it as the escape \ud800, as a client's JSON encoder would


def post_raw(http: httpx2.Client, url: str, body: Any) -> httpx2.Response:
    """POST ``body`` as JSON text, surrogates written as \\uXXXX escapes (httpx's json= cannot)."""
    return http.post(url, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


def assert_refused(response: httpx2.Response, param: str | None) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["code"] == "invalid_json"
    assert error["param"] == param
    assert "unpaired surrogate" in error["message"] and '"\\ud800"' in error["message"]


@pytest.fixture
def waiting(http: httpx2.Client, assistant_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """A thread whose run waits for one tool output; cancelled afterwards if still waiting."""
    thread_id = new_thread(http, "call get_time {}")
    run = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
    run = wait_for_status(http, thread_id, run["id"], {"requires_action"})
    yield thread_id, run
    http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel")


@pytest.mark.parametrize(
    ("field", "param"),
    [
        ("instructions", "instructions"),
        ("additional_instructions", "additional_instructions"),
        ("model", "model"),
        ("assistant_id", "assistant_id"),
    ],
)
def test_create_run_refuses_it_in_every_text_field(
    http: httpx2.Client, assistant_id: str, field: str, param: str
) -> None:
    thread_id = new_thread(http, "hello")
    body = {"assistant_id": assistant_id, field: "text " + LONE}
    assert_refused(post_raw(http, f"/threads/{thread_id}/runs", body), param)
    assert http.get(f"/threads/{thread_id}/runs").json()["data"] == [], "no run was made"
    assert (
        http.post(f"/threads/{thread_id}/messages", json={"role": "user", "content": "ok"}).status_code == 200
    )


@pytest.mark.parametrize(
    ("content", "param"),
    [(LONE, "content"), ([{"type": "text", "text": "a" + LONE + "b"}], "content[0].text")],
)
def test_messages_refuse_it(http: httpx2.Client, content: Any, param: str) -> None:
    thread_id = new_thread(http)
    response = post_raw(http, f"/threads/{thread_id}/messages", {"role": "user", "content": content})
    assert_refused(response, param)
    assert http.get(f"/threads/{thread_id}/messages").json()["data"] == []


def test_threads_assistants_and_thread_runs_refuse_it(http: httpx2.Client, assistant_id: str) -> None:
    threads_before = http.get("/assistants").json()
    assert_refused(
        post_raw(http, "/threads", {"messages": [{"role": "user", "content": LONE}]}),
        "messages[0].content",
    )
    tool = {**TOOLS[0], "function": {**TOOLS[0]["function"], "description": LONE}}
    assert_refused(
        post_raw(http, "/assistants", {"model": "scripted", "tools": [tool]}), "tools[0].function.description"
    )
    assert http.get("/assistants").json() == threads_before, "no assistant was made"
    body = {"assistant_id": assistant_id, "thread": {"messages": [{"role": "user", "content": "x" + LONE}]}}
    assert_refused(post_raw(http, "/threads/runs", body), "thread.messages[0].content")
    assert_refused(post_raw(http, "/threads/runs", {"assistant_id": LONE}), "assistant_id")


def test_keys_are_checked_too(http: httpx2.Client) -> None:
    assert_refused(post_raw(http, "/threads", {"metadata": {LONE: "v"}}), "metadata")
    assert_refused(post_raw(http, "/threads", {LONE: 1}), None)


def test_surrogate_pairs_are_ordinary_text(http: httpx2.Client) -> None:
    thread_id = new_thread(http)
    response = post_raw(http, f"/threads/{thread_id}/messages", {"role": "user", "content": "smile 😀"})
    assert response.status_code == 200
    assert b"\\ud83d\\ude00" in json.dumps("😀").encode(), "the body held the escaped pair"
    assert response.json()["content"][0]["text"]["value"] == "smile 😀"


def test_a_refused_submit_leaves_the_run_waiting_and_answerable(
    http: httpx2.Client, waiting: tuple[str, dict[str, Any]]
) -> None:
    thread_id, run = waiting
    url = f"/threads/{thread_id}/runs/{run['id']}"
    call_id = run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]
    bad = {"tool_outputs": [{"tool_call_id": call_id, "output": "noon" + LONE}]}
    assert_refused(post_raw(http, url + "/submit_tool_outputs", bad), "tool_outputs[0].output")
    assert http.get(url).json() == run, "the run is exactly as it was"
    (step,) = http.get(url + "/steps").json()["data"]
    assert (
        step["status"] == "in_progress"
        and step["step_details"]["tool_calls"][0]["function"]["output"] is None
    )
    good = {"tool_outputs": [{"tool_call_id": call_id, "output": "noon"}]}
    assert http.post(url + "/submit_tool_outputs", json=good).status_code == 200
    assert wait_for_status(http, thread_id, run["id"], TERMINAL)["status"] == "completed"


def test_a_refused_submit_then_cancel_settles(
    http: httpx2.Client, waiting: tuple[str, dict[str, Any]]
) -> None:
    thread_id, run = waiting
    url = f"/threads/{thread_id}/runs/{run['id']}"
    call_id = run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]
    bad = {"tool_outputs": [{"tool_call_id": call_id, "output": LONE}], "stream": True}
    assert post_raw(http, url + "/submit_tool_outputs", bad).status_code == 400
    assert http.post(url + "/cancel").json()["status"] == "cancelling"
    assert wait_for_status(http, thread_id, run["id"], TERMINAL)["status"] == "cancelled"
    assert (
        http.post(f"/threads/{thread_id}/messages", json={"role": "user", "content": "x"}).status_code == 200
    )


# --- past the door: the executor itself never leaves a run stuck ------------------------------------------
# The tests below reach the executor without the HTTP checks (through ``ServerHandle.call``), or make
# the store fail on purpose, to prove the fallbacks that no request can reach any more.


@pytest.fixture
def own_server() -> Iterator[tuple[ServerHandle, httpx2.Client, str]]:
    with start(words_per_second=0, requires_action_timeout=600) as server, http_client(server) as http:
        assistant_id = http.post("/assistants", json={"model": "scripted", "tools": TOOLS}).json()["id"]
        yield server, http, assistant_id


def waiting_run(http: httpx2.Client, assistant_id: str) -> tuple[str, dict[str, Any], str]:
    thread_id = new_thread(http, "call get_time {}")
    run = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
    run = wait_for_status(http, thread_id, run["id"], {"requires_action"})
    return thread_id, run, run["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]


def test_outputs_that_cannot_be_saved_change_nothing(
    own_server: tuple[ServerHandle, httpx2.Client, str],
) -> None:
    server, http, assistant_id = own_server
    thread_id, run, call_id = waiting_run(http, assistant_id)
    url = f"/threads/{thread_id}/runs/{run['id']}"
    steps = http.get(url + "/steps").json()

    def submit_directly(core: Core) -> str:
        live = core.executor.live_run(run["id"])
        assert live is not None
        try:
            core.executor.submit_tool_outputs(live, [(call_id, LONE)])
        except Exception as exc:
            return type(exc).__name__
        return "accepted"

    assert server.call(submit_directly) != "accepted"
    assert http.get(url).json() == run and http.get(url + "/steps").json() == steps
    answered = http.post(
        url + "/submit_tool_outputs", json={"tool_outputs": [{"tool_call_id": call_id, "output": "ok"}]}
    )
    assert answered.status_code == 200
    assert wait_for_status(http, thread_id, run["id"], TERMINAL)["status"] == "completed"


def fail_saves_of_runs_in(statuses: set[str]) -> Any:
    """Make the store refuse to save a Run moving into one of ``statuses`` (once)."""

    def install(core: Core) -> None:
        store = core.store
        real_save = store.save
        tripped: list[bool] = []

        def save(obj: Any, **columns: Any) -> None:
            if isinstance(obj, Run) and obj.status in statuses and not tripped:
                tripped.append(True)
                raise RuntimeError("disk on fire")
            real_save(obj, **columns)

        store.save = save  # type: ignore[method-assign]

    return install


def assert_failed_by_the_server(run: dict[str, Any]) -> None:
    assert run["status"] == "failed" and run["required_action"] is None and run["expires_at"] is None
    assert run["last_error"]["code"] == "server_error" and "internal error" in run["last_error"]["message"]


def test_a_cancel_that_cannot_finish_fails_the_run(
    own_server: tuple[ServerHandle, httpx2.Client, str], caplog: pytest.LogCaptureFixture
) -> None:
    server, http, assistant_id = own_server
    thread_id, run, _ = waiting_run(http, assistant_id)
    server.call(fail_saves_of_runs_in({"cancelled"}))
    with caplog.at_level(logging.ERROR, logger="run_widgets.server"):
        assert http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel").status_code == 200
        assert_failed_by_the_server(wait_for_status(http, thread_id, run["id"], TERMINAL))
    assert "could not be finished cleanly" in caplog.text
    (step,) = http.get(f"/threads/{thread_id}/runs/{run['id']}/steps").json()["data"]
    assert step["status"] == "failed"
    assert (
        http.post(f"/threads/{thread_id}/messages", json={"role": "user", "content": "x"}).status_code == 200
    )


def test_a_cancel_that_cannot_start_fails_the_run(
    own_server: tuple[ServerHandle, httpx2.Client, str],
) -> None:
    server, http, assistant_id = own_server
    thread_id, run, _ = waiting_run(http, assistant_id)
    server.call(fail_saves_of_runs_in({"cancelling"}))
    response = http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel")
    assert response.status_code == 200
    assert_failed_by_the_server(response.json())
    assert http.get(f"/threads/{thread_id}/runs/{run['id']}").json() == response.json()


def test_an_expiry_that_cannot_finish_fails_the_run() -> None:
    with start(words_per_second=0, requires_action_timeout=1) as server, http_client(server) as http:
        assistant_id = http.post("/assistants", json={"model": "scripted", "tools": TOOLS}).json()["id"]
        server.call(fail_saves_of_runs_in({"expired"}))
        thread_id = new_thread(http, "call get_time {}")
        run = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
        assert_failed_by_the_server(wait_for_status(http, thread_id, run["id"], TERMINAL))
        assert http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).status_code == 200


def test_a_rolled_back_transaction_leaves_no_cached_objects() -> None:
    store = Store(":memory:")
    kept = Thread(id="thread_kept", created_at=1)
    store.insert(kept)
    with pytest.raises(RuntimeError), store.transaction():
        store.insert(Thread(id="thread_new", created_at=2))
        kept.metadata = {"changed": "yes"}
        store.save(kept)
        raise RuntimeError("the next write failed")
    assert store.get(Thread, "thread_new") is None, "the cache does not show what SQLite rolled back"
    again = store.get(Thread, "thread_kept")
    assert again is not None and again.metadata in ({}, None)
    store.close()


def test_a_running_run_whose_cancel_cannot_start_fails_and_its_engine_stops(
    own_server: tuple[ServerHandle, httpx2.Client, str],
) -> None:
    server, http, assistant_id = own_server
    thread_id = new_thread(http, "/pace 50\n" + "word " * 400)
    run = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
    messages_url = f"/threads/{thread_id}/messages?run_id={run['id']}"
    while not http.get(messages_url).json()["data"]:
        time.sleep(0.02)  # until the reply is under way
    server.call(fail_saves_of_runs_in({"cancelling"}))
    response = http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel")
    assert_failed_by_the_server(response.json())
    (message,) = http.get(messages_url).json()["data"]
    assert message["status"] == "incomplete"
    time.sleep(0.3)  # the engine would have added ~15 words by now, had it not been stopped
    assert http.get(messages_url).json()["data"] == [message]
    assert http.get(f"/threads/{thread_id}/runs/{run['id']}").json() == response.json()
