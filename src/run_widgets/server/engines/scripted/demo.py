"""The scripted assistant's props: a code interpreter program with its chart, and files to search."""

from __future__ import annotations

import re
import struct
import zlib

from ..base import CodeImage, CodeInterpreterCall, CodeLogs, FileSearchCall, FileSearchHit

DEMO_CODE = """xs = list(range(1, 9))
squares = [x * x for x in xs]
print("x:      ", xs)
print("squares:", squares)
print("sum:    ", sum(squares))
bar_chart(xs, squares, title="x squared")"""


def code_interpreter_call(code: str) -> CodeInterpreterCall:
    """The demo program (logs and a chart), or the user's code shown with a note: it is not run."""
    if code:
        note = "The scripted assistant shows code but does not run it; nothing was executed.\n"
        return CodeInterpreterCall(input=code, outputs=(CodeLogs(note),))
    xs = list(range(1, 9))
    squares = [x * x for x in xs]
    logs = f"x:       {xs}\nsquares: {squares}\nsum:     {sum(squares)}\n"
    return CodeInterpreterCall(
        input=DEMO_CODE,
        outputs=(CodeLogs(logs), CodeImage(bar_chart_png(squares), filename="x_squared.png")),
    )


def bar_chart_png(values: list[int], width: int = 240, height: int = 160) -> bytes:
    """A small bar chart as PNG bytes, drawn pixel by pixel (no plotting library needed)."""
    background, bar, axis = (255, 255, 255), (59, 110, 200), (90, 90, 90)
    pixels = [[background] * width for _ in range(height)]
    margin, top = 16, 12
    base = height - margin
    for x in range(margin, width - margin // 2):
        pixels[base][x] = axis
    for y in range(top, base + 1):
        pixels[y][margin] = axis
    slot = (width - margin - margin // 2) // len(values)
    biggest = max(values) or 1
    for index, value in enumerate(values):
        left = margin + 2 + index * slot
        bar_height = round((base - top) * value / biggest)
        for y in range(base - bar_height, base):
            for x in range(left, left + slot - 4):
                pixels[y][x] = bar
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


DEMO_FILES: tuple[tuple[str, str, str], ...] = (
    (
        "file-scripted-runs",
        "runs.md",
        "A run is one invocation of an assistant on a thread. It starts queued, moves to in_progress, "
        "and ends completed, incomplete, failed, cancelled or expired. A run that needs function "
        "results waits in requires_action until the tool outputs are submitted.",
    ),
    (
        "file-scripted-steps",
        "run-steps.md",
        "Each run records its work as run steps: a message_creation step for every message it writes, "
        "and a tool_calls step for function calls, code interpreter calls and file search calls.",
    ),
    (
        "file-scripted-streaming",
        "streaming.md",
        "With stream set to true a run answers with server-sent events: thread.run.created, "
        "thread.run.step.created, thread.message.delta and so on, ending with done. Deltas carry an "
        "index and their text is appended.",
    ),
    (
        "file-scripted-tools",
        "tool-outputs.md",
        "Function tools are called by the assistant and answered by the client: submit one output per "
        "tool call id with submit_tool_outputs, before the run's expires_at deadline.",
    ),
)

_WORD = re.compile(r"[a-z0-9_]+")


def file_search_call(query: str) -> FileSearchCall:
    """Rank the demo files by how many of the query's words they contain."""
    words = set(_WORD.findall(query.lower())) or {"run"}
    hits: list[FileSearchHit] = []
    for file_id, name, text in DEMO_FILES:
        vocabulary = set(_WORD.findall(text.lower()))
        matched = sum(1 for word in words if word in vocabulary or word.rstrip("s") in vocabulary)
        score = round(0.2 + 0.8 * matched / len(words), 4) if matched else 0.1
        hits.append(FileSearchHit(file_id=file_id, file_name=name, score=score, content=text))
    hits.sort(key=lambda hit: (-hit.score, hit.file_name))
    return FileSearchCall(
        results=tuple(hits[:3]),
        ranking_options={"ranker": "default_2024_08_21", "score_threshold": 0.0},
    )
