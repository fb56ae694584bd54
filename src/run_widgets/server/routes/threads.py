"""``/v1/threads``: create (with messages), retrieve, update, delete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...models import Thread
from ...models.requests import CreateThreadRequest, ModifyThreadRequest
from ..core import Core
from ..errors import not_found
from ..eventlog import encode_json
from ..objects import new_message, new_thread, tool_resources
from ..web import json_response, read_json, validate


def create_thread(core: Core, request: CreateThreadRequest) -> Thread:
    """Store a new thread and its initial messages, in one transaction."""
    thread = new_thread(request, core.ids, core.clock)
    with core.store.transaction():
        core.store.insert(thread)
        for message_request in request.messages or []:
            message = new_message(message_request, thread.id, core.ids, core.clock)
            core.store.insert(message, thread_id=thread.id)
    return thread


def routes(core: Core) -> list[Route]:
    store = core.store

    async def create(request: Request) -> Response:
        body: Any = validate(CreateThreadRequest, await read_json(request))
        thread = create_thread(core, body)
        return json_response(store.get_raw(Thread, thread.id)[1])  # type: ignore[index]

    async def retrieve(request: Request) -> Response:
        thread_id = request.path_params["thread_id"]
        raw = store.get_raw(Thread, thread_id)
        if raw is None:
            raise not_found("thread", thread_id)
        return json_response(raw[1])

    async def update(request: Request) -> Response:
        thread = core.thread(request.path_params["thread_id"])
        body: Any = validate(ModifyThreadRequest, await read_json(request))
        given = body.to_body()
        if "metadata" in given:
            thread.metadata = body.metadata or {}
        if "tool_resources" in given:
            resources = tool_resources(body.tool_resources, core.ids) or {}
            thread.tool_resources = Thread.model_validate(
                {"id": thread.id, "created_at": thread.created_at, "tool_resources": resources}
            ).tool_resources
        store.save(thread)
        return json_response(store.get_raw(Thread, thread.id)[1])  # type: ignore[index]

    async def delete(request: Request) -> Response:
        thread_id = request.path_params["thread_id"]
        core.thread(thread_id)
        core.executor.forget_thread(thread_id)
        store.delete_thread(thread_id)
        return json_response(encode_json({"id": thread_id, "object": "thread.deleted", "deleted": True}))

    idem = core.idempotency.wrap
    return [
        Route("/v1/threads", idem(create), methods=["POST"]),
        Route("/v1/threads/{thread_id}", retrieve, methods=["GET"]),
        Route("/v1/threads/{thread_id}", idem(update), methods=["POST"]),
        Route("/v1/threads/{thread_id}", delete, methods=["DELETE"]),
    ]
