"""Small shared types: the "not given" sentinel and the per-call request options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

import httpx2


class NotGiven:
    """An argument the caller left out: it stays absent from the request (``None`` sends ``null``)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Headers: TypeAlias = Mapping[str, str]
Query: TypeAlias = Mapping[str, Any]
Body: TypeAlias = Mapping[str, Any]
Timeout: TypeAlias = float | httpx2.Timeout | None


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """What every method takes besides its own arguments, as in the official SDK."""

    extra_headers: Headers | None = None
    extra_query: Query | None = None
    extra_body: Body | None = None
    timeout: Timeout | NotGiven = NOT_GIVEN


NO_OPTIONS: Final = RequestOptions()
