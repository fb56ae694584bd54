"""``/v1/threads/{thread_id}/runs/{run_id}/steps``: list and retrieve, with ``include[]``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...models import RunStep
from ..core import Core
from ..errors import not_found
from ..objects import strip_file_search_content
from ..web import include_content, json_response, list_body, list_query


def _visible(raw: bytes, include: bool) -> bytes:
    """A step's JSON as this request may see it: file search contents only when asked for."""
    if include or b'"file_search"' not in raw:
        return raw
    return strip_file_search_content(RunStep.model_validate_json(raw)) or raw


def routes(core: Core) -> list[Route]:
    store = core.store

    async def list_(request: Request) -> Response:
        params = request.path_params
        core.run(params["thread_id"], params["run_id"])
        include = include_content(request)
        page = store.page(RunStep, list_query(request), run_id=params["run_id"])
        items = [(step_id, _visible(raw, include)) for step_id, raw in page.items]
        return json_response(list_body(items, page.has_more))

    async def retrieve(request: Request) -> Response:
        params = request.path_params
        include = include_content(request)
        raw = store.get_raw(RunStep, params["step_id"])
        if raw is None or raw[0].run_id != params["run_id"] or raw[0].thread_id != params["thread_id"]:
            core.run(params["thread_id"], params["run_id"])
            raise not_found("run step", params["step_id"])
        return json_response(_visible(raw[1], include))

    base = "/v1/threads/{thread_id}/runs/{run_id}/steps"
    return [
        Route(base, list_, methods=["GET"]),
        Route(base + "/{step_id}", retrieve, methods=["GET"]),
    ]
