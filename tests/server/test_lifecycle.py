"""The run state machine: every status, its timestamps, what each state accepts and refuses."""

from __future__ import annotations

import threading

import httpx2
import pytest
from server_testing import TOOLS, check_wire, http_client, new_thread, stream, wait_for_status

from run_widgets.server import ServerHandle, start

TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete"}


def create_run(http: httpx2.Client, thread_id: str, assistant_id: str, **body: object) -> dict:
    response = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id, **body})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_new_run_is_queued_with_a_deadline(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "hi")
    run = create_run(http, thread_id, assistant_id)
    assert run["status"] == "queued"
    assert run["expires_at"] == run["created_at"] + 600
    assert run["started_at"] is None and run["usage"] is None and run["required_action"] is None
    for key in ("cancelled_at", "failed_at", "completed_at", "last_error", "incomplete_details"):
        assert run[key] is None
    done = wait_for_status(http, thread_id, run["id"], TERMINAL)
    assert done["status"] == "completed" and done["started_at"] >= run["created_at"]


def test_non_terminal_runs_tell_pollers_when_to_come_back(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "/wait")
    run = create_run(http, thread_id, assistant_id)
    response = http.get(f"/threads/{thread_id}/runs/{run['id']}")
    assert int(response.headers["openai-poll-after-ms"]) > 0
    http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel")
    wait_for_status(http, thread_id, run["id"], TERMINAL)
    assert "openai-poll-after-ms" not in http.get(f"/threads/{thread_id}/runs/{run['id']}").headers


def test_a_thread_with_an_active_run_refuses_messages_and_runs(
    http: httpx2.Client, assistant_id: str
) -> None:
    thread_id = new_thread(http, "call get_time {}")
    run = create_run(http, thread_id, assistant_id)
    wait_for_status(http, thread_id, run["id"], {"requires_action"})
    message = http.post(f"/threads/{thread_id}/messages", json={"role": "user", "content": "more"})
    assert message.status_code == 400
    assert message.json()["error"]["message"].startswith(
        f"Can't add messages to {thread_id} while a run {run['id']}"
    )
    second = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id})
    assert second.status_code == 400 and "already has an active run" in second.json()["error"]["message"]
    assert http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel").json()["status"] == "cancelling"
    wait_for_status(http, thread_id, run["id"], {"cancelled"})
    assert (
        http.post(f"/threads/{thread_id}/messages", json={"role": "user", "content": "more"}).status_code
        == 200
    )
    assert len(http.get(f"/threads/{thread_id}/messages").json()["data"]) == 2


def test_submit_tool_outputs_accepts_exactly_one_output_per_pending_call(
    http: httpx2.Client, assistant_id: str
) -> None:
    thread_id = new_thread(http, "call get_time {}\ncall get_weather {}")
    run = create_run(http, thread_id, assistant_id)
    url = f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs"
    early = http.post(url, json={"tool_outputs": []})
    assert early.status_code == 400  # still queued or in progress, or outputs missing
    run = wait_for_status(http, thread_id, run["id"], {"requires_action"})
    first, second = (c["id"] for c in run["required_action"]["submit_tool_outputs"]["tool_calls"])
    cases = {
        "missing": [{"tool_call_id": first, "output": "1"}],
        "unknown": [{"tool_call_id": first, "output": "1"}, {"tool_call_id": "call_other", "output": "2"}],
        "duplicate": [
            {"tool_call_id": first, "output": "1"},
            {"tool_call_id": first, "output": "1"},
            {"tool_call_id": second, "output": "2"},
        ],
    }
    params = {
        "missing": "tool_outputs",
        "unknown": "tool_outputs[1].tool_call_id",
        "duplicate": "tool_outputs[1].tool_call_id",
    }
    for name, outputs in cases.items():
        response = http.post(url, json={"tool_outputs": outputs})
        assert response.status_code == 400, name
        assert response.json()["error"]["param"] == params[name]
    assert http.get(f"/threads/{thread_id}/runs/{run['id']}").json()["status"] == "requires_action"
    ok = http.post(
        url,
        json={
            "tool_outputs": [{"tool_call_id": second, "output": "2"}, {"tool_call_id": first, "output": "1"}]
        },
    )
    assert ok.status_code == 200 and ok.json()["status"] == "queued" and ok.json()["required_action"] is None
    wait_for_status(http, thread_id, run["id"], {"completed"})
    again = http.post(
        url,
        json={
            "tool_outputs": [{"tool_call_id": first, "output": "1"}, {"tool_call_id": second, "output": "2"}]
        },
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_state"


def test_cancel_is_refused_once_a_run_has_finished(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "done soon")
    run = create_run(http, thread_id, assistant_id)
    wait_for_status(http, thread_id, run["id"], TERMINAL)
    response = http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Cannot cancel run with status 'completed'")


def test_cancel_from_requires_action_cancels_the_tool_calls_step(
    http: httpx2.Client, assistant_id: str
) -> None:
    thread_id = new_thread(http, "call get_time {}")
    run = create_run(http, thread_id, assistant_id)
    wait_for_status(http, thread_id, run["id"], {"requires_action"})
    assert http.post(f"/threads/{thread_id}/runs/{run['id']}/cancel").json()["status"] == "cancelling"
    run = wait_for_status(http, thread_id, run["id"], TERMINAL)
    assert run["status"] == "cancelled" and run["required_action"] is None and run["cancelled_at"]
    (step,) = http.get(f"/threads/{thread_id}/runs/{run['id']}/steps").json()["data"]
    assert step["status"] == "cancelled" and step["cancelled_at"] is not None


def test_a_call_to_a_tool_the_run_lacks_is_answered_in_a_message(
    http: httpx2.Client, assistant_id: str
) -> None:
    thread_id = new_thread(http, 'call launch_rockets {"count": 3}\ncall get_time {}')
    run = create_run(http, thread_id, assistant_id)
    run = wait_for_status(http, thread_id, run["id"], TERMINAL | {"requires_action"})
    assert run["status"] == "completed"
    text = http.get(f"/threads/{thread_id}/messages?run_id={run['id']}").json()["data"][0]["content"][0][
        "text"
    ]["value"]
    assert "`launch_rockets`" in text and "get_time, get_weather" in text


def test_code_and_search_need_their_tools(http: httpx2.Client) -> None:
    bare = http.post("/assistants", json={"model": "scripted"}).json()["id"]
    thread_id = new_thread(http, "/code\n/search runs")
    run = create_run(http, thread_id, bare)
    run = wait_for_status(http, thread_id, run["id"], TERMINAL)
    steps = http.get(f"/threads/{thread_id}/runs/{run['id']}/steps").json()["data"]
    assert [s["type"] for s in steps] == ["message_creation"]
    text = http.get(f"/threads/{thread_id}/messages?run_id={run['id']}").json()["data"][0]["content"][0][
        "text"
    ]["value"]
    assert '{"type": "code_interpreter"}' in text and '{"type": "file_search"}' in text


def test_usage_adds_up_over_the_steps(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "/code\ncount my tokens")
    run = create_run(http, thread_id, assistant_id)
    run = wait_for_status(http, thread_id, run["id"], TERMINAL)
    steps = http.get(f"/threads/{thread_id}/runs/{run['id']}/steps").json()["data"]
    for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
        assert run["usage"][key] == sum(s["usage"][key] for s in steps)
    assert all(
        s["usage"]["total_tokens"] == s["usage"]["prompt_tokens"] + s["usage"]["completion_tokens"]
        for s in steps
    )


def test_a_run_waiting_past_its_deadline_expires_with_its_steps() -> None:
    with start(words_per_second=0, requires_action_timeout=2) as server, http_client(server) as http:
        assistant_id = http.post("/assistants", json={"model": "scripted", "tools": TOOLS}).json()["id"]
        thread_id = new_thread(http, "call get_time {}")
        run = create_run(http, thread_id, assistant_id)
        assert run["expires_at"] == run["created_at"] + 2
        run = wait_for_status(http, thread_id, run["id"], TERMINAL)
        assert run["status"] == "expired" and run["expires_at"] is None and run["required_action"] is None
        (step,) = http.get(f"/threads/{thread_id}/runs/{run['id']}/steps").json()["data"]
        assert step["status"] == "expired" and step["expired_at"] is not None
        late = http.post(
            f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs",
            json={
                "tool_outputs": [{"tool_call_id": step["step_details"]["tool_calls"][0]["id"], "output": "x"}]
            },
        )
        assert late.status_code == 400
        # the thread is free again
        assert (
            http.post(f"/threads/{thread_id}/messages", json={"role": "user", "content": "again"}).status_code
            == 200
        )


def test_expire_directive_expires_a_run_mid_reply(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "/expire 0.5\nThis reply will stall.")
    _, frames = stream(
        http, "POST", f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id, "stream": True}
    )
    check_wire(frames)
    names = [f.event for f in frames]
    assert names[-4:] == [
        "thread.message.incomplete",
        "thread.run.step.expired",
        "thread.run.expired",
        "done",
    ]
    assert frames[-4].data["incomplete_details"] == {"reason": "run_expired"}


def test_no_deadline_when_the_timeout_is_zero() -> None:
    with start(words_per_second=0, requires_action_timeout=0) as server, http_client(server) as http:
        assistant_id = http.post("/assistants", json={"model": "scripted"}).json()["id"]
        run = create_run(http, new_thread(http, "hi"), assistant_id)
        assert run["expires_at"] is None


def test_deleting_a_thread_stops_its_run(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "/wait")
    run = create_run(http, thread_id, assistant_id)
    assert http.delete(f"/threads/{thread_id}").json() == {
        "id": thread_id,
        "object": "thread.deleted",
        "deleted": True,
    }
    assert http.get(f"/threads/{thread_id}/runs/{run['id']}").status_code == 404
    assert http.get(f"/threads/{thread_id}/messages").status_code == 404


def test_forty_concurrent_writers_lose_nothing(http: httpx2.Client, server: ServerHandle) -> None:
    thread_id = new_thread(http)
    barrier = threading.Barrier(40)
    errors: list[BaseException] = []

    def add(i: int) -> None:
        try:
            with http_client(server) as own:
                barrier.wait()
                response = own.post(
                    f"/threads/{thread_id}/messages", json={"role": "user", "content": f"note {i}"}
                )
                assert response.status_code == 200
        except BaseException as exc:  # collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    listed = http.get(f"/threads/{thread_id}/messages?limit=100").json()["data"]
    assert sorted(m["content"][0]["text"]["value"] for m in listed) == sorted(f"note {i}" for i in range(40))
    assert len({m["id"] for m in listed}) == 40


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_before_and_after_cursors_page_both_ways(http: httpx2.Client, order: str) -> None:
    thread_id = new_thread(http)
    ids = [
        http.post(f"/threads/{thread_id}/messages", json={"role": "user", "content": str(i)}).json()["id"]
        for i in range(7)
    ]
    if order == "desc":
        ids.reverse()
    url = f"/threads/{thread_id}/messages?order={order}&limit=3"
    page = http.get(url).json()
    assert [m["id"] for m in page["data"]] == ids[:3] and page["has_more"] is True
    assert page["first_id"] == ids[0] and page["last_id"] == ids[2]
    page = http.get(f"{url}&after={ids[2]}").json()
    assert [m["id"] for m in page["data"]] == ids[3:6] and page["has_more"] is True
    page = http.get(f"{url}&after={ids[5]}").json()
    assert [m["id"] for m in page["data"]] == ids[6:] and page["has_more"] is False
    page = http.get(f"{url}&before={ids[6]}").json()
    assert [m["id"] for m in page["data"]] == ids[3:6] and page["has_more"] is True
    page = http.get(f"{url}&after={ids[0]}&before={ids[3]}").json()
    assert [m["id"] for m in page["data"]] == ids[1:3]
    empty = http.get(f"/threads/{new_thread(http)}/messages").json()
    assert empty == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}


def test_deleting_a_thread_ends_its_open_stream(
    http: httpx2.Client, server: ServerHandle, assistant_id: str
) -> None:
    thread_id = new_thread(http, "/wait")
    url = f"/threads/{thread_id}/runs"
    lines = []
    with (
        http_client(server) as other,
        http.stream("POST", url, json={"assistant_id": assistant_id, "stream": True}) as r,
    ):
        for line in r.iter_lines():
            lines.append(line)
            if line == "event: thread.run.in_progress":
                assert other.delete(f"/threads/{thread_id}").status_code == 200
    assert [line for line in lines if line][-2:] == ["event: done", "data: [DONE]"]


def test_the_cache_evicts_without_losing_live_objects() -> None:
    from run_widgets.models import Thread
    from run_widgets.server.store import Store

    store = Store(":memory:", cache_size=3)
    threads = [Thread(id=f"thread_{i}", created_at=i) for i in range(6)]
    store.insert(threads[0])
    threads[0].metadata = {"changed": "in memory"}
    store.touch(threads[0])
    for thread in threads[1:]:
        store.insert(thread)
    assert store.get(Thread, "thread_0") is threads[0], "a touched object stays cached until saved"
    assert all(store.get(Thread, f"thread_{i}") is not None for i in range(6))
    store.flush()
    assert store.get(Thread, "thread_0").metadata == {"changed": "in memory"}  # type: ignore[union-attr]
