"""The base of every wire model: tolerant when reading, strict when writing.

Response objects keep fields they do not know (``extra="allow"``) so a newer server never breaks an
older client; request objects forbid them so a typo fails before anything is sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """A response-side object: unknown fields are kept and dumped back unchanged."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    def to_dict(self) -> dict[str, Any]:
        """The object as JSON-ready data, exactly the fields that were set (wire names)."""
        return self.model_dump(mode="json", exclude_unset=True, by_alias=True)

    def to_json(self) -> str:
        return self.model_dump_json(exclude_unset=True, by_alias=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls.model_validate(data)


class RequestModel(BaseModel):
    """A request body: unknown fields are an error, and every constraint is checked before sending."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, protected_namespaces=())

    def to_body(self) -> dict[str, Any]:
        """The JSON body to send: only the fields the caller gave (omitted ones stay absent), wire names."""
        return self.model_dump(mode="json", exclude_unset=True, by_alias=True)


def to_datetime(seconds: int | float | None) -> datetime | None:
    """Unix seconds (the wire's timestamps) as an aware UTC datetime, or None."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)
