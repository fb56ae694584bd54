"""``/v1/assistants``: create, list, retrieve, update, delete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...models import Assistant
from ...models.requests import CreateAssistantRequest, ModifyAssistantRequest
from ..core import Core
from ..errors import not_found
from ..eventlog import encode_json
from ..objects import new_assistant, updated_assistant
from ..web import json_response, list_body, list_query, read_json, validate


def routes(core: Core) -> list[Route]:
    store = core.store

    def load(assistant_id: str) -> Assistant:
        assistant = store.get(Assistant, assistant_id)
        if assistant is None:
            raise not_found("assistant", assistant_id)
        return assistant

    async def create(request: Request) -> Response:
        body: Any = validate(CreateAssistantRequest, await read_json(request))
        assistant = new_assistant(body, core.ids, core.clock)
        store.insert(assistant)
        return json_response(store.get_raw(Assistant, assistant.id)[1])  # type: ignore[index]

    async def list_(request: Request) -> Response:
        page = store.page(Assistant, list_query(request))
        return json_response(list_body(page.items, page.has_more))

    async def retrieve(request: Request) -> Response:
        assistant_id = request.path_params["assistant_id"]
        raw = store.get_raw(Assistant, assistant_id)
        if raw is None:
            raise not_found("assistant", assistant_id)
        return json_response(raw[1])

    async def update(request: Request) -> Response:
        assistant = load(request.path_params["assistant_id"])
        body: Any = validate(ModifyAssistantRequest, await read_json(request))
        changed = updated_assistant(assistant, body, core.ids)
        store.save(changed)
        return json_response(store.get_raw(Assistant, changed.id)[1])  # type: ignore[index]

    async def delete(request: Request) -> Response:
        assistant_id = request.path_params["assistant_id"]
        if not store.delete(Assistant, assistant_id):
            raise not_found("assistant", assistant_id)
        return json_response(
            encode_json({"id": assistant_id, "object": "assistant.deleted", "deleted": True})
        )

    idem = core.idempotency.wrap
    return [
        Route("/v1/assistants", idem(create), methods=["POST"]),
        Route("/v1/assistants", list_, methods=["GET"]),
        Route("/v1/assistants/{assistant_id}", retrieve, methods=["GET"]),
        Route("/v1/assistants/{assistant_id}", idem(update), methods=["POST"]),
        Route("/v1/assistants/{assistant_id}", delete, methods=["DELETE"]),
    ]
