"""Every route of the API as a function from arguments to an ``APIRequest`` (pure: nothing is sent).

Bodies are validated here, before anything goes out: a bad argument raises
``RequestValidationError`` naming the field. Arguments the caller left out stay absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..models import (
    Assistant,
    AssistantDeleted,
    CreateAssistantRequest,
    CreateMessageRequest,
    CreateRunRequest,
    CreateThreadAndRunRequest,
    CreateThreadRequest,
    FileObject,
    ListObject,
    Message,
    MessageDeleted,
    ModifyAssistantRequest,
    ModifyMessageRequest,
    ModifyRunRequest,
    ModifyThreadRequest,
    Run,
    RunStep,
    SubmitToolOutputsRequest,
    Thread,
    ThreadDeleted,
)
from ._request import APIRequest, body, include_query, list_parser, list_query, parser, path
from ._types import NotGiven, RequestOptions

Params = Mapping[str, Any]
Include = Iterable[str] | NotGiven | None

# --- assistants ---------------------------------------------------------------------------------


def create_assistant(params: Params, options: RequestOptions) -> APIRequest[Assistant]:
    return APIRequest(
        "POST", "/assistants", parser(Assistant), body=body(CreateAssistantRequest, params), options=options
    )


def retrieve_assistant(assistant_id: str, options: RequestOptions) -> APIRequest[Assistant]:
    route = path("/assistants/{assistant_id}", assistant_id=assistant_id)
    return APIRequest("GET", route, parser(Assistant), options=options)


def list_assistants(params: Params, options: RequestOptions) -> APIRequest[ListObject[Assistant]]:
    return APIRequest("GET", "/assistants", list_parser(Assistant), query=list_query(params), options=options)


def update_assistant(assistant_id: str, params: Params, options: RequestOptions) -> APIRequest[Assistant]:
    route = path("/assistants/{assistant_id}", assistant_id=assistant_id)
    return APIRequest(
        "POST", route, parser(Assistant), body=body(ModifyAssistantRequest, params), options=options
    )


def delete_assistant(assistant_id: str, options: RequestOptions) -> APIRequest[AssistantDeleted]:
    route = path("/assistants/{assistant_id}", assistant_id=assistant_id)
    return APIRequest("DELETE", route, parser(AssistantDeleted), options=options)


# --- threads ------------------------------------------------------------------------------------


def create_thread(params: Params, options: RequestOptions) -> APIRequest[Thread]:
    return APIRequest(
        "POST", "/threads", parser(Thread), body=body(CreateThreadRequest, params), options=options
    )


def retrieve_thread(thread_id: str, options: RequestOptions) -> APIRequest[Thread]:
    return APIRequest(
        "GET", path("/threads/{thread_id}", thread_id=thread_id), parser(Thread), options=options
    )


def update_thread(thread_id: str, params: Params, options: RequestOptions) -> APIRequest[Thread]:
    route = path("/threads/{thread_id}", thread_id=thread_id)
    return APIRequest("POST", route, parser(Thread), body=body(ModifyThreadRequest, params), options=options)


def delete_thread(thread_id: str, options: RequestOptions) -> APIRequest[ThreadDeleted]:
    route = path("/threads/{thread_id}", thread_id=thread_id)
    return APIRequest("DELETE", route, parser(ThreadDeleted), options=options)


def create_thread_and_run(params: Params, options: RequestOptions) -> APIRequest[Run]:
    return APIRequest(
        "POST", "/threads/runs", parser(Run), body=body(CreateThreadAndRunRequest, params), options=options
    )


# --- messages -----------------------------------------------------------------------------------


def create_message(thread_id: str, params: Params, options: RequestOptions) -> APIRequest[Message]:
    route = path("/threads/{thread_id}/messages", thread_id=thread_id)
    return APIRequest(
        "POST", route, parser(Message), body=body(CreateMessageRequest, params), options=options
    )


def retrieve_message(thread_id: str, message_id: str, options: RequestOptions) -> APIRequest[Message]:
    route = path("/threads/{thread_id}/messages/{message_id}", thread_id=thread_id, message_id=message_id)
    return APIRequest("GET", route, parser(Message), options=options)


def list_messages(thread_id: str, params: Params, options: RequestOptions) -> APIRequest[ListObject[Message]]:
    route = path("/threads/{thread_id}/messages", thread_id=thread_id)
    return APIRequest("GET", route, list_parser(Message), query=list_query(params, "run_id"), options=options)


def update_message(
    thread_id: str, message_id: str, params: Params, options: RequestOptions
) -> APIRequest[Message]:
    route = path("/threads/{thread_id}/messages/{message_id}", thread_id=thread_id, message_id=message_id)
    return APIRequest(
        "POST", route, parser(Message), body=body(ModifyMessageRequest, params), options=options
    )


def delete_message(thread_id: str, message_id: str, options: RequestOptions) -> APIRequest[MessageDeleted]:
    route = path("/threads/{thread_id}/messages/{message_id}", thread_id=thread_id, message_id=message_id)
    return APIRequest("DELETE", route, parser(MessageDeleted), options=options)


# --- runs ---------------------------------------------------------------------------------------


def create_run(thread_id: str, params: Params, include: Include, options: RequestOptions) -> APIRequest[Run]:
    route = path("/threads/{thread_id}/runs", thread_id=thread_id)
    return APIRequest(
        "POST",
        route,
        parser(Run),
        query=include_query(include),
        body=body(CreateRunRequest, params),
        options=options,
    )


def retrieve_run(thread_id: str, run_id: str, options: RequestOptions) -> APIRequest[Run]:
    route = path("/threads/{thread_id}/runs/{run_id}", thread_id=thread_id, run_id=run_id)
    return APIRequest("GET", route, parser(Run), options=options)


def list_runs(thread_id: str, params: Params, options: RequestOptions) -> APIRequest[ListObject[Run]]:
    route = path("/threads/{thread_id}/runs", thread_id=thread_id)
    return APIRequest("GET", route, list_parser(Run), query=list_query(params), options=options)


def update_run(thread_id: str, run_id: str, params: Params, options: RequestOptions) -> APIRequest[Run]:
    route = path("/threads/{thread_id}/runs/{run_id}", thread_id=thread_id, run_id=run_id)
    return APIRequest("POST", route, parser(Run), body=body(ModifyRunRequest, params), options=options)


def cancel_run(thread_id: str, run_id: str, options: RequestOptions) -> APIRequest[Run]:
    route = path("/threads/{thread_id}/runs/{run_id}/cancel", thread_id=thread_id, run_id=run_id)
    return APIRequest("POST", route, parser(Run), options=options)


def submit_tool_outputs(
    thread_id: str, run_id: str, params: Params, options: RequestOptions
) -> APIRequest[Run]:
    route = path("/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", thread_id=thread_id, run_id=run_id)
    return APIRequest(
        "POST", route, parser(Run), body=body(SubmitToolOutputsRequest, params), options=options
    )


# --- run steps ----------------------------------------------------------------------------------


def retrieve_step(
    thread_id: str, run_id: str, step_id: str, include: Include, options: RequestOptions
) -> APIRequest[RunStep]:
    route = path(
        "/threads/{thread_id}/runs/{run_id}/steps/{step_id}",
        thread_id=thread_id,
        run_id=run_id,
        step_id=step_id,
    )
    return APIRequest("GET", route, parser(RunStep), query=include_query(include), options=options)


def list_steps(
    thread_id: str, run_id: str, params: Params, include: Include, options: RequestOptions
) -> APIRequest[ListObject[RunStep]]:
    route = path("/threads/{thread_id}/runs/{run_id}/steps", thread_id=thread_id, run_id=run_id)
    query = list_query(params) + include_query(include)
    return APIRequest("GET", route, list_parser(RunStep), query=query, options=options)


# --- files --------------------------------------------------------------------------------------


def retrieve_file(file_id: str, options: RequestOptions) -> APIRequest[FileObject]:
    return APIRequest("GET", path("/files/{file_id}", file_id=file_id), parser(FileObject), options=options)


def file_content(file_id: str, options: RequestOptions) -> APIRequest[bytes]:
    """The file's bytes (sent with ``download``, not ``request``: the body is not JSON)."""
    route = path("/files/{file_id}/content", file_id=file_id)
    return APIRequest("GET", route, bytes, options=options, headers={"Accept": "application/binary"})
