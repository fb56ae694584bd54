"""The SSE wire of every kind of run, checked frame by frame against the reference's rules."""

from __future__ import annotations

import json
import zlib

import httpx2
import pytest
from server_testing import assert_streamed_equals_get, check_wire, new_thread, stream

INCLUDE = "step_details.tool_calls[*].file_search.results[*].content"


def run_stream(http: httpx2.Client, thread_id: str, assistant_id: str, **body: object) -> list:
    _, frames = stream(
        http,
        "POST",
        f"/threads/{thread_id}/runs",
        json={"assistant_id": assistant_id, "stream": True, **body},
    )
    return frames


def events(frames: list) -> list[str]:
    return [f.event for f in frames]


def test_plain_reply_follows_the_reference_order(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "Hello there, assistant.")
    frames = run_stream(http, thread_id, assistant_id)
    names = events(frames)
    deltas = names.count("thread.message.delta")
    assert deltas >= 5, "the reply streams in several deltas"
    assert names == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.message.created",
        "thread.message.in_progress",
        *["thread.message.delta"] * deltas,
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
        "done",
    ]
    created = frames[0].data
    assert created["status"] == "queued" and created["started_at"] is None
    assert created["expires_at"] == created["created_at"] + 600
    assert frames[2].data["started_at"] is not None
    step = frames[3].data
    assert step["step_details"]["message_creation"]["message_id"] == frames[5].data["id"]
    first_delta = frames[7].data["delta"]["content"][0]
    assert (
        first_delta["text"]["annotations"] == []
        and "annotations" not in frames[8].data["delta"]["content"][0]["text"]
    )
    last = check_wire(frames)
    assert_streamed_equals_get(http, last)


def test_tool_calls_end_the_stream_at_requires_action_and_submit_streams_the_rest(
    http: httpx2.Client, assistant_id: str
) -> None:
    thread_id = new_thread(http, 'call get_weather {"city": "Kyiv", "unit": "C"}\ncall get_time {}')
    frames = run_stream(http, thread_id, assistant_id)
    names = events(frames)
    assert names[3:5] == ["thread.run.step.created", "thread.run.step.in_progress"]
    assert frames[3].data["step_details"] == {"type": "tool_calls", "tool_calls": []}
    assert names[-2:] == ["thread.run.requires_action", "done"]
    assert set(names[5:-2]) == {"thread.run.step.delta"}
    last = check_wire(frames)
    assert_streamed_equals_get(http, last)
    first = frames[5].data["delta"]["step_details"]["tool_calls"][0]
    assert first["function"] == {"name": "get_weather", "arguments": "", "output": None}
    run = frames[-2].data
    calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert [json.loads(c["function"]["arguments"]) for c in calls] == [{"city": "Kyiv", "unit": "C"}, {}]
    step = http.get(f"/threads/{thread_id}/runs/{run['id']}/steps").json()["data"][0]
    assert [c["id"] for c in step["step_details"]["tool_calls"]] == [c["id"] for c in calls]
    assert step["status"] == "in_progress"

    outputs = [{"tool_call_id": c["id"], "output": "ok"} for c in calls]
    _, frames = stream(
        http,
        "POST",
        f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs",
        json={"tool_outputs": outputs, "stream": True},
    )
    names = events(frames)
    assert names[:3] == ["thread.run.step.completed", "thread.run.queued", "thread.run.in_progress"]
    assert names[-2:] == ["thread.run.completed", "done"]
    assert [c["function"]["output"] for c in frames[0].data["step_details"]["tool_calls"]] == ["ok", "ok"]
    assert frames[1].data["required_action"] is None
    assert frames[1].data["expires_at"] == run["expires_at"], "the deadline is kept across the pause"
    last = check_wire(frames)
    assert_streamed_equals_get(http, last)


def test_code_interpreter_and_file_search_steps(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "/code\n/search tool outputs deadline")
    _, frames = stream(
        http,
        "POST",
        f"/threads/{thread_id}/runs?include[]={INCLUDE}",
        json={"assistant_id": assistant_id, "stream": True},
    )
    last = check_wire(frames)
    assert_streamed_equals_get(http, last, include=True)
    steps = [f.data for f in frames if f.event == "thread.run.step.completed"]
    code, search, message = steps
    call = code["step_details"]["tool_calls"][0]
    assert call["type"] == "code_interpreter" and "squares" in call["code_interpreter"]["input"]
    logs, image = call["code_interpreter"]["outputs"]
    assert logs["type"] == "logs" and "sum:" in logs["logs"]
    png = http.get(f"/files/{image['image']['file_id']}/content")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert http.get(f"/files/{image['image']['file_id']}").json()["bytes"] == len(png.content)
    results = search["step_details"]["tool_calls"][0]["file_search"]["results"]
    assert results[0]["file_name"] == "tool-outputs.md" and results[0]["content"][0]["type"] == "text"
    assert all(0 <= r["score"] <= 1 for r in results)
    assert message["type"] == "message_creation"
    # without include[], the same step hides the contents, on GET and on a stream alike
    plain = http.get(f"/threads/{thread_id}/runs/{search['run_id']}/steps/{search['id']}").json()
    assert all("content" not in r for r in plain["step_details"]["tool_calls"][0]["file_search"]["results"])
    listed = http.get(f"/threads/{thread_id}/runs/{search['run_id']}/steps?order=asc").json()["data"]
    assert listed[1] == plain


@pytest.mark.parametrize(
    ("script", "status", "step_status", "message_reason"),
    [
        ("/fail", "failed", "failed", "run_failed"),
        ("/fail rate_limit_exceeded Slow down", "failed", "failed", "run_failed"),
        ("/cancel", "cancelled", "cancelled", "run_cancelled"),
        ("/incomplete", "incomplete", "completed", "max_tokens"),
    ],
)
def test_directives_end_runs_on_demand(
    http: httpx2.Client, assistant_id: str, script: str, status: str, step_status: str, message_reason: str
) -> None:
    thread_id = new_thread(http, f"{script}\nPlease answer at length.")
    frames = run_stream(http, thread_id, assistant_id)
    names = events(frames)
    last = check_wire(frames)
    assert_streamed_equals_get(http, last)
    assert names.count("thread.message.delta") == 3, "the reply starts, then the directive takes effect"
    assert names[-4:] == [
        "thread.message.incomplete",
        f"thread.run.step.{step_status}",
        f"thread.run.{status}",
        "done",
    ]
    run, step, message = frames[-2].data, frames[-3].data, frames[-4].data
    assert run["status"] == status and run["usage"] is not None and run["expires_at"] is None
    assert message["incomplete_details"] == {"reason": message_reason}
    if status == "failed":
        code = "rate_limit_exceeded" if "rate_limit" in script else "server_error"
        assert run["last_error"]["code"] == code and run["failed_at"] is not None
        assert step["last_error"] == run["last_error"] and step["failed_at"] is not None
    if status == "cancelled":
        assert "thread.run.cancelling" in names and run["cancelled_at"] is not None
    if status == "incomplete":
        assert run["incomplete_details"] == {"reason": "max_completion_tokens"}


def test_max_completion_tokens_cuts_the_reply(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "/incomplete\n" + "many words here " * 100)
    frames = run_stream(http, thread_id, assistant_id, max_completion_tokens=256)
    last = check_wire(frames)
    run = frames[-2].data
    assert run["status"] == "incomplete" and run["incomplete_details"] == {"reason": "max_completion_tokens"}
    assert run["usage"]["completion_tokens"] == 256
    message = next(d for d in last.values() if d["object"] == "thread.message")
    assert message["status"] == "incomplete" and message["incomplete_details"] == {"reason": "max_tokens"}


def test_streams_survive_a_closed_connection(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "/pace 200\n" + "word " * 100)
    with http.stream(
        "POST", f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id, "stream": True}
    ) as r:
        for line in r.iter_lines():
            if line.startswith("data:") and "thread.message.delta" in line:
                break
    runs = http.get(f"/threads/{thread_id}/runs").json()["data"]
    from server_testing import wait_for_status

    run = wait_for_status(http, thread_id, runs[0]["id"], {"completed"})
    text = http.get(f"/threads/{thread_id}/messages?run_id={run['id']}").json()["data"][0]["content"][0][
        "text"
    ]["value"]
    assert text.count("word") == 100


def test_images_are_real_pngs(http: httpx2.Client, assistant_id: str) -> None:
    thread_id = new_thread(http, "/code")
    frames = run_stream(http, thread_id, assistant_id)
    step = next(f.data for f in frames if f.event == "thread.run.step.completed")
    file_id = step["step_details"]["tool_calls"][0]["code_interpreter"]["outputs"][1]["image"]["file_id"]
    data = http.get(f"/files/{file_id}/content").content
    assert http.get(f"/files/{file_id}").json()["bytes"] == len(data)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "the PNG signature"
    chunks = png_chunks(data[8:])
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    header = chunks[0][1]
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    assert (width, height) == (240, 160)
    bit_depth, color_type = header[8], header[9]
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    # one filter byte per row, then the row's samples: the image data decodes to exactly the picture
    assert len(pixels) == height * (1 + (width * channels * bit_depth + 7) // 8)
    assert len(set(pixels)) > 2, "not a blank image"


def png_chunks(rest: bytes) -> list[tuple[bytes, bytes]]:
    """A PNG's chunks after the signature, each checked against its CRC."""
    chunks = []
    while rest:
        length = int.from_bytes(rest[:4], "big")
        kind, body, crc = rest[4:8], rest[8 : 8 + length], rest[8 + length : 12 + length]
        assert int.from_bytes(crc, "big") == zlib.crc32(kind + body), f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        rest = rest[12 + length :]
    return chunks
