"""The images a run made (code interpreter outputs, message ``image_file`` parts), shown in the card.

A card with a client fetches each image file once, on the private loop (never on the kernel's thread),
and puts it in its views as a ``data:`` URL, so the next patch or checkpoint carries it and a saved
notebook keeps it. Only raster formats a browser shows safely are inlined, PNG, JPEG, GIF and WebP,
recognised by their first bytes, whatever the server declared; never SVG (it can hold script), nor
anything declared as another type. One image may have ``limits.IMAGE_MAX_BYTES``, a card
``limits.IMAGES_MAX_BYTES`` in all. An image that is not inlined keeps its file id, with a short note
saying why; a failure never stops the card following its run.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
from dataclasses import dataclass
from typing import Any

from . import limits
from .backend import error_text
from .follow import CardRef

INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
"""What a card inlines. The bytes decide (``sniff``); a declared type must be one of these or untyped."""

_UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/binary"})


def sniff(content: bytes) -> str | None:
    """The image type of ``content`` from its signature, if it is one the card inlines."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _size(size: int) -> str:
    if size < 1_000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1_000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def inline_fields(content: bytes, declared: str | None) -> dict[str, str]:
    """The view fields for a fetched file: ``{"data_url"}``, or ``{"note"}`` saying why it is not shown."""
    media = (declared or "").split(";", 1)[0].strip().lower()
    if media not in INLINE_TYPES and media not in _UNTYPED:
        return {"note": f"not shown: {media[:60]} is not an image the card shows"}
    kind = sniff(content)
    if kind is None:
        return {"note": "not shown: not a PNG, JPEG, GIF or WebP image"}
    return {"data_url": f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"}


def too_large_fields(max_bytes: int) -> dict[str, str]:
    """The note for a file past ``max_bytes``: the per-image cap, or what is left of the card's budget."""
    if max_bytes < limits.IMAGE_MAX_BYTES:
        return {"note": f"not shown: the card's images would pass {_size(limits.IMAGES_MAX_BYTES)}"}
    return {"note": f"not shown: larger than {_size(max_bytes)}"}


class ImageTable:
    """One card's images: which steps show which file, what was learnt of each, what is still wanted.

    Pure bookkeeping, guarded by the card's lock. ``fields`` feeds the views; resolving a file marks
    the steps that show it, so the next refresh rebuilds (and sends) them.
    """

    def __init__(self, budget: int | None = None) -> None:
        self.fields: dict[str, dict[str, str]] = {}
        self.budget = limits.IMAGES_MAX_BYTES if budget is None else budget
        self.fetching = False
        self.worker: concurrent.futures.Future[None] | None = None
        self._steps: dict[str, set[str]] = {}
        self._wanted: dict[str, None] = {}  # in the order they were seen
        self._asked: set[str] = set()
        self._dirty: set[str] = set()

    def note_step(self, step_id: str, file_ids: list[str]) -> None:
        """``step_id`` shows these files; any never seen before is wanted."""
        for file_id in file_ids:
            self._steps.setdefault(file_id, set()).add(step_id)
            if file_id not in self._asked:
                self._wanted[file_id] = None

    @property
    def wanted(self) -> bool:
        return bool(self._wanted)

    def next_wanted(self) -> str | None:
        for file_id in self._wanted:
            del self._wanted[file_id]
            self._asked.add(file_id)
            return file_id
        return None

    def resolve(self, file_id: str, fields: dict[str, str], used: int) -> None:
        self.fields[file_id] = fields
        self.budget -= used
        self._dirty |= self._steps.get(file_id, set())

    def take_dirty(self) -> set[str]:
        dirty, self._dirty = self._dirty, set()
        return dirty


@dataclass(frozen=True, slots=True)
class ImageJob:
    """One file to fetch, and what fetching it needs (taken from the card under its lock)."""

    file_id: str
    backend: Any
    max_bytes: int


async def fetch(job: ImageJob) -> tuple[dict[str, str], int]:
    """(The view fields for ``job``'s file, the bytes inlined). Never raises: a failure becomes a note."""
    if job.max_bytes <= 0:
        return too_large_fields(0), 0
    try:
        async with asyncio.timeout(limits.IMAGE_FETCH_DEADLINE):
            content, declared = await job.backend.file_content(job.file_id, job.max_bytes)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if getattr(exc, "max_bytes", None) is not None:  # the client's ContentTooLargeError
            return too_large_fields(job.max_bytes), 0
        if isinstance(exc, TimeoutError):
            return {"note": "could not be loaded: the server took too long"}, 0
        return {"note": f"could not be loaded: {error_text(exc, job.backend.secrets())[:160]}"}, 0
    if len(content) > job.max_bytes:  # a backend that does not honour max_bytes
        return too_large_fields(job.max_bytes), 0
    fields = inline_fields(content, declared)
    return fields, len(content) if "data_url" in fields else 0


async def fetch_pending(ref: CardRef) -> None:
    """The card's image worker: fetch its wanted files one at a time until none is left."""
    finished = False
    try:
        while True:
            card = ref()
            if card is None:
                return
            job = card._next_image_job()  # None also marks the worker stopped, under the card's lock
            del card
            if job is None:
                finished = True
                return
            fields, used = await fetch(job)
            card = ref()
            if card is None:
                return
            card._image_fetched(job.file_id, fields, used)
            del card
    finally:
        card = ref() if not finished else None
        if card is not None:  # cancelled (the loop shut down) or broken: let a later flush start anew
            card._image_worker_stopped()


async def settle(ref: CardRef) -> None:
    """Every image the run shows so far fetched (or given up on), for the checkpoint that follows."""
    card = ref()
    if card is None:
        return
    worker = card._start_images(scan=True)
    del card
    if worker is not None:
        await asyncio.wait([asyncio.shield(asyncio.wrap_future(worker))], timeout=limits.IMAGE_SETTLE_TIMEOUT)
