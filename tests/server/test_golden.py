"""Golden SSE transcripts of representative runs: a change on the wire shows up as a diff here.

Ids and timestamps are normalised (``<run_1>``, ``"<t>"``). To accept an intended change, run
``RUN_WIDGETS_UPDATE_GOLDEN=1 pytest tests/server/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from server_testing import TOOLS, check_wire, http_client, normalise, stream

from run_widgets.server import start

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("RUN_WIDGETS_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def seeded() -> Iterator[httpx2.Client]:
    with start(seed=7, words_per_second=0) as server, http_client(server) as http:
        yield http


def assistant(http: httpx2.Client) -> str:
    return str(http.post("/assistants", json={"model": "scripted", "tools": TOOLS}).json()["id"])


def run_transcript(http: httpx2.Client, text: str) -> tuple[str, list]:
    body = {
        "assistant_id": assistant(http),
        "thread": {"messages": [{"role": "user", "content": text}]},
        "stream": True,
    }
    return stream(http, "POST", "/threads/runs", json=body)


def compare(name: str, transcript: str) -> None:
    path = GOLDEN / f"{name}.sse"
    text = normalise(transcript)
    if UPDATE or not path.exists():
        path.write_text(text)
        if not UPDATE:
            pytest.fail(f"wrote the new golden transcript {path.name}; review it and run again")
    assert text == path.read_text(), f"the wire changed for {name}: compare with {path}"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("plain_reply", "Hello! What can you do?"),
        ("failure", "/fail\nPlease answer at length."),
        ("cancel", "/cancel\nPlease answer at length."),
        ("expiry", "/expire 0.2\nPlease answer at length."),
        ("code_and_search", "/code\n/search streaming deltas"),
    ],
)
def test_transcript(seeded: httpx2.Client, name: str, text: str) -> None:
    transcript, frames = run_transcript(seeded, text)
    check_wire(frames)
    compare(name, transcript)


def test_tool_call_then_submit(seeded: httpx2.Client) -> None:
    first, frames = run_transcript(seeded, 'call get_weather {"city": "Paris"}\ncall get_time {}')
    check_wire(frames)
    run = frames[-2].data
    outputs = [
        {"tool_call_id": call["id"], "output": output}
        for call, output in zip(
            run["required_action"]["submit_tool_outputs"]["tool_calls"], ["22C, sunny", "12:00"], strict=True
        )
    ]
    second, frames = stream(
        seeded,
        "POST",
        f"/threads/{run['thread_id']}/runs/{run['id']}/submit_tool_outputs",
        json={"tool_outputs": outputs, "stream": True},
    )
    check_wire(frames)
    compare("tool_call_then_submit", first + second)
