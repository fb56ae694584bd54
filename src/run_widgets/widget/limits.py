"""The card's size limits, in one place (characters unless said otherwise)."""

from __future__ import annotations

TEXT_CAP = 4_000
"""Each text in the synced state (message, tool arguments and outputs, code, logs, raw JSON), for runs
of up to 100 steps (see ``cap_for``)."""

CAP_TIERS: tuple[tuple[int, int], ...] = ((100, TEXT_CAP), (300, 1_000))
"""(most steps, cap): runs with more steps get smaller caps, so the synced state stays under about
1 MB however long the run (a bigger checkpoint would trip Jupyter's IOPub data rate limit)."""

SMALLEST_CAP = 300
"""The cap past the last tier."""


def cap_for(steps: int) -> int:
    """The text (and JSON) cap for a run with this many steps."""
    for most, cap in CAP_TIERS:
        if steps <= most:
            return cap
    return SMALLEST_CAP


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

IMAGE_MAX_BYTES = 2_000_000
"""One image file inlined in the card (bytes of the file; its ``data:`` URL is about 4/3 of that).
Larger ones keep their file id and a note."""

IMAGES_MAX_BYTES = 4_000_000
"""All the images inlined in one card, together (file bytes). Not counted in the text caps: they are
the card's second budget, so a checkpoint stays under about 1 MB of text plus this much of images."""

IMAGE_FETCH_TIMEOUT = 20.0
"""Seconds for one request for an image file's content (retries included in ``IMAGE_FETCH_DEADLINE``)."""

IMAGE_FETCH_DEADLINE = 60.0
"""Seconds for fetching one image, retries and all; past it the image keeps its file id."""

IMAGE_SETTLE_TIMEOUT = 60.0
"""How long the end of following (and ``wait()``) waits for the images still being fetched."""
