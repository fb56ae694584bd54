"""Files: what ``GET /files/{file_id}`` returns (the images a code interpreter step made, for one)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ._base import WireModel, to_datetime

FilePurpose = Literal[
    "assistants",
    "assistants_output",
    "batch",
    "batch_output",
    "fine-tune",
    "fine-tune-results",
    "vision",
    "user_data",
]
FileStatus = Literal["uploaded", "processed", "error"]


class FileObject(WireModel):
    """A file (``object: "file"``). Its bytes come from ``files.content(file_id)``.

    Only the id, the name and the creation time are required: servers differ on the rest (``bytes``,
    ``purpose``, the deprecated ``status``), and unknown purposes or statuses are kept as text.
    """

    id: str
    object: Literal["file"] = "file"
    bytes: int | None = None
    created_at: int
    filename: str
    purpose: FilePurpose | str | None = None
    status: FileStatus | str | None = None
    status_details: str | None = None
    expires_at: int | None = None

    @property
    def created(self) -> datetime:
        return to_datetime(self.created_at)  # type: ignore[return-value]
