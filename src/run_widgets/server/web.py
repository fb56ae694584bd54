"""Small helpers shared by the routes: JSON bodies in and out, list queries, ``include[]``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from ..models import FILE_SEARCH_CONTENT_INCLUDE, RequestModel
from ..models.requests import ListQuery, RequestValidationError, validate_request
from .errors import BadRequest
from .unicode_text import is_unicode

MAX_JSON_DEPTH = 64
_LIST_PARAMS = ("limit", "order", "after", "before")


def json_response(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def list_body(page_items: Iterable[tuple[str, bytes]], has_more: bool) -> bytes:
    """The list envelope around already-serialized objects."""
    items = list(page_items)
    first = json.dumps(items[0][0]).encode() if items else b"null"
    last = json.dumps(items[-1][0]).encode() if items else b"null"
    return (
        b'{"object":"list","data":['
        + b",".join(raw for _, raw in items)
        + b'],"first_id":'
        + first
        + b',"last_id":'
        + last
        + b',"has_more":'
        + (b"true" if has_more else b"false")
        + b"}"
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


async def read_json(request: Request) -> dict[str, Any]:
    """The request body as a JSON object (an empty body reads as ``{}``)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "it is not UTF-8 JSON text"
        raise BadRequest(
            f"We could not parse the JSON body of your request ({detail}). Send a JSON object, "
            "with the header 'Content-Type: application/json'.",
            code="invalid_json",
        ) from None
    if not isinstance(data, dict):
        raise BadRequest(
            'The request body must be a JSON object, like {"key": "value"}.', code="invalid_json"
        )
    _check_structure(data)
    return data


def _check_structure(data: Any) -> None:
    """Refuse bodies nested too deep, and text that is not Unicode.

    ``json.loads`` turns an unpaired surrogate escape (``"\\ud800"``) into a string that cannot be
    encoded as UTF-8, so SQLite and the JSON encoder would fail on it later (a 500, or a run that
    cannot be saved): such text is refused here, before anything else sees it.
    """
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadRequest(
                f"The request body nests deeper than {MAX_JSON_DEPTH} levels; flatten it.",
                code="invalid_json",
            )
        if isinstance(value, str):
            if not is_unicode(value):
                raise _not_unicode(data)
        elif isinstance(value, dict):
            for key, item in value.items():
                if not is_unicode(key):
                    raise _not_unicode(data)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _not_unicode(data: Any) -> BadRequest:
    path, text = _find_bad_text(data, "") or ("", "")
    bad = next((char for char in text if not is_unicode(char)), "\ud800")
    where = f" in '{path}'" if path else ""
    return BadRequest(
        f"The JSON body holds an unpaired surrogate escape ({json.dumps(bad)}){where}, which is not "
        "valid Unicode text. Send text as UTF-8; a \\uD800-\\uDFFF escape must be one half of a pair.",
        param=path or None,
        code="invalid_json",
    )


def _find_bad_text(value: Any, path: str) -> tuple[str, str] | None:
    """The path (``messages[0].content``) and text of the first string or key that is not Unicode."""
    if isinstance(value, str):
        return None if is_unicode(value) else (path, value)
    if isinstance(value, dict):
        for key, item in value.items():
            if not is_unicode(key):
                return path, key
            found = _find_bad_text(item, f"{path}.{key}" if path else key)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_bad_text(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def validate(model: type[RequestModel], data: Any) -> Any:
    """Validate a JSON body as ``model``, strictly (``"yes"`` is not a boolean, ``"5"`` not a number).

    A bad body is a 400 naming the field (``param``), worded by the shared request models.
    """
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        error = RequestValidationError.from_pydantic(exc, data)
        raise BadRequest(error.message, param=error.param, code="invalid_value") from None


def list_query(request: Request) -> ListQuery:
    """``limit``, ``order``, ``after`` and ``before`` from the query string, checked."""
    params = request.query_params
    data = {name: params[name] for name in _LIST_PARAMS if name in params}
    try:
        query: ListQuery = validate_request(ListQuery, data)
        return query
    except RequestValidationError as exc:
        hint = {
            "limit": "an integer from 1 to 100",
            "order": "'asc' or 'desc'",
        }.get(exc.param or "", "a valid value")
        raise BadRequest(
            f"Invalid '{exc.param}': expected {hint}.", param=exc.param, code="invalid_value"
        ) from None


def include_content(request: Request) -> bool:
    """Whether ``include[]`` asks for file search result contents."""
    values = request.query_params.getlist("include[]") + request.query_params.getlist("include")
    for value in values:
        if value != FILE_SEARCH_CONTENT_INCLUDE:
            raise BadRequest(
                f"Invalid 'include[]': {value!r} is not supported; the only value is "
                f"'{FILE_SEARCH_CONTENT_INCLUDE}'.",
                param="include[]",
                code="invalid_value",
            )
    return bool(values)
