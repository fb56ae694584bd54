"""The card's size limits, in one place (characters unless said otherwise)."""

from __future__ import annotations

TEXT_CAP = 4_000
"""A message text, a code interpreter input or its logs, in synced state."""

JSON_CAP = 4_000
"""Tool call arguments, outputs and raw JSON, in synced state."""

TITLE_CAP = 120
"""A step's one-line title."""

DETAIL_MAX_BYTES = 1_000_000
"""The ceiling of a ``detail`` answer (the full step), as JSON bytes."""

EXPORT_MAX_BYTES = 4_000_000
"""The ceiling of an ``export`` answer; beyond it the front end is told to export from Python."""

FALLBACK_MAX_CHARS = 60_000
"""The static ``text/html`` fallback of a card."""

FLUSH_INTERVAL = 0.05
"""Seconds between two patches of one card: at most 20 messages per second."""

ERROR_CAP = 300
"""A short error in an ack or a notice."""
