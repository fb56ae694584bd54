"""A function's signature and docstring become its tool definition (name, description, JSON schema)."""

from __future__ import annotations

import dataclasses
import enum
import functools
from typing import Annotated, Any, Literal

import jsonschema
import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from run_widgets.models import CreateAssistantRequest, CreateRunRequest, FunctionToolParam, validate_request
from run_widgets.tools import PythonTool, ToolDefinitionError, tool


def params(t: PythonTool[..., Any]) -> dict[str, Any]:
    return t.definition["function"]["parameters"]


def check_schema_agrees(t: PythonTool[..., Any], good: dict[str, Any], bad: dict[str, Any]) -> None:
    """The schema the assistant sees accepts what the function accepts, and refuses what it refuses."""
    schema = params(t)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(good, schema)
    assert not t.execute(good).startswith("Error: invalid arguments")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    assert t.execute(bad).startswith("Error: invalid arguments")


# --- scalar types, defaults, Optional --------------------------------------------------------------


def test_scalars_defaults_and_optional() -> None:
    @tool
    def f(name: str, count: int, ratio: float, flag: bool, note: str | None = None, times: int = 3) -> str:
        return name

    assert params(f) == {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "count": {"type": "integer"},
            "ratio": {"type": "number"},
            "flag": {"type": "boolean"},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            "times": {"type": "integer", "default": 3},
        },
        "required": ["name", "count", "ratio", "flag"],
        "additionalProperties": False,
    }
    check_schema_agrees(
        f,
        {"name": "a", "count": 1, "ratio": 0.5, "flag": True},
        {"name": "a", "count": "many", "ratio": 1, "flag": True},
    )


def test_no_arguments_is_an_empty_object() -> None:
    @tool
    def now() -> str:
        """The time."""
        return "noon"

    assert now.definition == {
        "type": "function",
        "function": {
            "name": "now",
            "description": "The time.",
            "parameters": {"type": "object", "properties": {}, "additionalProperties": False},
        },
    }
    assert now.execute("") == "noon" and now.execute("{}") == "noon"


def test_unannotated_parameters_accept_anything() -> None:
    @tool
    def echo(value, times=2):  # type: ignore[no-untyped-def]
        return [value] * times

    assert params(echo)["properties"] == {"value": {}, "times": {"default": 2}}
    assert echo.execute('{"value": {"a": 1}}') == '[{"a":1},{"a":1}]'


# --- Literal, Enum, containers, nested models and dataclasses --------------------------------------


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Point:
    x: float
    y: float = 0.0


class Address(BaseModel):
    """A postal address."""

    street: str
    city: str = Field(description="City name")


class Options(TypedDict):
    verbose: bool


def test_literal_and_enum() -> None:
    @tool
    def paint(color: Color, unit: Literal["cm", "in"] = "cm", priority: Priority = Priority.LOW) -> str:
        return f"{color.value}/{unit}/{priority.name}"

    schema = params(paint)
    assert schema["properties"]["unit"] == {"type": "string", "enum": ["cm", "in"], "default": "cm"}
    assert schema["properties"]["color"] == {"$ref": "#/$defs/Color"}
    assert schema["$defs"]["Color"] == {"type": "string", "enum": ["red", "green"], "title": "Color"}
    assert schema["$defs"]["Priority"]["enum"] == [1, 2]
    assert paint.execute('{"color": "green", "priority": 2}') == "green/cm/HIGH"
    check_schema_agrees(paint, {"color": "red"}, {"color": "blue"})


def test_lists_dicts_sets_and_tuples() -> None:
    @tool
    def stats(values: list[float], labels: dict[str, int], tags: set[str], pair: tuple[int, str]) -> float:
        return sum(values) + sum(labels.values()) + len(tags) + pair[0]

    props = params(stats)["properties"]
    assert props["values"] == {"type": "array", "items": {"type": "number"}}
    assert props["labels"] == {"type": "object", "additionalProperties": {"type": "integer"}}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    assert props["pair"]["prefixItems"] == [{"type": "integer"}, {"type": "string"}]
    good = {"values": [1, 2.5], "labels": {"a": 1}, "tags": ["x", "y"], "pair": [1, "z"]}
    assert stats.execute(good) == "7.5"
    check_schema_agrees(stats, good, {**good, "values": ["one"]})


def test_nested_pydantic_models_and_dataclasses_arrive_as_instances() -> None:
    seen: dict[str, Any] = {}

    @tool
    def ship(to: Address, where: Point, extra: Options | None = None) -> str:
        seen.update(to=to, where=where, extra=extra)
        return to.city

    schema = params(ship)
    assert schema["properties"]["to"] == {"$ref": "#/$defs/Address"}
    assert schema["$defs"]["Address"]["description"] == "A postal address."
    assert schema["$defs"]["Address"]["properties"]["city"]["description"] == "City name"
    assert schema["$defs"]["Point"]["required"] == ["x"]
    output = ship.execute('{"to": {"street": "1 Main St", "city": "Oslo"}, "where": {"x": 1.5}}')
    assert output == "Oslo"
    assert isinstance(seen["to"], Address) and isinstance(seen["where"], Point)
    assert seen["where"] == Point(1.5, 0.0) and seen["extra"] is None
    check_schema_agrees(
        ship,
        {"to": {"street": "s", "city": "c"}, "where": {"x": 0}},
        {"to": {"street": "s"}, "where": {"x": 0}},
    )


def test_annotated_field_descriptions_and_constraints() -> None:
    @tool
    def book(
        nights: Annotated[int, Field(ge=1, le=30, description="How many nights")],
        guest: Annotated[str, "Full name of the guest"],
        room: Annotated[str, Field(min_length=1)] = "standard",
    ) -> str:
        """Book a room.

        Args:
            nights: Ignored, the Field description wins.
            room: The room type.
        """
        return f"{guest}: {nights} x {room}"

    props = params(book)["properties"]
    assert props["nights"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 30,
        "description": "How many nights",
    }
    assert props["guest"] == {"type": "string", "description": "Full name of the guest"}
    assert props["room"] == {
        "type": "string",
        "minLength": 1,
        "default": "standard",
        "description": "The room type.",
    }
    assert book.execute('{"nights": 0, "guest": "Ada"}').startswith(
        "Error: invalid arguments: nights: input should be greater than or equal to 1"
    )
    check_schema_agrees(book, {"nights": 2, "guest": "Ada"}, {"nights": 31, "guest": "Ada"})


# --- docstrings --------------------------------------------------------------------------------------


def google(city: str, days: int = 1) -> str:
    """Forecast the weather
    for a city.

    Uses the national weather service.

    Args:
        city: The city, e.g.
            "Paris, FR".
        days (int): How many days ahead.

    Returns:
        The forecast.
    """
    return city


def numpy_style(city: str, days: int = 1) -> str:
    """Forecast the weather for a city.

    Parameters
    ----------
    city : str
        The city, e.g. "Paris, FR".
    days : int, optional
        How many days ahead.
    """
    return city


def sphinx(city: str, days: int = 1) -> str:
    """Forecast the weather for a city.

    :param city: The city, e.g. "Paris, FR".
    :param int days: How many days ahead.
    :returns: the forecast
    """
    return city


@pytest.mark.parametrize("fn", [google, numpy_style, sphinx], ids=["google", "numpy", "sphinx"])
def test_docstring_styles_give_description_and_parameter_descriptions(fn: Any) -> None:
    definition = tool(fn).definition["function"]
    assert definition["description"] == "Forecast the weather for a city."
    props = definition["parameters"]["properties"]
    assert props["city"]["description"] == 'The city, e.g. "Paris, FR".'
    assert props["days"]["description"] == "How many days ahead."


def test_only_the_first_paragraph_describes_the_tool() -> None:
    def f() -> None:
        """First paragraph.

        Second paragraph, for humans.
        """

    assert tool(f).description == "First paragraph."


def test_no_docstring_means_no_description() -> None:
    def f(x: int) -> int:
        return x

    assert "description" not in tool(f).definition["function"]
    assert "description" not in params(tool(f))["properties"]["x"]


def test_explicit_options_override_the_function() -> None:
    t = tool(name="forecast", description="Weather, briefly.")(google)
    assert (t.name, t.description) == ("forecast", "Weather, briefly.")
    assert t.definition["function"]["name"] == "forecast"
    assert t("Oslo") == "Oslo"  # still the function
    renamed = tool(t, name="forecast2")
    assert (renamed.name, renamed.description) == ("forecast2", "Weather, briefly.")


# --- strict ------------------------------------------------------------------------------------------


def test_strict_schemas_require_everything_and_close_every_object() -> None:
    @tool(strict=True)
    def ship(to: Address, note: str | None = None, count: int = 1) -> str:
        return to.city

    definition = ship.definition["function"]
    assert definition["strict"] is True
    schema = definition["parameters"]
    assert schema["required"] == ["to", "note", "count"]
    assert schema["properties"]["note"] == {
        "anyOf": [{"type": "string"}, {"type": "null"}]
    }  # null default gone
    assert schema["$defs"]["Address"]["additionalProperties"] is False
    assert schema["$defs"]["Address"]["required"] == ["street", "city"]
    assert ship.execute('{"to": {"street": "s", "city": "Oslo"}, "note": null, "count": 2}') == "Oslo"
    assert "strict" not in tool(google).definition["function"]
    assert tool(google, strict=False).definition["function"]["strict"] is False


def test_strict_inlines_a_ref_that_carries_a_description() -> None:
    @tool(strict=True)
    def ship(to: Annotated[Address, Field(description="Where it goes")]) -> str:
        return to.city

    to = params(ship)["properties"]["to"]
    assert "$ref" not in to and to["description"] == "Where it goes"
    assert to["properties"]["city"]["type"] == "string" and to["additionalProperties"] is False


# --- what cannot be a tool ----------------------------------------------------------------------------


def test_star_args_and_kwargs_are_refused_when_the_tool_is_made() -> None:
    def many(*values: int) -> int:
        return sum(values)

    def options(**kw: str) -> str:
        return ""

    with pytest.raises(
        ToolDefinitionError, match=r"tool 'many': \*values is not supported.*items: list\[str\]"
    ):
        tool(many)
    with pytest.raises(ToolDefinitionError, match=r"\*\*kw is not supported.*dict\[str, str\]"):
        tool(options)


@pytest.mark.parametrize("name", ["has space", "dots.are.out", "", "x" * 65, "ünïcode"])
def test_names_must_fit_the_wire_pattern(name: str) -> None:
    with pytest.raises(ToolDefinitionError, match="use 1 to 64 letters, digits, '_' or '-'"):
        tool(google, name=name)


def test_lambdas_need_a_name() -> None:
    with pytest.raises(ToolDefinitionError, match=r"'<lambda>' is not allowed.*@tool\(name=\.\.\.\)"):
        tool(lambda x: x)
    assert tool(lambda x: x, name="identity").execute('{"x": 5}') == "5"


@pytest.mark.parametrize("name", ["a", "get-weather_v2", "X" * 64])
def test_names_that_fit_are_kept(name: str) -> None:
    assert tool(google, name=name).name == name


def test_unresolvable_hints_are_a_clear_error() -> None:
    def f(x: NotDefinedAnywhere) -> None:  # type: ignore[name-defined]  # noqa: F821
        pass

    with pytest.raises(ToolDefinitionError, match=r"cannot resolve its type hints.*NotDefinedAnywhere"):
        tool(f)


class Opaque:
    """A type pydantic has no schema for."""


def test_types_without_a_json_schema_are_a_clear_error() -> None:
    def f(x: Opaque) -> None:
        pass

    with pytest.raises(ToolDefinitionError, match="its arguments have no JSON schema"):
        tool(f)


def test_not_a_function_is_refused() -> None:
    with pytest.raises(ToolDefinitionError, match="must be a function"):
        tool(42)  # type: ignore[call-overload]


# --- callables of every kind ---------------------------------------------------------------------------


def test_partials_methods_and_callable_objects() -> None:
    def power(base: float, exponent: int = 2) -> float:
        """Raise to a power."""
        return float(base**exponent)

    cube = tool(functools.partial(power, exponent=3), name="cube")
    assert cube.description == "Raise to a power."
    assert cube.execute('{"base": 2}') == "8.0"

    class Counter:
        def __init__(self) -> None:
            self.total = 0

        def add(self, amount: int) -> int:
            """Add to the total."""
            self.total += amount
            return self.total

        def __call__(self, word: str) -> str:
            return word.upper()

    counter = Counter()
    add = tool(counter.add)
    assert "self" not in params(add)["properties"] and add.name == "add"
    assert add.execute('{"amount": 2}') == "2" and add.execute('{"amount": 3}') == "5"
    shout = tool(counter, name="shout")
    assert shout.execute('{"word": "hi"}') == "HI"


def test_positional_only_parameters_are_passed_by_position() -> None:
    @tool
    def divide(a: float, b: float, /) -> float:
        return a / b

    assert params(divide)["required"] == ["a", "b"]
    assert divide.execute('{"a": 9, "b": 3}') == "3.0"


def test_parameter_names_pydantic_reserves_still_work() -> None:
    @tool
    def query(json: str, schema: str = "public", model_name: str = "m", _hidden: int = 0) -> str:
        return f"{json}|{schema}|{model_name}|{_hidden}"

    assert set(params(query)["properties"]) == {"json", "schema", "model_name", "_hidden"}
    assert query.execute('{"json": "{}", "schema": "s", "model_name": "gpt", "_hidden": 1}') == "{}|s|gpt|1"
    assert "json: required argument is missing" in query.execute("{}")


# --- definitions fit the wire -------------------------------------------------------------------------


def test_definitions_are_valid_wire_tools_for_runs_and_assistants() -> None:
    tools = [tool(google), tool(numpy_style, strict=True), tool(sphinx, name="sphinx-style")]
    for t in tools:
        validate_request(FunctionToolParam, t.definition)
    body = validate_request(
        CreateRunRequest, {"assistant_id": "asst_1", "tools": [t.definition for t in tools]}
    ).to_body()
    assert body["tools"] == [t.definition for t in tools]
    validate_request(CreateAssistantRequest, {"model": "m", "tools": [t.definition for t in tools]})


def test_the_definition_is_a_fresh_copy_each_time() -> None:
    t = tool(google)
    t.definition["function"]["parameters"]["properties"].clear()
    assert "city" in t.definition["function"]["parameters"]["properties"]


def test_expects_reads_like_a_signature() -> None:
    def f(
        city: str, unit: Literal["c", "f"] = "c", to: Address | None = None, tags: list[str] | None = None
    ) -> None:
        pass

    assert (
        tool(f).expects
        == 'f(city: string, unit: "c" | "f" = "c", to: Address | null = null, tags: list[string] | null = null)'
    )
    assert repr(tool(f)).startswith("PythonTool(f(city: string")
