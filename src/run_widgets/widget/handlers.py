"""The card's actions, run on the private loop: answers to front-end requests, and the same actions
called from Python (``card.submit_tool_outputs``, ``card.cancel``) or triggered by ``auto_tools``.

Every request gets exactly one ack. Failures become one short line (the server's message when there
is one), never a traceback, never a key.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..models import CANCELLABLE_RUN_STATUSES, Run
from . import follow, limits, runtime
from .backend import error_text
from .requests import (
    BadRequest,
    Cancel,
    Detail,
    Export,
    Request,
    Resync,
    RunTools,
    SubmitToolOutputs,
    parse_request,
)

if TYPE_CHECKING:
    from .card import RunCard


# Cards whose Python tools are running, and which tools: no submission (from the form, from Python,
# or a second "Run") may start until they finish, or the outputs would race each other to the server.
# Only touched on the card loop, so no lock.
_tools_running: weakref.WeakKeyDictionary[RunCard, str] = weakref.WeakKeyDictionary()


class RequestFailed(Exception):
    """An action that could not be done; ``message`` is what the user reads, ``fields`` go in the ack."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


def _ack(req_id: str, ok: bool, error: str | None = None, **fields: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "ack", "req_id": req_id, "ok": ok}
    if error is not None:
        message["error"] = error
    message.update(fields)
    return message


def receive(card: RunCard, content: Any) -> concurrent.futures.Future[None]:
    """On the kernel's main thread: validate the request, hand the work to the loop, return at once."""
    try:
        request = parse_request(content)
    except BadRequest as exc:
        return runtime.submit(_refuse(card, exc))
    return runtime.submit(handle(card, request))


async def _refuse(card: RunCard, exc: BadRequest) -> None:
    if exc.req_id is not None:  # without a usable req_id there is no one to answer
        card._send_msg(_ack(exc.req_id, False, exc.message))


async def handle(card: RunCard, request: Request) -> None:
    """Run one request and acknowledge it, exactly once."""
    try:
        fields = await _dispatch(card, request)
    except RequestFailed as exc:
        card._send_msg(_ack(request.req_id, False, exc.message, **exc.fields))
    except asyncio.CancelledError:
        card._send_msg(_ack(request.req_id, False, "Cancelled: the kernel is shutting the card down."))
        raise
    except Exception as exc:
        secrets = card._backend.secrets() if card._backend is not None else []
        card._send_msg(_ack(request.req_id, False, error_text(exc, secrets)))
    else:
        card._send_msg(_ack(request.req_id, True, **fields))


async def _dispatch(card: RunCard, request: Request) -> dict[str, Any]:
    if isinstance(request, SubmitToolOutputs):
        await submit(card, [output.model_dump() for output in request.outputs])
        return {}
    if isinstance(request, RunTools):
        return await run_tools(card, request.tool_call_ids, submit_too=request.submit, drafts=request.drafts)
    if isinstance(request, Cancel):
        await cancel(card)
        return {}
    if isinstance(request, Detail):
        with card._lock:
            view = card._views.detail(request.step_id)
        if view is None:
            raise RequestFailed(f"There is no step {request.step_id!r} in this run.")
        return {"step": view}
    if isinstance(request, Export):
        with card._lock:
            text = card._views.export(request.step_id)
        if text is None:
            raise RequestFailed(f"There is no step {request.step_id!r} in this run.")
        if len(text.encode()) > limits.EXPORT_MAX_BYTES:
            raise RequestFailed("The run is too large to export from here; use card.to_json() in Python.")
        return {"json": text}
    if isinstance(request, Resync):
        _send_snapshot(card)
        return {}
    raise RequestFailed(f"unsupported request {type(request).__name__}")  # pragma: no cover


def _send_snapshot(card: RunCard) -> None:
    with card._lock:
        views = card._views
        views.checkpoint()
        card._send_msg(
            {
                "type": "snapshot",
                "seq": views.seq,
                "run": views.run_view,
                "steps": views.step_views,
                "following": card._drive_task is not None or card._external_following,
                "notice": card._notice,
            }
        )


def _waiting_run(card: RunCard) -> Run:
    run = card.current_run
    if run is None:
        raise RequestFailed("This card has no run yet.")
    if run.status != "requires_action":
        raise RequestFailed(f"The run is {run.status}; it is not waiting for tool outputs.")
    return run


async def open_submission(card: RunCard, outputs: Sequence[dict[str, str]]) -> follow.EnteredStream:
    """Submit outputs with streaming; returns the accepted stream (the rest of the run) to follow."""
    backend = card._require_backend()
    run = _waiting_run(card)
    pending = {call.id for call in run.pending_tool_calls}
    unknown = [output["tool_call_id"] for output in outputs if output["tool_call_id"] not in pending]
    if unknown:
        raise RequestFailed(f"The run is not waiting for an output for {', '.join(unknown)}.")
    _refuse_while_tools_run(card)
    if card._submitting:
        raise RequestFailed("A submission is already in flight; wait for its answer.")
    card._submitting = True
    try:
        manager = backend.submit_tool_outputs_stream(run.thread_id, run.id, list(outputs))
        stream = await manager.__aenter__()
    except RequestFailed:
        raise
    except Exception as exc:
        raise RequestFailed(error_text(exc, backend.secrets())) from None
    finally:
        card._submitting = False
    card._clear_notice()
    return follow.EnteredStream(manager, stream)


async def submit(card: RunCard, outputs: Sequence[dict[str, str]]) -> None:
    """Submit outputs; once the server accepted them, the card follows the run on."""
    source = await open_submission(card, outputs)
    ref = weakref.ref(card)
    card._last_source = "stream"
    card._start_drive(lambda: follow.consume(ref, source))


def _refuse_while_tools_run(card: RunCard) -> None:
    names = _tools_running.get(card)
    if names is not None:
        raise RequestFailed(f"Python tools are still running ({names}); wait for them to finish.")


async def _execute(card: RunCard, calls: Sequence[Any]) -> dict[str, str]:
    """Run the Python tools for ``calls`` (the ToolSet never raises: a failure is the output text).

    The card counts as busy meanwhile. The mark is taken before the first ``await`` and dropped
    before the caller submits (``open_submission`` checks and sets ``_submitting`` with no ``await``
    in between), so on the single-threaded loop no other submission can slip in.
    """
    toolset = card._toolset
    assert toolset is not None
    _refuse_while_tools_run(card)
    if card._submitting:
        raise RequestFailed("A submission is already in flight; wait for its answer.")
    _tools_running[card] = ", ".join(dict.fromkeys(call.function.name for call in calls))
    try:
        answers = await toolset.aoutputs_for(list(calls))
    finally:
        _tools_running.pop(card, None)
    return {answer["tool_call_id"]: answer["output"] for answer in answers}


async def run_tools(
    card: RunCard, tool_call_ids: Sequence[str], *, submit_too: bool, drafts: dict[str, str]
) -> dict[str, Any]:
    """Run the Python tools for some pending calls; with ``submit_too``, submit with the drafts."""
    if card._toolset is None:
        raise RequestFailed("This card has no Python tools: create it with RunCard(tools=...).")
    run = _waiting_run(card)
    pending = {call.id: call for call in run.pending_tool_calls}
    names = set(card._toolset.names)
    calls = []
    for call_id in tool_call_ids:
        call = pending.get(call_id)
        if call is None:
            raise RequestFailed(f"The run is not waiting for an output for {call_id}.")
        if call.function.name not in names:
            raise RequestFailed(f"There is no Python tool named {call.function.name!r} on this card.")
        calls.append(call)
    outputs = await _execute(card, calls)
    if not submit_too:
        return {"outputs": outputs}
    combined: list[dict[str, str]] = []
    missing: list[str] = []
    for call in run.pending_tool_calls:
        value = outputs.get(call.id, drafts.get(call.id))
        if value is None:
            missing.append(f"{call.function.name} ({call.id})")
        else:
            combined.append({"tool_call_id": call.id, "output": value})
    if missing:
        raise RequestFailed(f"Fill in the output of {', '.join(missing)} first.", outputs=outputs)
    try:
        await submit(card, combined)
    except RequestFailed as exc:
        raise RequestFailed(exc.message, outputs=outputs) from None
    return {"outputs": outputs}


async def auto_submit(card: RunCard) -> follow.EnteredStream | None:
    """With ``auto_tools``: answer every pending call with the Python tools and submit at once."""
    run = card.current_run
    toolset = card._toolset
    if run is None or run.status != "requires_action" or toolset is None:
        return None
    calls = run.pending_tool_calls
    names = set(toolset.names)
    missing = sorted({call.function.name for call in calls if call.function.name not in names})
    if not calls or missing:
        if missing:
            card._set_notice("info", f"No Python tool for {', '.join(missing)}: fill in the outputs below.")
        return None
    try:
        outputs = await _execute(card, calls)
        return await open_submission(
            card, [{"tool_call_id": call.id, "output": outputs[call.id]} for call in calls]
        )
    except RequestFailed as exc:
        card._set_notice("error", f"Submitting the Python tools' outputs failed: {exc.message}")
        return None


async def cancel(card: RunCard) -> None:
    """Ask the server to cancel; if the card is not following, poll until the run ends."""
    backend = card._require_backend()
    run = card.current_run
    if run is None:
        raise RequestFailed("This card has no run yet.")
    if run.status not in CANCELLABLE_RUN_STATUSES:
        raise RequestFailed(f"The run is {run.status}; there is nothing to cancel.")
    try:
        updated = await backend.cancel(run.thread_id, run.id)
    except Exception as exc:
        raise RequestFailed(error_text(exc, backend.secrets())) from None
    card.apply_object(updated)
    if card._drive_task is None and updated.status not in ("cancelled", "completed", "failed", "expired"):
        ref = weakref.ref(card)
        card._last_source = "poll"
        card._start_drive(
            lambda: follow.poll(ref, updated.thread_id, updated.id, follow.DEFAULT_POLL_INTERVAL)
        )
