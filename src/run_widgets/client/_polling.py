"""How long to wait between polls of a run, and when to stop."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..models import PAUSED_RUN_STATUSES
from ._settings import DEFAULT_POLL_INTERVAL_MS
from ._types import NotGiven

STOP_STATUSES: Final = PAUSED_RUN_STATUSES
"""The official SDK's ``poll()`` stops here: every terminal status, and ``requires_action``."""


def poll_delay_ms(headers: Mapping[str, str], given: int | NotGiven) -> int:
    """The caller's interval if given, else the server's ``openai-poll-after-ms``, else 1000 ms.

    Read on every poll (the SDK reads the header only once), so a server can slow clients down or
    speed them up as a run goes on.
    """
    if not isinstance(given, NotGiven):
        return given
    value = headers.get("openai-poll-after-ms")
    if value is not None:
        try:
            milliseconds = int(value)
        except ValueError:
            return DEFAULT_POLL_INTERVAL_MS
        if milliseconds >= 0:
            return milliseconds
    return DEFAULT_POLL_INTERVAL_MS
