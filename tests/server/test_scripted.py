"""The scripted engine on its own: parsing, determinism, pacing, every directive's items."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from run_widgets.models import Assistant, Message, Run, RunStep
from run_widgets.server.engines import EngineUnavailable, create_engine
from run_widgets.server.engines.base import (
    CodeImage,
    CodeInterpreterCall,
    EngineError,
    EngineSettings,
    ExpiresIn,
    FileSearchCall,
    FunctionCallDelta,
    Incomplete,
    RequestCancel,
    RunContext,
    TextDelta,
)
from run_widgets.server.engines.scripted import engine as scripted_engine
from run_widgets.server.engines.scripted.engine import ScriptedEngine
from run_widgets.server.engines.scripted.script import parse
from run_widgets.server.tokens import count_tokens, truncate_to_tokens

TOOLS = [
    {"type": "function", "function": {"name": "get_weather"}},
    {"type": "code_interpreter"},
    {"type": "file_search"},
]


def context(
    text: str, *, tools: list[dict[str, Any]] = TOOLS, steps: tuple[RunStep, ...] = (), **run: Any
) -> RunContext:
    run_model = Run.model_validate(
        {
            "id": "run_1",
            "created_at": 0,
            "thread_id": "t",
            "assistant_id": "a",
            "status": "in_progress",
            "model": "scripted",
            "tools": tools,
            **run,
        }
    )
    message = Message.model_validate(
        {
            "id": "msg_1",
            "created_at": 0,
            "thread_id": "t",
            "role": "user",
            "content": [{"type": "text", "text": {"value": text, "annotations": []}}],
        }
    )
    assistant = Assistant.model_validate({"id": "a", "created_at": 0, "model": "scripted"})
    return RunContext(run=run_model, assistant=assistant, messages=(message,), steps=steps)


def collect(text: str, words_per_second: float = 0, sleep: Any = None, **kwargs: Any) -> list[Any]:
    engine = ScriptedEngine(EngineSettings(words_per_second=words_per_second), sleep=sleep)

    async def go() -> list[Any]:
        items = []
        try:
            async for item in engine.run(context(text, **kwargs)):
                items.append(item)
                if isinstance(item, RequestCancel | Incomplete):
                    break
        except EngineError as exc:
            items.append(exc)
        return items

    return asyncio.run(go())


def text_of(items: list[Any]) -> str:
    return "".join(i.text for i in items if isinstance(i, TextDelta))


def test_parse_splits_calls_directives_and_prose() -> None:
    script = parse(
        'Hi there\ncall get_weather {"city": "Paris"}\n  /pace 5\ncall get_time\n/fail invalid_prompt Bad input\nbye'
    )
    assert script.prose == "Hi there\nbye"
    assert [(c.name, c.arguments) for c in script.calls] == [
        ("get_weather", '{"city":"Paris"}'),
        ("get_time", "{}"),
    ]
    assert script.pace == 5 and script.fail == ("invalid_prompt", "Bad input")
    bad = parse("call get_weather {nope\ncall bad$name {}\ncall x [1]\n/pace fast")
    assert not bad.calls and len(bad.problems) == 4
    assert parse("/usr/bin is a path").prose == "/usr/bin is a path", "unknown directives are prose"
    assert parse("/expire").expire == 2.0 and parse("/wait").wait_forever and parse("/wait 1.5").wait == 1.5


def test_the_same_thread_gets_the_same_text() -> None:
    first, second = collect("Tell me about runs."), collect("Tell me about runs.")
    assert text_of(first) == text_of(second)
    assert "“Tell me about runs.”" in text_of(first)
    assert len([i for i in first if isinstance(i, TextDelta)]) > 10, "several deltas, one per word"


def test_calls_become_parallel_function_call_fragments() -> None:
    items = collect('call get_weather {"city": "Paris", "days": 3}\ncall get_weather {"city": "Rome"}')
    calls: dict[int, list[str]] = {}
    for item in items:
        assert isinstance(item, FunctionCallDelta)
        calls.setdefault(item.index, []).append(item.arguments)
        if len(calls[item.index]) == 1:
            assert item.name == "get_weather"
    assert [json.loads("".join(parts)) for parts in calls.values()] == [
        {"city": "Paris", "days": 3},
        {"city": "Rome"},
    ]
    assert max(len(parts) for parts in calls.values()) > 2, "arguments stream in fragments"


def test_unknown_tools_are_explained_in_a_message() -> None:
    items = collect("call get_time {}", tools=[{"type": "function", "function": {"name": "get_weather"}}])
    assert not any(isinstance(i, FunctionCallDelta) for i in items)
    assert "`get_time`" in text_of(items) and "get_weather" in text_of(items)


def test_code_and_search_items() -> None:
    items = collect("/code\n/search tool outputs deadline")
    code = next(i for i in items if isinstance(i, CodeInterpreterCall))
    assert "squares" in code.input and isinstance(code.outputs[1], CodeImage)
    assert code.outputs[1].data.startswith(b"\x89PNG")
    search = next(i for i in items if isinstance(i, FileSearchCall))
    assert search.results[0].file_name == "tool-outputs.md"
    assert [r.score for r in search.results] == sorted((r.score for r in search.results), reverse=True)
    assert "tool-outputs.md" in text_of(items)


@pytest.mark.parametrize(
    ("directive", "last"),
    [("/fail", EngineError), ("/cancel", RequestCancel), ("/incomplete", Incomplete)],
)
def test_directives_act_after_three_words(directive: str, last: type) -> None:
    items = collect(f"{directive}\nplease answer")
    assert isinstance(items[-1], last)
    assert len([i for i in items if isinstance(i, TextDelta)]) == scripted_engine.EFFECT_AFTER_WORDS


def test_expire_brings_the_deadline_first() -> None:
    async def go() -> list[Any]:
        engine = create_engine("scripted", EngineSettings(words_per_second=0))
        items: list[Any] = []

        async def consume() -> None:
            async for item in engine.run(context("/expire 1\nhello there friend, again")):
                items.append(item)

        task = asyncio.ensure_future(consume())
        while len(items) < 4:
            await asyncio.sleep(0)
        await asyncio.sleep(0.05)
        assert not task.done(), "after three words the reply stalls until the deadline"
        task.cancel()
        return items

    items = asyncio.run(go())
    assert items[0] == ExpiresIn(1.0) and len(items) == 4


def test_outputs_are_quoted_once_submitted() -> None:
    step = RunStep.model_validate(
        {
            "id": "step_1",
            "created_at": 0,
            "assistant_id": "a",
            "thread_id": "t",
            "run_id": "run_1",
            "type": "tool_calls",
            "status": "completed",
            "step_details": {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": "{}", "output": "rainy"},
                    }
                ],
            },
        }
    )
    engine = create_engine("scripted", EngineSettings(words_per_second=0))

    async def go() -> str:
        return "".join(
            [
                i.text
                async for i in engine.run(context("call get_weather {}", steps=(step,)))
                if isinstance(i, TextDelta)
            ]
        )

    assert "get_weather({}) returned: “rainy”" in asyncio.run(go())


def test_pace_sets_the_pause_between_words() -> None:
    pauses: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        pauses.append(seconds)

    collect("one two three", words_per_second=20, sleep=fake_sleep)
    assert pauses and set(pauses) == {0.05}
    pauses.clear()
    collect("/pace 4\none two three", words_per_second=20, sleep=fake_sleep)
    assert set(pauses) == {0.25}
    pauses.clear()
    collect("/pace 0\none two three", words_per_second=20, sleep=fake_sleep)
    assert set(pauses) == {0}


def test_help_lists_every_directive() -> None:
    text = text_of(collect("/help"))
    for name in (
        "call NAME {json}",
        "/pace",
        "/wait",
        "/code",
        "/search",
        "/fail",
        "/cancel",
        "/expire",
        "/incomplete",
    ):
        assert name in text


def test_tokens() -> None:
    assert count_tokens("Hello, world!") == 4
    assert count_tokens("internationalization") == 4
    assert truncate_to_tokens("one two three four", 2) == "one two"
    assert truncate_to_tokens("short", 10) == "short"


def test_unknown_engines_are_refused_clearly() -> None:
    with pytest.raises(EngineUnavailable, match="unknown engine 'nope'"):
        create_engine("nope", EngineSettings())
