"""Messages on a thread and their content parts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, Tag

from ._base import WireModel, to_datetime
from .common import Metadata, type_tag

MessageStatus = Literal["in_progress", "incomplete", "completed"]
MessageRole = Literal["user", "assistant"]


class FileCitation(WireModel):
    file_id: str
    quote: str | None = None


class FileCitationAnnotation(WireModel):
    type: Literal["file_citation"] = "file_citation"
    text: str
    file_citation: FileCitation
    start_index: int
    end_index: int


class FilePath(WireModel):
    file_id: str


class FilePathAnnotation(WireModel):
    type: Literal["file_path"] = "file_path"
    text: str
    file_path: FilePath
    start_index: int
    end_index: int


class UnknownAnnotation(WireModel):
    type: str


Annotation = Annotated[
    Annotated[FileCitationAnnotation, Tag("file_citation")]
    | Annotated[FilePathAnnotation, Tag("file_path")]
    | Annotated[UnknownAnnotation, Tag("unknown")],
    type_tag(frozenset({"file_citation", "file_path"})),
]


class Text(WireModel):
    value: str
    annotations: list[Annotation] = Field(default_factory=list)


class TextContentBlock(WireModel):
    type: Literal["text"] = "text"
    text: Text


class ImageFile(WireModel):
    file_id: str
    detail: Literal["auto", "low", "high"] | str | None = None


class ImageFileContentBlock(WireModel):
    type: Literal["image_file"] = "image_file"
    image_file: ImageFile


class ImageURL(WireModel):
    url: str
    detail: Literal["auto", "low", "high"] | str | None = None


class ImageURLContentBlock(WireModel):
    type: Literal["image_url"] = "image_url"
    image_url: ImageURL


class RefusalContentBlock(WireModel):
    type: Literal["refusal"] = "refusal"
    refusal: str


class UnknownContentBlock(WireModel):
    type: str


MessageContent = Annotated[
    Annotated[TextContentBlock, Tag("text")]
    | Annotated[ImageFileContentBlock, Tag("image_file")]
    | Annotated[ImageURLContentBlock, Tag("image_url")]
    | Annotated[RefusalContentBlock, Tag("refusal")]
    | Annotated[UnknownContentBlock, Tag("unknown")],
    type_tag(frozenset({"text", "image_file", "image_url", "refusal"})),
]


class AttachmentTool(WireModel):
    type: Literal["code_interpreter", "file_search"] | str


class Attachment(WireModel):
    file_id: str | None = None
    tools: list[AttachmentTool] | None = None


class MessageIncompleteDetails(WireModel):
    reason: Literal["content_filter", "max_tokens", "run_cancelled", "run_expired", "run_failed"] | str


class Message(WireModel):
    """A message on a thread (``object: "thread.message"``)."""

    id: str
    object: Literal["thread.message"] = "thread.message"
    created_at: int
    thread_id: str
    status: MessageStatus | str = "completed"
    incomplete_details: MessageIncompleteDetails | None = None
    completed_at: int | None = None
    incomplete_at: int | None = None
    role: MessageRole | str
    content: list[MessageContent] = Field(default_factory=list)
    assistant_id: str | None = None
    run_id: str | None = None
    attachments: list[Attachment] | None = None
    metadata: Metadata | None = None

    @property
    def created(self) -> datetime:
        return to_datetime(self.created_at)  # type: ignore[return-value]

    @property
    def completed(self) -> datetime | None:
        return to_datetime(self.completed_at)

    @property
    def incomplete(self) -> datetime | None:
        return to_datetime(self.incomplete_at)

    @property
    def text(self) -> str:
        """All text parts joined: what a reader sees of the message."""
        return "".join(part.text.value for part in self.content if isinstance(part, TextContentBlock))


class MessageDeleted(WireModel):
    id: str
    object: Literal["thread.message.deleted"] = "thread.message.deleted"
    deleted: bool
