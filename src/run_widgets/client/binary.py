"""``BinaryResponseContent``: a file's bytes as ``files.content(file_id)`` returns them.

Shaped like the official SDK's ``HttpxBinaryResponseContent`` (``content``, ``text``, ``json()``,
``read()``, ``iter_bytes()``, ``write_to_file()``, ``response``), so code moves over unchanged; plus
``headers`` and ``content_type``, which a caller deciding what the bytes are needs. The body is
already read when the call returns (the SDK's default too), so nothing here touches the network.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2


class BinaryResponseContent:
    """The body of a response, read, and the response it came in (for its headers)."""

    __slots__ = ("content", "response")

    def __init__(self, content: bytes, response: httpx2.Response) -> None:
        self.content = content
        self.response = response

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.content_type or 'unknown type'}, {len(self.content)} bytes>"

    @property
    def headers(self) -> httpx2.Headers:
        return self.response.headers

    @property
    def content_type(self) -> str | None:
        """The media type the server declared, lower case, without parameters (``image/png``), or None."""
        value = self.response.headers.get("content-type", "")
        media = value.split(";", 1)[0].strip().lower()
        return media or None

    @property
    def encoding(self) -> str | None:
        return self.response.charset_encoding

    @property
    def charset_encoding(self) -> str | None:
        return self.response.charset_encoding

    @property
    def text(self) -> str:
        return self.content.decode(self.response.charset_encoding or "utf-8", errors="replace")

    def json(self, **kwargs: Any) -> Any:
        return json.loads(self.content, **kwargs)

    def read(self) -> bytes:
        return self.content

    async def aread(self) -> bytes:
        return self.content

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        size = chunk_size or len(self.content) or 1
        for start in range(0, len(self.content), size):
            yield self.content[start : start + size]

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        for chunk in self.iter_bytes(chunk_size):
            yield chunk

    def write_to_file(self, file: str | os.PathLike[str]) -> None:
        """Write the bytes to ``file`` (a path)."""
        with open(file, mode="wb") as out:
            out.write(self.content)

    def close(self) -> None:
        self.response.close()

    async def aclose(self) -> None:
        await self.response.aclose()
