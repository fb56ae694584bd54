"""Runs: create (``include[]``, ``stream``), create-thread-and-run, list, retrieve, update, cancel,
submit_tool_outputs."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ...models import TERMINAL_RUN_STATUSES, Assistant, Run
from ...models.requests import (
    CreateRunRequest,
    CreateThreadAndRunRequest,
    CreateThreadRequest,
    ModifyRunRequest,
    SubmitToolOutputsRequest,
)
from ..core import Core
from ..errors import not_found
from ..objects import new_message, new_run
from ..sse import EventStreamResponse
from ..web import include_content, json_response, list_body, list_query, read_json, validate
from .threads import create_thread


def _assistant(core: Core, assistant_id: str) -> Assistant:
    assistant = core.store.get(Assistant, assistant_id)
    if assistant is None:
        raise not_found("assistant", assistant_id, param="assistant_id")
    return assistant


def _started(core: Core, run: Run, stream: bool | None, include: bool, thread: Any = None) -> ASGIApp:
    """Hand a new run to the executor; answer with its stream, or the run as created."""
    executor = core.executor
    log = executor.start_run(run, include_content=include, thread_created=thread, defer=bool(stream))
    if stream:
        return EventStreamResponse(log, 0, include_content=include, on_start=lambda: executor.begin(run.id))
    return json_response(core.store.get_raw(Run, run.id)[1])  # type: ignore[index]


def thread_and_run_routes(core: Core) -> list[Route]:
    async def create_thread_and_run(request: Request) -> ASGIApp:
        body: Any = validate(CreateThreadAndRunRequest, await read_json(request))
        assistant = _assistant(core, body.assistant_id)
        thread_request = body.thread or CreateThreadRequest()
        if body.tool_resources is not None and thread_request.tool_resources is None:
            thread_request = thread_request.model_copy(update={"tool_resources": body.tool_resources})
        with core.store.transaction():
            thread = create_thread(core, thread_request)
            run = new_run(body, thread.id, assistant, core.ids, core.clock, core.executor.timeout)
            return _started(core, run, body.stream, False, thread=thread)

    return [Route("/v1/threads/runs", core.idempotency.wrap(create_thread_and_run), methods=["POST"])]


def routes(core: Core) -> list[Route]:
    store, executor = core.store, core.executor
    poll_after = str(core.config.poll_after_ms)

    async def create(request: Request) -> ASGIApp:
        thread_id = request.path_params["thread_id"]
        core.thread(thread_id)
        include = include_content(request)
        body: Any = validate(CreateRunRequest, await read_json(request))
        assistant = _assistant(core, body.assistant_id)
        core.check_unlocked(thread_id, adding="run")
        with store.transaction():
            for message_request in body.additional_messages or []:
                message = new_message(message_request, thread_id, core.ids, core.clock)
                store.insert(message, thread_id=thread_id)
            run = new_run(body, thread_id, assistant, core.ids, core.clock, executor.timeout)
            return _started(core, run, body.stream, include)

    async def list_(request: Request) -> Response:
        thread_id = request.path_params["thread_id"]
        core.thread(thread_id)
        page = store.page(Run, list_query(request), thread_id=thread_id)
        return json_response(list_body(page.items, page.has_more))

    async def retrieve(request: Request) -> Response:
        params = request.path_params
        raw = store.get_raw(Run, params["run_id"])
        if raw is None or raw[0].thread_id != params["thread_id"]:
            raise not_found("run", params["run_id"])
        run, data = raw
        if run.status in TERMINAL_RUN_STATUSES:
            return json_response(data)
        return json_response(data, headers={"openai-poll-after-ms": poll_after})

    async def update(request: Request) -> Response:
        run = core.run(request.path_params["thread_id"], request.path_params["run_id"])
        body: Any = validate(ModifyRunRequest, await read_json(request))
        if "metadata" in body.to_body():
            executor.update_metadata(run, body.metadata or {})
        return json_response(store.get_raw(Run, run.id)[1])  # type: ignore[index]

    async def cancel(request: Request) -> Response:
        run = core.run(request.path_params["thread_id"], request.path_params["run_id"])
        return json_response(executor.cancel(run))

    async def submit_tool_outputs(request: Request) -> ASGIApp:
        run = core.run(request.path_params["thread_id"], request.path_params["run_id"])
        body: Any = validate(SubmitToolOutputsRequest, await read_json(request))
        outputs = [(item.tool_call_id, item.output) for item in body.tool_outputs]
        start = executor.submit_tool_outputs(run, outputs, defer=bool(body.stream))
        if body.stream:
            log = executor.log(run.id)
            assert log is not None
            return EventStreamResponse(
                log,
                start,
                include_content=executor.include_content(run.id),
                on_start=lambda: executor.begin(run.id),
            )
        return json_response(store.get_raw(Run, run.id)[1])  # type: ignore[index]

    idem = core.idempotency.wrap
    base = "/v1/threads/{thread_id}/runs"
    return [
        Route(base, idem(create), methods=["POST"]),
        Route(base, list_, methods=["GET"]),
        Route(base + "/{run_id}", retrieve, methods=["GET"]),
        Route(base + "/{run_id}", idem(update), methods=["POST"]),
        Route(base + "/{run_id}/cancel", idem(cancel), methods=["POST"]),
        Route(base + "/{run_id}/submit_tool_outputs", idem(submit_tool_outputs), methods=["POST"]),
    ]
