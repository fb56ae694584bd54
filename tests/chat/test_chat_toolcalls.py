"""The tool-call assembler on its own: any fragmentation, any quirk, the same calls out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from run_widgets.server.engines.base import EngineError, FunctionCallDelta
from run_widgets.server.engines.chat.toolcalls import ToolCallAssembler

NAMES = st.sampled_from(["get_weather", "get_time", "search"])
ARGUMENTS = st.dictionaries(
    st.text("abcxyz", min_size=1, max_size=5), st.one_of(st.integers(), st.text(max_size=8)), max_size=3
).map(lambda d: json.dumps(d, ensure_ascii=False))


def assemble(fragments: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Feed the fragments; check the deltas obey the executor's rules; return (name, arguments) per call."""
    assembler = ToolCallAssembler()
    deltas: list[FunctionCallDelta] = []
    for fragment in fragments:
        deltas.extend(assembler.add(fragment))
    deltas.extend(assembler.finish())
    calls: list[list[str]] = []
    for delta in deltas:
        if delta.index == len(calls):
            assert delta.name, "a call's first delta names it"
            calls.append([delta.name, delta.arguments])
        else:
            assert delta.index < len(calls) and delta.name is None, "indexes are contiguous from 0"
            calls[delta.index][1] += delta.arguments
    return [(name, arguments) for name, arguments in calls]


@st.composite
def streamed_calls(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    calls = draw(st.lists(st.tuples(NAMES, ARGUMENTS), min_size=1, max_size=4))
    index_mode = draw(st.sampled_from(["spec", "zero", "missing"]))
    id_mode = draw(st.sampled_from(["first", "every", "none"]))
    whole = draw(st.booleans())
    if id_mode == "none" and not whole and index_mode != "spec":
        whole = True  # nothing could tell fragmented calls apart; no backend does this
    fragments: list[dict[str, Any]] = []
    for number, (name, arguments) in enumerate(calls):
        index = {} if index_mode == "missing" else {"index": 0 if index_mode == "zero" else number}
        ident = {} if id_mode == "none" else {"id": f"call_{number}", "type": "function"}
        if whole:
            fragments.append({**index, **ident, "function": {"name": name, "arguments": arguments}})
            continue
        cuts = sorted(draw(st.sets(st.integers(1, max(1, len(arguments) - 1)), max_size=6)))
        pieces = [arguments[a:b] for a, b in zip([0, *cuts], [*cuts, len(arguments)], strict=True)]
        first_args = draw(st.sampled_from(["", pieces[0]]))
        if first_args:
            pieces = pieces[1:]
        fragments.append({**index, **ident, "function": {"name": name, "arguments": first_args}})
        for piece in pieces:
            fragment: dict[str, Any] = {**index, "function": {"arguments": piece}}
            if id_mode == "every":
                fragment.update(ident)
            fragments.append(fragment)
    return [(n, a if a.strip() else "{}") for n, a in calls], fragments


@settings(max_examples=200, deadline=None)
@given(streamed_calls())
def test_any_fragmentation_gives_back_the_calls(
    case: tuple[list[tuple[str, str]], list[dict[str, Any]]],
) -> None:
    expected, fragments = case
    assert assemble(fragments) == expected


def test_arguments_before_the_name_wait_for_it() -> None:
    fragments = [
        {"index": 0, "function": {"arguments": '{"a":'}},
        {"index": 0, "id": "x", "function": {"name": "f", "arguments": " 1}"}},
    ]
    assert assemble(fragments) == [("f", '{"a": 1}')]


def test_a_second_call_named_before_the_first_waits_its_turn() -> None:
    fragments = [
        {"index": 0, "function": {"arguments": "{}"}},
        {"index": 1, "id": "b", "function": {"name": "second", "arguments": "{}"}},
        {"index": 0, "id": "a", "function": {"name": "first"}},
    ]
    assert assemble(fragments) == [("first", "{}"), ("second", "{}")]


def test_a_repeated_name_with_no_arguments_after_a_whole_call_is_not_a_new_call() -> None:
    fragments = [
        {"index": 0, "function": {"name": "f", "arguments": '{"a": 1}'}},
        {"index": 0, "function": {"name": "f", "arguments": ""}},
    ]
    assert assemble(fragments) == [("f", '{"a": 1}')]


def test_fragments_that_never_name_a_function_fail_at_the_end() -> None:
    assembler = ToolCallAssembler()
    assert assembler.add("nonsense") == []
    assert assembler.add({"index": True, "function": "x"}) == []
    with pytest.raises(EngineError, match="without a function name"):
        assembler.finish()
