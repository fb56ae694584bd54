"""How fast a run's stream is read: our client with its snapshot, the official SDK, and the floor.

One 20,000-event stream (mostly message deltas, plus the usual run, step and message events) is
served from memory through ``httpx2.MockTransport`` to

  (a) ours:  ``client.threads.runs.stream(...)``, iterated, keeping its running snapshot;
  (b) SDK:   the official ``openai`` SDK's ``runs.stream(...)`` with an ``AssistantEventHandler``;
  (c) floor: httpx2's SSE decoder plus ``json.loads`` of each event, nothing else.

Each reader reads the stream ``--repeat`` times (default 5), taking turns round by round, and keeps
its best CPU time. Targets: ours >= 5x the SDK, and >= 0.5x the floor; the exit status is 1 when one
is missed (``--report-only``: always 0). Run: ``python benchmarks/bench_stream.py``
(``--events 2000 --repeat 1 --report-only`` for a quick smoke run).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import httpx2

from run_widgets import Client

BASE_URL = "http://bench.invalid/v1"
THREAD, ASSISTANT, RUN = "thread_bench", "asst_bench", "run_bench"
WORDS = ("the ", "quick ", "brown ", "fox ", "jumps ", "over ", "a ", "lazy ", "dog, ", "then ", "naps. ")
DELTAS_PER_MESSAGE = 1000


def run_object(status: str, **changes: Any) -> dict[str, Any]:
    run: dict[str, Any] = {
        "id": RUN, "object": "thread.run", "created_at": 1_700_000_000, "thread_id": THREAD, "assistant_id": ASSISTANT,
        "status": status, "required_action": None, "last_error": None, "expires_at": 1_700_000_600, "started_at": None,
        "cancelled_at": None, "failed_at": None, "completed_at": None, "model": "gpt-4o", "instructions": "Be brief.",
        "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}], "metadata": {},
        "usage": None, "incomplete_details": None, "max_prompt_tokens": None, "max_completion_tokens": None,
        "truncation_strategy": {"type": "auto", "last_messages": None}, "tool_choice": "auto",
        "parallel_tool_calls": True, "response_format": "auto", "temperature": 1.0, "top_p": 1.0,
    }  # fmt: skip
    run.update(changes)
    return run


def step_object(step_id: str, details: dict[str, Any], status: str = "in_progress") -> dict[str, Any]:
    return {
        "id": step_id, "object": "thread.run.step", "created_at": 1_700_000_001, "assistant_id": ASSISTANT,
        "thread_id": THREAD, "run_id": RUN, "type": details["type"], "status": status, "step_details": details,
        "last_error": None, "expired_at": None, "cancelled_at": None, "failed_at": None,
        "completed_at": 1_700_000_009 if status == "completed" else None, "metadata": None, "usage": None,
    }  # fmt: skip


def message_object(message_id: str, content: list[Any], status: str = "in_progress") -> dict[str, Any]:
    return {
        "id": message_id, "object": "thread.message", "created_at": 1_700_000_002, "thread_id": THREAD,
        "status": status, "incomplete_details": None, "completed_at": None, "incomplete_at": None,
        "role": "assistant", "content": content, "assistant_id": ASSISTANT, "run_id": RUN, "attachments": [],
        "metadata": {},
    }  # fmt: skip


def build_stream(total: int) -> tuple[bytes, int]:
    """A run of ``total`` events: a tool call whose arguments stream, then messages of 1,000 deltas each."""
    events: list[tuple[str, Any]] = []
    add = events.append
    add(("thread.run.created", run_object("queued")))
    add(("thread.run.queued", run_object("queued")))
    add(("thread.run.in_progress", run_object("in_progress", started_at=1_700_000_001)))
    arguments = max(1, total // 100)
    calls = {"type": "tool_calls", "tool_calls": []}
    add(("thread.run.step.created", step_object("step_tool", calls)))
    add(("thread.run.step.in_progress", step_object("step_tool", calls)))
    first_call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "lookup", "arguments": "", "output": None},
    }
    add(
        (
            "thread.run.step.delta",
            {
                "id": "step_tool",
                "object": "thread.run.step.delta",
                "delta": {"step_details": {"type": "tool_calls", "tool_calls": [first_call]}},
            },
        )
    )
    for i in range(arguments):
        piece = {"index": 0, "type": "function", "function": {"arguments": f'"k{i}": {i}, '}}
        add(
            (
                "thread.run.step.delta",
                {
                    "id": "step_tool",
                    "object": "thread.run.step.delta",
                    "delta": {"step_details": {"type": "tool_calls", "tool_calls": [piece]}},
                },
            )
        )
    done_call = {
        "type": "function",
        "id": "call_1",
        "function": {"name": "lookup", "arguments": "{}", "output": "ok"},
    }
    add(
        (
            "thread.run.step.completed",
            step_object("step_tool", {"type": "tool_calls", "tool_calls": [done_call]}, "completed"),
        )
    )
    number = 0
    while len(events) + 8 <= total:
        number += 1
        message_id, step_id = f"msg_{number:04d}", f"step_{number:04d}"
        details = {"type": "message_creation", "message_creation": {"message_id": message_id}}
        add(("thread.run.step.created", step_object(step_id, details)))
        add(("thread.run.step.in_progress", step_object(step_id, details)))
        add(("thread.message.created", message_object(message_id, [])))
        add(("thread.message.in_progress", message_object(message_id, [])))
        deltas = min(DELTAS_PER_MESSAGE, total - len(events) - 4)
        pieces = [WORDS[i % len(WORDS)] for i in range(deltas)]
        for i, piece in enumerate(pieces):
            text: dict[str, Any] = {"value": piece, "annotations": []} if i == 0 else {"value": piece}
            add(
                (
                    "thread.message.delta",
                    {
                        "id": message_id,
                        "object": "thread.message.delta",
                        "delta": {"content": [{"index": 0, "type": "text", "text": text}]},
                    },
                )
            )
        full = {"type": "text", "text": {"value": "".join(pieces), "annotations": []}}
        add(("thread.message.completed", message_object(message_id, [full], "completed")))
        add(("thread.run.step.completed", step_object(step_id, details, "completed")))
    add(
        (
            "thread.run.completed",
            run_object("completed", started_at=1_700_000_001, completed_at=1_700_000_010, expires_at=None),
        )
    )
    add(("done", "[DONE]"))
    body = "".join(
        f"event: {name}\ndata: {data if isinstance(data, str) else json.dumps(data, separators=(',', ':'))}\n\n"
        for name, data in events
    )
    return body.encode(), len(events)


def transport(body: bytes) -> httpx2.MockTransport:
    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    return httpx2.MockTransport(answer)


def read_ours(body: bytes) -> int:
    client = Client(BASE_URL, api_key="bench", http_client=httpx2.Client(transport=transport(body)))
    count = 0
    with client.threads.runs.stream(thread_id=THREAD, assistant_id=ASSISTANT) as stream:
        for _ in stream:
            count += 1
        assert stream.get_final_run().status == "completed"
        assert stream.get_final_messages()  # the snapshot holds every message, whole
    return count + 1  # and [DONE]


def read_sdk(body: bytes) -> int:
    import openai
    from openai import AssistantEventHandler

    sdk = openai.OpenAI(
        base_url=BASE_URL, api_key="bench", http_client=httpx2.Client(transport=transport(body))
    )
    count = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        manager = sdk.beta.threads.runs.stream(
            thread_id=THREAD, assistant_id=ASSISTANT, event_handler=AssistantEventHandler()
        )
    with manager as stream:
        for _ in stream:
            count += 1
        assert stream.get_final_run().status == "completed"
    return count + 1


def read_floor(body: bytes) -> int:
    count = 0
    with (
        httpx2.Client(transport=transport(body)) as http,
        http.stream(
            "POST", f"{BASE_URL}/threads/{THREAD}/runs", json={"assistant_id": ASSISTANT, "stream": True}
        ) as response,
    ):
        for frame in httpx2.EventSource(response):
            count += 1
            if frame.data == "[DONE]":
                break
            json.loads(frame.data)
    return count


def timed(read: Callable[[bytes], int], body: bytes, expected: int) -> float:
    """Seconds of this process's CPU time to read the stream (other processes on the machine don't count)."""
    gc.collect()
    start = time.process_time()
    count = read(body)
    elapsed = time.process_time() - start
    if count != expected:
        raise SystemExit(f"{read.__name__} read {count} events, expected {expected}")
    return elapsed


def best_times(
    readers: tuple[Callable[[bytes], int], ...], body: bytes, count: int, rounds: int
) -> list[float]:
    """Each reader's best CPU time over ``rounds`` rounds; every round reads once with each, in turn.

    The order rotates from round to round, so no reader always goes first (or last) and a busy moment
    on the machine falls on all of them alike.
    """
    best = [float("inf")] * len(readers)
    for round_number in range(rounds):
        for offset in range(len(readers)):
            index = (round_number + offset) % len(readers)
            best[index] = min(best[index], timed(readers[index], body, count))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="events in the stream (default 20,000)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="rounds; each reads the stream once with every reader, and each reader keeps its best (default 5)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="print the figures and the targets but exit 0 even when a target is missed (smoke runs)",
    )
    args = parser.parse_args(argv)
    if args.events < 20 or args.repeat < 1:
        parser.error("--events must be at least 20 and --repeat at least 1")
    body, count = build_stream(args.events)
    warm, warm_count = build_stream(300)
    readers = (read_ours, read_sdk, read_floor)
    for read in readers:  # imports and first-use costs stay out of the figures
        timed(read, warm, warm_count)
    print(
        f"stream: {count:,} events, {len(body) / 1e6:.1f} MB; CPU time, best of {args.repeat} "
        f"round{'s' if args.repeat != 1 else ''} for each reader (turns alternate)"
    )
    ours, sdk, floor = (count / seconds for seconds in best_times(readers, body, count, args.repeat))
    rows = [
        ("ours (stream + snapshot)", ours),
        ("openai SDK + AssistantEventHandler", sdk),
        ("floor (SSE decoder + json.loads)", floor),
    ]
    print(f"{'reader':<38}{'events/s':>12}{'vs SDK':>9}{'vs floor':>10}")
    for name, rate in rows:
        print(f"{name:<38}{rate:>12,.0f}{rate / sdk:>8.1f}x{rate / floor:>9.2f}x")
    print()
    fast_enough = ours >= 5 * sdk
    near_floor = ours >= 0.5 * floor
    print(f"target ours >= 5x SDK:      {'holds' if fast_enough else 'MISSED'} ({ours / sdk:.1f}x)")
    print(f"target ours >= 0.5x floor:  {'holds' if near_floor else 'MISSED'} ({ours / floor:.2f}x)")
    return 0 if args.report_only or (fast_enough and near_floor) else 1


if __name__ == "__main__":
    sys.exit(main())
