"""``/v1/files/{file_id}`` and its ``/content``: the images code interpreter steps made."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core import Core
from ..errors import not_found
from ..web import json_response


def routes(core: Core) -> list[Route]:
    def load(file_id: str) -> tuple[str, bytes]:
        found = core.store.get_file(file_id)
        if found is None:
            raise not_found("file", file_id)
        return found

    async def retrieve(request: Request) -> Response:
        body, _ = load(request.path_params["file_id"])
        return json_response(body.encode())

    async def content(request: Request) -> Response:
        body, data = load(request.path_params["file_id"])
        name = json.loads(body).get("filename", "")
        media_type = "image/png" if name.endswith(".png") else "application/octet-stream"
        return Response(data, media_type=media_type)

    return [
        Route("/v1/files/{file_id}", retrieve, methods=["GET"]),
        Route("/v1/files/{file_id}/content", content, methods=["GET"]),
    ]
