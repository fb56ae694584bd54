"""Storage across restarts: finished runs stay, waiting runs can still be answered, running ones fail."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx2
from server_testing import TOOLS, http_client, new_thread, wait_for_status

from run_widgets.server import start

TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete"}


def snapshot(http: httpx2.Client, thread_id: str, run_id: str) -> dict:
    return {
        "run": http.get(f"/threads/{thread_id}/runs/{run_id}").json(),
        "steps": http.get(f"/threads/{thread_id}/runs/{run_id}/steps").json(),
        "messages": http.get(f"/threads/{thread_id}/messages").json(),
    }


def test_completed_and_waiting_runs_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite3"
    with start(db=str(db), words_per_second=0) as first, http_client(first) as http:
        assistant_id = http.post("/assistants", json={"model": "scripted", "tools": TOOLS}).json()["id"]
        done_thread = new_thread(http, "/code\nkeep me")
        done = http.post(f"/threads/{done_thread}/runs", json={"assistant_id": assistant_id}).json()
        wait_for_status(http, done_thread, done["id"], TERMINAL)
        before = snapshot(http, done_thread, done["id"])
        waiting_thread = new_thread(http, "call get_time {}")
        waiting = http.post(f"/threads/{waiting_thread}/runs", json={"assistant_id": assistant_id}).json()
        waiting = wait_for_status(http, waiting_thread, waiting["id"], {"requires_action"})

    with contextlib.closing(sqlite3.connect(db)) as stored:
        assert stored.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    with start(db=str(db), words_per_second=0) as second, http_client(second) as http:
        assert snapshot(http, done_thread, done["id"]) == before
        assert http.get(f"/threads/{waiting_thread}/runs/{waiting['id']}").json() == waiting
        locked = http.post(f"/threads/{waiting_thread}/messages", json={"role": "user", "content": "x"})
        assert locked.status_code == 400, "the waiting run still holds its thread"
        call_id = waiting["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]
        resumed = http.post(
            f"/threads/{waiting_thread}/runs/{waiting['id']}/submit_tool_outputs",
            json={"tool_outputs": [{"tool_call_id": call_id, "output": "noon"}]},
        )
        assert resumed.status_code == 200
        run = wait_for_status(http, waiting_thread, waiting["id"], TERMINAL)
        assert run["status"] == "completed"
        text = http.get(f"/threads/{waiting_thread}/messages?run_id={run['id']}").json()["data"][0]
        assert "“noon”" in text["content"][0]["text"]["value"]


def test_a_waiting_run_whose_deadline_passed_while_down_expires_on_start(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.sqlite3")
    with start(db=db, words_per_second=0, requires_action_timeout=4) as first, http_client(first) as http:
        assistant_id = http.post("/assistants", json={"model": "scripted", "tools": TOOLS}).json()["id"]
        thread_id = new_thread(http, "call get_time {}")
        run = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
        run = wait_for_status(http, thread_id, run["id"], {"requires_action"})
        assert run["expires_at"] > time.time(), "the first server stops before the deadline"
    with contextlib.closing(sqlite3.connect(db)) as stored:  # the second server starts from this
        status, deadline = stored.execute(
            "SELECT status, deadline FROM runs WHERE id = ?", (run["id"],)
        ).fetchone()
    assert status == "requires_action" and deadline >= run["expires_at"]
    time.sleep(max(0.0, deadline - time.time()) + 0.2)
    with start(db=db, words_per_second=0) as second, http_client(second) as http:
        run = wait_for_status(http, thread_id, run["id"], TERMINAL)
        assert run["status"] == "expired" and run["required_action"] is None
        (step,) = http.get(f"/threads/{thread_id}/runs/{run['id']}/steps").json()["data"]
        assert step["status"] == "expired"


def test_runs_in_progress_when_the_process_dies_fail_on_start(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.sqlite3")
    key = "rw-test-key"
    process = subprocess.Popen(
        [sys.executable, "-m", "run_widgets.server", "--db", db, "--api-key", key, "--words-per-second", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("run-widgets serving at http://127.0.0.1:") and key not in line
        base_url = line.split()[-1]
        with httpx2.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as http:
            assistant_id = http.post("/assistants", json={"model": "scripted", "tools": TOOLS}).json()["id"]
            busy_thread = new_thread(http, "/pace 2\nThis reply is slow enough to be interrupted.")
            busy = http.post(f"/threads/{busy_thread}/runs", json={"assistant_id": assistant_id}).json()
            while not http.get(f"/threads/{busy_thread}/messages?run_id={busy['id']}").json()["data"]:
                time.sleep(0.02)  # until the reply has started
            waiting_thread = new_thread(http, "call get_time {}")
            waiting = http.post(f"/threads/{waiting_thread}/runs", json={"assistant_id": assistant_id}).json()
            wait_for_status(http, waiting_thread, waiting["id"], {"requires_action"})
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()

    with start(db=db, words_per_second=0) as server, http_client(server) as http:
        run = http.get(f"/threads/{busy_thread}/runs/{busy['id']}").json()
        assert run["status"] == "failed" and run["failed_at"] is not None and run["expires_at"] is None
        assert run["last_error"]["code"] == "server_error" and "restarted" in run["last_error"]["message"]
        (step,) = http.get(f"/threads/{busy_thread}/runs/{busy['id']}/steps").json()["data"]
        assert step["status"] == "failed" and step["last_error"] == run["last_error"]
        message = http.get(f"/threads/{busy_thread}/messages?run_id={busy['id']}").json()["data"][0]
        assert message["status"] == "incomplete" and message["incomplete_details"] == {"reason": "run_failed"}
        assert (
            http.post(f"/threads/{busy_thread}/messages", json={"role": "user", "content": "x"}).status_code
            == 200
        )
        assert (
            http.get(f"/threads/{waiting_thread}/runs/{waiting['id']}").json()["status"] == "requires_action"
        )
