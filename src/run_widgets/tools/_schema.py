"""A function's signature as a pydantic model of its arguments, and that model as a tool's JSON schema.

The model validates what the assistant sends before the function runs; its JSON schema (with the
docstring's descriptions) is what the assistant sees. ``*args``/``**kwargs`` have no place in a JSON
object of named arguments, so they are refused when the tool is made.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import typing
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo
from pydantic.json_schema import PydanticJsonSchemaWarning
from pydantic_core import PydanticUndefined

from ._docstring import DocInfo


class ToolDefinitionError(TypeError, ValueError):
    """A function that cannot be a tool as it stands (the message says what to change)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    """The argument's name on the wire (the Python parameter name)."""
    field: str
    """Its field name on the arguments model (differs only where pydantic reserves the name)."""
    positional_only: bool
    always_pass: bool = False
    default: Any = inspect.Parameter.empty


@dataclass(frozen=True)
class ArgumentsSpec:
    model: type[BaseModel]
    parameters: tuple[Parameter, ...]
    schema: dict[str, Any]


_RESERVED = frozenset(dir(BaseModel))


def _field_name(name: str) -> str:
    """A field name pydantic accepts for parameter ``name`` (aliased back to ``name``)."""
    if name.startswith("_") or name.startswith("model_") or name in _RESERVED:
        return f"arg_{name.lstrip('_')}_{len(name)}"
    return name


def _plain_default(default: Any) -> Any:
    if isinstance(default, FieldInfo):
        return default.default if default.default is not PydanticUndefined else inspect.Parameter.empty
    return default


def _type_hints(fn: Any, qualname: str, namespace: Mapping[str, Any] | None) -> dict[str, Any]:
    target = fn.func if isinstance(fn, functools.partial) else fn
    if not (inspect.isfunction(target) or inspect.ismethod(target)) and callable(target):
        target = type(target).__call__  # an object with __call__
    try:
        try:
            return typing.get_type_hints(target, include_extras=True)
        except NameError:
            if not namespace:
                raise
            # A class defined in the function that made the tool, named in a string annotation.
            return typing.get_type_hints(target, localns=dict(namespace), include_extras=True)
    except Exception as exc:  # NameError for a forward reference, TypeError for odd annotations
        raise ToolDefinitionError(
            f"tool {qualname!r}: cannot resolve its type hints ({type(exc).__name__}: {exc}); "
            "make every annotation importable where the function is defined"
        ) from None


def _described(annotation: Any, description: str | None) -> Any:
    """The annotation, carrying the docstring's description unless ``Annotated`` already gives one."""
    if typing.get_origin(annotation) is Annotated:
        extras = typing.get_args(annotation)[1:]
        if any(isinstance(e, FieldInfo) and e.description for e in extras):
            return annotation
        text = next((e for e in extras if isinstance(e, str)), None)  # Annotated[str, "what it is"]
        description = text or description
    if description is None:
        return annotation
    return Annotated[annotation, Field(description=description)]


def arguments_spec(
    fn: Any, tool_name: str, doc: DocInfo, namespace: Mapping[str, Any] | None = None
) -> ArgumentsSpec:
    """Model and schema of ``fn``'s arguments; raises ``ToolDefinitionError`` for what JSON cannot carry."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise ToolDefinitionError(f"tool {tool_name!r}: cannot read its signature ({exc})") from None
    hints = _type_hints(fn, tool_name, namespace)
    fields: dict[str, Any] = {}
    parameters: list[Parameter] = []
    for param in signature.parameters.values():
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            raise ToolDefinitionError(
                f"tool {tool_name!r}: *{param.name} is not supported; a tool's arguments are a JSON "
                "object of named values, so give each argument a name (or take a list: items: list[str])"
            )
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            raise ToolDefinitionError(
                f"tool {tool_name!r}: **{param.name} is not supported; name each argument, or take "
                "one dict argument (options: dict[str, str])"
            )
        annotation = hints.get(param.name, Any)
        annotation = _described(annotation, doc.params.get(param.name))
        default = ... if param.default is inspect.Parameter.empty else param.default
        name = _field_name(param.name)
        fields[name] = (annotation, Field(default, alias=param.name) if name != param.name else default)
        parameters.append(
            Parameter(
                name=param.name,
                field=name,
                # ``x: int = Field(3, ...)`` (as with pydantic's validate_call): the function's own
                # default is the FieldInfo, so the validated value must always be passed.
                positional_only=param.kind is inspect.Parameter.POSITIONAL_ONLY,
                always_pass=isinstance(param.default, FieldInfo),
                default=_plain_default(param.default),
            )
        )
    try:
        model = create_model(
            f"{tool_name}_arguments",
            __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=False),
            **fields,
        )
        with warnings.catch_warnings():  # a default that is not JSON is left out of the schema: fine
            warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
            schema = model.model_json_schema()
    except Exception as exc:  # pydantic cannot make a schema for some annotation
        raise ToolDefinitionError(
            f"tool {tool_name!r}: its arguments have no JSON schema ({exc}); use JSON-friendly types "
            "(str, int, float, bool, Literal, Enum, list, dict, pydantic models, dataclasses)"
        ) from None
    return ArgumentsSpec(model=model, parameters=tuple(parameters), schema=_tidy(schema))


def _tidy(schema: dict[str, Any]) -> dict[str, Any]:
    """The top-level schema with ``type`` first and pydantic's generated titles dropped (pure noise)."""
    properties = {
        name: {k: v for k, v in prop.items() if k != "title"} for name, prop in schema["properties"].items()
    }
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if schema.get("required"):
        out["required"] = schema["required"]
    out["additionalProperties"] = False
    if "$defs" in schema:
        out["$defs"] = schema["$defs"]
    return out


# --- strict mode --------------------------------------------------------------------------------------


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as strict function calling requires it (Structured Outputs' subset of JSON Schema).

    Every object closes (``additionalProperties: false``) and lists all its properties as required
    (optional ones stay nullable), ``null`` defaults go, and a ``$ref`` with siblings is inlined.
    """
    root = copy.deepcopy(schema)
    strict: dict[str, Any] = _strict(root, root)
    return strict


def _strict(node: Any, root: dict[str, Any]) -> Any:
    if not isinstance(node, dict):
        return node
    for defs_key in ("$defs", "definitions"):
        if isinstance(node.get(defs_key), dict):
            for name, sub in node[defs_key].items():
                node[defs_key][name] = _strict(sub, root)
    if node.get("type") == "object" and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if isinstance(node.get("properties"), dict):
        node["required"] = list(node["properties"])
        node["properties"] = {k: _strict(v, root) for k, v in node["properties"].items()}
    if isinstance(node.get("items"), dict):
        node["items"] = _strict(node["items"], root)
    if isinstance(node.get("anyOf"), list):
        node["anyOf"] = [_strict(v, root) for v in node["anyOf"]]
    if isinstance(node.get("allOf"), list):
        if len(node["allOf"]) == 1:
            node.update(_strict(node.pop("allOf")[0], root))
        else:
            node["allOf"] = [_strict(v, root) for v in node["allOf"]]
    if "default" in node and node["default"] is None:
        del node["default"]
    ref = node.get("$ref")
    if isinstance(ref, str) and len(node) > 1:
        target: Any = root
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        merged = {**copy.deepcopy(target), **{k: v for k, v in node.items() if k != "$ref"}}
        return _strict(merged, root)
    return node


# --- a short, readable statement of what a tool expects ---------------------------------------------


def _type_text(schema: Any) -> str:
    if not isinstance(schema, dict) or not schema:
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_type_text(v) for v in schema[key])
    kind = schema.get("type")
    if kind == "array":
        return f"list[{_type_text(schema.get('items'))}]" if schema.get("items") else "list"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"dict[string, {_type_text(schema['additionalProperties'])}]"
    if isinstance(kind, list):
        return " | ".join(kind)
    return str(kind or "any")


def expects(tool_name: str, spec: ArgumentsSpec) -> str:
    """``get_weather(city: string, unit: "c" | "f" = "c")``: the arguments as the assistant must send them."""
    parts = []
    for param in spec.parameters:
        text = f"{param.name}: {_type_text(spec.schema['properties'].get(param.name))}"
        if param.default is not inspect.Parameter.empty:
            text += f" = {json.dumps(param.default, default=str)}"
        parts.append(text)
    return f"{tool_name}({', '.join(parts)})"
