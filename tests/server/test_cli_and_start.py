"""``run-widgets serve``, ``python -m run_widgets.server`` and ``start()``."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from run_widgets.cli import main as cli_main
from run_widgets.server import ServerHandle, start


def serve(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "run_widgets.server", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    return err


def test_module_prints_one_line_with_the_url_and_the_generated_key(tmp_path: Path) -> None:
    process, line = serve("--db", str(tmp_path / "db.sqlite3"), "--port", "0")
    try:
        assert line.startswith("run-widgets serving at http://127.0.0.1:")
        url, key = line.split()[3], line.split("(api key: ")[1].rstrip(")")
        assert url.endswith("/v1") and key.startswith("rw-")
        with httpx2.Client(base_url=url) as http:
            assert http.get("/assistants", headers={"Authorization": f"Bearer {key}"}).status_code == 200
            assert http.get("/assistants").status_code == 401
    finally:
        err = stop(process)
    assert process.returncode == 0
    assert key not in err


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG data directory is Linux's")
def test_without_db_the_database_is_in_the_user_data_directory_in_wal_mode(tmp_path: Path) -> None:
    data_home = tmp_path / "data"
    process, line = serve("--api-key", "rw-mine", env={"XDG_DATA_HOME": str(data_home)})
    try:
        with httpx2.Client(base_url=line.split()[3], headers={"Authorization": "Bearer rw-mine"}) as http:
            assistant = http.post("/assistants", json={"model": "scripted"}).json()["id"]
    finally:
        stop(process)
    assert process.returncode == 0
    db = data_home / "run-widgets" / "server.sqlite3"
    with contextlib.closing(sqlite3.connect(db)) as stored:
        assert stored.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert stored.execute("SELECT id FROM assistants").fetchall() == [(assistant,)]


def test_a_given_key_is_not_printed(tmp_path: Path) -> None:
    process, line = serve(
        "--db", ":memory:", "--api-key", "rw-mine", "--seed", "3", "--words-per-second", "0"
    )
    try:
        assert line.startswith("run-widgets serving at http://127.0.0.1:") and "rw-mine" not in line
        with httpx2.Client(base_url=line.split()[3], headers={"Authorization": "Bearer rw-mine"}) as http:
            assert http.post("/threads", json={}).json()["created_at"] == 1_735_689_600  # the seeded clock
    finally:
        stop(process)


def test_cli_errors_are_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert cli_main(["serve", "--db", str(blocker / "db.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("run-widgets serve: cannot open the database") and "Traceback" not in err
    with start() as running:
        port = running.base_url.split(":")[2].split("/")[0]
        assert cli_main(["serve", "--db", ":memory:", "--port", port]) == 2
        assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err


def test_start_returns_a_handle_that_stops(tmp_path: Path) -> None:
    with start(db=str(tmp_path / "x.sqlite3")) as handle:
        assert isinstance(handle, ServerHandle) and handle.running
        assert handle.base_url.startswith("http://127.0.0.1:") and handle.base_url.endswith("/v1")
        assert handle.api_key.startswith("rw-")
        url, key = handle.base_url, handle.api_key
        with httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as http:
            assert http.get("/assistants").status_code == 200
    assert not handle.running
    with pytest.raises(httpx2.ConnectError):
        httpx2.get(url + "/assistants")


def test_default_assistant_is_made_once_and_kept(tmp_path: Path) -> None:
    db = str(tmp_path / "x.sqlite3")
    with start(db=db, api_key="rw-fixed") as handle:
        first = handle.ensure_default_assistant()
        assert handle.default_assistant_id == first
        with httpx2.Client(base_url=handle.base_url, headers={"Authorization": "Bearer rw-fixed"}) as http:
            assistant = http.get(f"/assistants/{first}").json()
            assert [t["type"] for t in assistant["tools"]] == ["code_interpreter", "file_search"]
            assert len(http.get("/assistants").json()["data"]) == 1
    with start(db=db) as again:
        assert again.ensure_default_assistant() == first


def test_same_seed_same_bytes() -> None:
    def session() -> list[str]:
        with (
            start(seed=11, words_per_second=0) as handle,
            httpx2.Client(
                base_url=handle.base_url, headers={"Authorization": f"Bearer {handle.api_key}"}
            ) as http,
        ):
            assistant = http.post(
                "/assistants", json={"model": "scripted", "tools": [{"type": "code_interpreter"}]}
            ).text
            body = {
                "assistant_id": assistant.split('"')[3],
                "thread": {"messages": [{"role": "user", "content": "/code\nhi"}]},
            }
            streamed = http.post("/threads/runs", json={**body, "stream": True}).text
            return [assistant, streamed]

    assert session() == session()
