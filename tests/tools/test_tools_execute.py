"""Running a call: arguments checked against the signature, failures as short outputs, results as JSON."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import decimal
import enum
import json
import threading
import uuid
from pathlib import PurePosixPath
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from run_widgets.tools import ToolResult, tool


@tool
def weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius", days: int = 1) -> dict[str, Any]:
    """Forecast the weather."""
    if city == "Atlantis":
        raise LookupError(f"unknown city {city!r}")
    return {"city": city, "unit": unit, "days": days}


EXPECTS = 'Expected weather(city: string, unit: "celsius" | "fahrenheit" = "celsius", days: integer = 1)'


# --- arguments -------------------------------------------------------------------------------------


def test_valid_arguments_run_the_function() -> None:
    assert json.loads(weather.execute('{"city": "Oslo", "days": 3}')) == {
        "city": "Oslo",
        "unit": "celsius",
        "days": 3,
    }
    assert weather.invoke('{"city": "Oslo"}') == ToolResult(
        '{"city":"Oslo","unit":"celsius","days":1}', ok=True
    )


def test_arguments_may_come_parsed_or_as_bytes() -> None:
    assert (
        weather.execute({"city": "Rome"})
        == weather.execute(b'{"city": "Rome"}')
        == weather.execute('{"city":"Rome"}')
    )


def test_numbers_in_strings_are_accepted_as_models_often_send_them() -> None:
    assert json.loads(weather.execute('{"city": "Oslo", "days": "2"}'))["days"] == 2


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            '{"city": ',
            "Error: the arguments are not valid JSON (Expecting value: line 1 column 10 (char 9)).",
        ),
        ("[1, 2]", "Error: the arguments must be a JSON object, got an array."),
        ('"Oslo"', "Error: the arguments must be a JSON object, got a string."),
        ("null", "Error: the arguments must be a JSON object, got null."),
        ("3", "Error: the arguments must be a JSON object, got a number."),
        ("{}", "Error: invalid arguments: city: required argument is missing."),
        ('{"city": 7}', "Error: invalid arguments: city: input should be a valid string."),
        (
            '{"city": "Oslo", "unit": "kelvin"}',
            "Error: invalid arguments: unit: input should be 'celsius' or 'fahrenheit'.",
        ),
        ('{"city": "Oslo", "country": "NO"}', "Error: invalid arguments: country: unexpected argument."),
        (
            '{"unit": "kelvin", "days": "many"}',
            "Error: invalid arguments: city: required argument is missing; unit: input should be 'celsius' or "
            "'fahrenheit'; days: input should be a valid integer, unable to parse string as an integer.",
        ),
    ],
)
def test_bad_arguments_become_an_output_that_says_what_is_wrong_and_what_is_expected(
    arguments: str, expected: str
) -> None:
    result = weather.invoke(arguments)
    assert result == ToolResult(f"{expected} {EXPECTS}", ok=False)


def test_nested_argument_errors_name_the_path() -> None:
    class Item(BaseModel):
        sku: str
        qty: int

    @tool
    def order(items: list[Item]) -> int:
        return len(items)

    output = order.execute('{"items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": "lots"}]}')
    assert output.startswith("Error: invalid arguments: items.1.qty: input should be a valid integer")
    assert output.endswith("Expected order(items: list[Item])")


def test_many_errors_are_summarised() -> None:
    @tool
    def wide(a: int, b: int, c: int, d: int, e: int, f: int, g: int) -> int:
        return a

    output = wide.execute("{}")
    assert output.count("required argument is missing") == 5
    assert "(and 2 more)" in output


def test_omitted_arguments_keep_the_functions_own_default() -> None:
    marker = object()

    @tool
    def f(x: Any = marker) -> bool:
        return x is marker

    assert f.execute("{}") == "true"
    assert f.execute('{"x": 1}') == "false"


# --- exceptions ---------------------------------------------------------------------------------------


def test_an_exception_becomes_its_type_and_message_without_a_traceback() -> None:
    result = weather.invoke('{"city": "Atlantis"}')
    assert result == ToolResult("Error: LookupError: unknown city 'Atlantis'", ok=False)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("exc", "output"),
    [
        (ZeroDivisionError("division by zero"), "Error: ZeroDivisionError: division by zero"),
        (KeyError("missing"), "Error: KeyError: 'missing'"),
        (RuntimeError(), "Error: RuntimeError"),
        (ValueError("line one\n   line two"), "Error: ValueError: line one line two"),
    ],
)
def test_exception_outputs(exc: Exception, output: str) -> None:
    @tool
    def boom() -> None:
        raise exc

    assert boom.execute("{}") == output


def test_a_huge_exception_message_is_cut() -> None:
    @tool
    def boom() -> None:
        raise ValueError("x" * 50_000)

    output = boom.execute("{}")
    assert len(output) == 1000 and output.endswith("…")


def test_keyboard_interrupt_is_not_swallowed() -> None:
    """Ctrl-C in the kernel must still stop a tool; only ordinary exceptions become outputs."""

    @tool
    def stop() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        stop.execute("{}")


# --- return values ------------------------------------------------------------------------------------


class Mood(enum.Enum):
    HAPPY = "happy"


@dataclasses.dataclass
class Reading:
    at: dt.datetime
    value: float


class Report(BaseModel):
    title: str
    readings: list[Reading]


@pytest.mark.parametrize(
    ("value", "output"),
    [
        ("plain text", "plain text"),
        ("", ""),
        (None, "null"),
        (42, "42"),
        (2.5, "2.5"),
        (True, "true"),
        ([1, "a", None], '[1,"a",null]'),
        ({"ä": "ü"}, '{"ä":"ü"}'),
        (dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC), '"2024-05-01T12:30:00Z"'),
        (dt.date(2024, 5, 1), '"2024-05-01"'),
        (dt.timedelta(minutes=90), '"PT1H30M"'),
        (decimal.Decimal("1.10"), '"1.10"'),
        (uuid.UUID(int=1), '"00000000-0000-0000-0000-000000000001"'),
        (Mood.HAPPY, '"happy"'),
        ({3, 1, 2}, "[1,2,3]"),
        ((1, 2), "[1,2]"),
        (b"bytes", '"bytes"'),
        (PurePosixPath("/tmp/x"), '"/tmp/x"'),
        (float("nan"), "null"),
        (Reading(dt.datetime(2024, 1, 1, tzinfo=dt.UTC), 1.5), '{"at":"2024-01-01T00:00:00Z","value":1.5}'),
        (
            Report(title="t", readings=[Reading(dt.datetime(2024, 1, 1, tzinfo=dt.UTC), 2.0)]),
            '{"title":"t","readings":[{"at":"2024-01-01T00:00:00Z","value":2.0}]}',
        ),
    ],
)
def test_return_values_that_are_not_strings_are_json(value: Any, output: str) -> None:
    @tool
    def give() -> Any:
        return value

    assert give.execute("{}") == output


def test_unknown_return_types_use_tolist_to_dict_or_str() -> None:
    class ArrayLike:
        def tolist(self) -> list[int]:
            return [1, 2]

    class FrameLike:
        def to_dict(self) -> dict[str, list[int]]:
            return {"a": [1]}

    class Plain:
        def __str__(self) -> str:
            return "plain!"

    @tool
    def give(kind: str) -> Any:
        return {"array": ArrayLike(), "frame": FrameLike(), "plain": Plain()}[kind]

    assert give.execute('{"kind": "array"}') == "[1,2]"
    assert give.execute('{"kind": "frame"}') == '{"a":[1]}'
    assert give.execute('{"kind": "plain"}') == '"plain!"'


def test_a_result_that_cannot_be_json_is_an_error_output() -> None:
    loop: list[Any] = []
    loop.append(loop)

    @tool
    def circular() -> list[Any]:
        return loop

    result = circular.invoke("{}")
    assert not result.ok and result.output.startswith("Error: circular returned a list that is not JSON")


_returned: list[Any] = []


@tool
def give_back() -> Any:
    return _returned[-1]


@settings(deadline=None)  # no timed assertions: machines are noisy
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    )
)
def test_any_json_value_returned_comes_back_as_the_same_json(value: Any) -> None:
    _returned.append(value)
    output = give_back.execute("{}")
    assert output == value if isinstance(value, str) else json.loads(output) == value


# --- async and threads --------------------------------------------------------------------------------


@tool
async def fetch(url: str, delay: float = 0) -> dict[str, str]:
    """Fetch a page."""
    await asyncio.sleep(delay)
    if url == "bad":
        raise ConnectionError("refused")
    return {"url": url}


def test_async_tools_run_from_sync_code() -> None:
    assert fetch.is_async
    assert fetch.execute('{"url": "https://example.com"}') == '{"url":"https://example.com"}'
    assert fetch.execute('{"url": "bad"}') == "Error: ConnectionError: refused"
    assert fetch.execute('{"url": 1}').startswith(
        "Error: invalid arguments: url: input should be a valid string"
    )


def test_async_tools_run_from_sync_code_inside_a_running_loop() -> None:
    """As in a Jupyter cell, where the kernel's loop is running in this thread."""

    async def inside() -> str:
        return fetch.execute('{"url": "u"}')

    assert asyncio.run(inside()) == '{"url":"u"}'


def test_aexecute_awaits_async_tools_and_runs_sync_ones_in_a_worker_thread() -> None:
    threads: list[str] = []

    @tool
    def where() -> str:
        threads.append(threading.current_thread().name)
        return "done"

    async def main() -> tuple[str, str]:
        return await where.aexecute("{}"), await fetch.aexecute('{"url": "x"}')

    assert asyncio.run(main()) == ("done", '{"url":"x"}')
    assert threads and threads[0] != threading.current_thread().name
    assert not asyncio.run(where.ainvoke("[]")).ok


def test_calling_the_tool_calls_the_function() -> None:
    assert weather("Oslo", days=2) == {"city": "Oslo", "unit": "celsius", "days": 2}
    assert asyncio.run(fetch("u")) == {"url": "u"}
    assert weather.__name__ == "weather" and weather.__doc__ == "Forecast the weather."


def test_pydantic_field_defaults_in_the_signature_work_as_with_validate_call() -> None:
    from pydantic import Field

    @tool
    def repeat(word: str, times: int = Field(2, ge=1, description="How often")) -> str:
        return word * times

    assert repeat.definition["function"]["parameters"]["properties"]["times"] == {
        "type": "integer",
        "default": 2,
        "minimum": 1,
        "description": "How often",
    }
    assert repeat.execute('{"word": "ab"}') == "abab"  # the Field's default, not the FieldInfo
    assert repeat.execute('{"word": "ab", "times": 3}') == "ababab"
    assert repeat.execute('{"word": "ab", "times": 0}').startswith("Error: invalid arguments: times:")
    assert repeat.expects == "repeat(word: string, times: integer = 2)"


def test_objects_with_an_async_call_are_async_tools() -> None:
    class Fetcher:
        async def __call__(self, url: str) -> str:
            await asyncio.sleep(0)
            return url.upper()

    fetcher = tool(Fetcher())
    assert fetcher.name == "Fetcher" and fetcher.is_async
    assert fetcher.execute('{"url": "u"}') == "U"
    assert asyncio.run(fetcher.aexecute('{"url": "v"}')) == "V"
