"""``/v1/threads/{thread_id}/messages``: create, list (with ``run_id``), retrieve, update, delete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...models import Message
from ...models.requests import CreateMessageRequest, ModifyMessageRequest
from ..core import Core
from ..errors import BadRequest, not_found
from ..eventlog import encode_json
from ..objects import new_message
from ..web import json_response, list_body, list_query, read_json, validate


def routes(core: Core) -> list[Route]:
    store = core.store

    def load(request: Request) -> Message:
        thread_id, message_id = request.path_params["thread_id"], request.path_params["message_id"]
        message = store.get(Message, message_id)
        if message is None or message.thread_id != thread_id:
            core.thread(thread_id)
            raise not_found("message", message_id)
        return message

    async def create(request: Request) -> Response:
        thread_id = request.path_params["thread_id"]
        core.thread(thread_id)
        body: Any = validate(CreateMessageRequest, await read_json(request))
        core.check_unlocked(thread_id, adding="message")
        message = new_message(body, thread_id, core.ids, core.clock)
        store.insert(message, thread_id=thread_id)
        return json_response(store.get_raw(Message, message.id)[1])  # type: ignore[index]

    async def list_(request: Request) -> Response:
        thread_id = request.path_params["thread_id"]
        core.thread(thread_id)
        query = list_query(request)
        where = {"thread_id": thread_id}
        run_id = request.query_params.get("run_id")
        if run_id:
            where["run_id"] = run_id
        page = store.page(Message, query, **where)
        return json_response(list_body(page.items, page.has_more))

    async def retrieve(request: Request) -> Response:
        message = load(request)
        return json_response(store.get_raw(Message, message.id)[1])  # type: ignore[index]

    async def update(request: Request) -> Response:
        message = load(request)
        body: Any = validate(ModifyMessageRequest, await read_json(request))
        if "metadata" in body.to_body():
            message.metadata = body.metadata or {}
        if message.status == "in_progress":
            store.touch(message)  # the executor writes it when the message completes
        else:
            store.save(message)
        return json_response(store.get_raw(Message, message.id)[1])  # type: ignore[index]

    async def delete(request: Request) -> Response:
        message = load(request)
        if message.run_id is not None and message.run_id == core.executor.active_run(message.thread_id):
            raise BadRequest(
                f"Message {message.id} belongs to run {message.run_id}, which is still active; "
                "delete it once the run has finished.",
                code="thread_locked",
            )
        store.delete(Message, message.id)
        return json_response(
            encode_json({"id": message.id, "object": "thread.message.deleted", "deleted": True})
        )

    idem = core.idempotency.wrap
    return [
        Route("/v1/threads/{thread_id}/messages", idem(create), methods=["POST"]),
        Route("/v1/threads/{thread_id}/messages", list_, methods=["GET"]),
        Route("/v1/threads/{thread_id}/messages/{message_id}", retrieve, methods=["GET"]),
        Route("/v1/threads/{thread_id}/messages/{message_id}", idem(update), methods=["POST"]),
        Route("/v1/threads/{thread_id}/messages/{message_id}", delete, methods=["DELETE"]),
    ]
