"""A request as data (method, path, query, body, how to read the answer), and the helpers that build one.

Resources turn their arguments into an ``APIRequest``; the sync and async clients send it. Keeping
"what to send" apart from "how to send it" lets both clients share every route, and lets tests
look at a request without a network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

from ..models import ListObject, ListQuery, RequestModel, validate_request
from ._types import NO_OPTIONS, NotGiven, RequestOptions

T = TypeVar("T")
Method = Literal["GET", "POST", "DELETE"]

_OPTION_NAMES = ("extra_headers", "extra_query", "extra_body", "timeout")


@dataclass(frozen=True, slots=True)
class APIRequest(Generic[T]):
    """One call to the API. ``parse`` turns the response body into the result."""

    method: Method
    path: str
    parse: Callable[[bytes], T]
    query: tuple[tuple[str, str], ...] = ()
    body: Mapping[str, Any] | None = None
    options: RequestOptions = field(default=NO_OPTIONS)
    headers: Mapping[str, str] = field(default_factory=dict)

    def with_query(self, **values: str) -> APIRequest[T]:
        """The same request with these query parameters set (replacing earlier values)."""
        kept = tuple((key, value) for key, value in self.query if key not in values)
        return replace(self, query=kept + tuple(values.items()))


def split_arguments(
    arguments: Mapping[str, Any], *, exclude: Iterable[str] = ()
) -> tuple[dict[str, Any], RequestOptions]:
    """A method's ``locals()`` as (the arguments the caller gave, the request options).

    Arguments left at ``NOT_GIVEN`` are dropped, so they stay absent from the body; ``None`` stays
    and is sent as ``null``, as in the official SDK.
    """
    skipped = {"self", *exclude, *_OPTION_NAMES}
    given = {
        name: value
        for name, value in arguments.items()
        if name not in skipped and not isinstance(value, NotGiven)
    }
    options = RequestOptions(**{name: arguments[name] for name in _OPTION_NAMES if name in arguments})
    return given, options


def path(template: str, **ids: str) -> str:
    """``template`` with each ``{name}`` filled by its id, checked non-empty and URL-quoted."""
    for name, value in ids.items():
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string id, got {value!r}.")
    return template.format(**{name: quote(value, safe="") for name, value in ids.items()})


def body(model: type[RequestModel], params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` checked against the wire's rules (``RequestValidationError`` names a bad field), as JSON."""
    validated: RequestModel = validate_request(model, dict(params))
    return validated.to_body()


def list_query(params: Mapping[str, Any], *extra: str) -> tuple[tuple[str, str], ...]:
    """The query of a list route: ``limit``, ``order``, ``after``, ``before`` checked, plus ``extra`` names."""
    known = {key: value for key, value in params.items() if key not in extra}
    pairs = [(key, _query_value(value)) for key, value in body(ListQuery, known).items() if value is not None]
    pairs += [(key, _query_value(params[key])) for key in extra if params.get(key) is not None]
    return tuple(pairs)


def include_query(include: Iterable[str] | NotGiven | None) -> tuple[tuple[str, str], ...]:
    """``include`` in the bracket form the API expects: ``include[]=a&include[]=b``."""
    if isinstance(include, NotGiven) or include is None:
        return ()
    if isinstance(include, str):
        raise TypeError("include must be a list of strings, e.g. include=[FILE_SEARCH_CONTENT_INCLUDE].")
    return tuple(("include[]", str(value)) for value in include)


def parser(model: Any) -> Callable[[bytes], Any]:
    """How to read a response body as ``model`` (a WireModel class)."""
    return model.model_validate_json  # type: ignore[no-any-return]


def list_parser(item: Any) -> Callable[[bytes], ListObject[Any]]:
    """How to read a list envelope of ``item`` objects."""
    return ListObject[item].model_validate_json


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
