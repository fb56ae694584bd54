"""The list envelope and deleted-object acknowledgements."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import Field

from ._base import WireModel

T = TypeVar("T")


class ListObject(WireModel, Generic[T]):
    """``{"object": "list", "data": [...], "first_id", "last_id", "has_more"}``."""

    object: Literal["list"] = "list"
    data: list[T] = Field(default_factory=list)
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False
